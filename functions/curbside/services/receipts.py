"""The client's receipt when their card is charged (issue 20 item 7, D93).

Stripe e-mails its own receipts only to a customer with an e-mail address, and an account made with Facebook
may have none (and one made with Apple may have a private-relay address). So the platform writes its own
receipt as a notice in the capture's commit: it is always in the app's notice list, goes out by push, and by
e-mail only when the account has an address (the notice fan-out decides, D31) — the same for every account,
whichever way it signed in. Keyed by the job, so the capture recorded twice (gateway and webhook) writes one.
"""

from __future__ import annotations

from curbside.domain.enums import NotificationType, RequestStatus
from curbside.domain.insurance import JobType
from curbside.domain.texts import Money, Text, t
from curbside.services.notifications import notify
from curbside.services.payment_records import Loaded
from curbside.store.uow import UnitOfWork

RECEIPT_KEY = "receipt"


def receipt_text(loaded: Loaded, amount_minor: int) -> tuple[Text, Text]:
    """The receipt's title and body: what was charged, for which job, and who pays the rest of an insurance
    job's price."""
    request, payment = loaded.request, loaded.payment
    charged = Money(amount_minor, payment.currency)
    job: str | Text = t("{car} at {area}", car=request.car_model, area=request.location_area) \
        if request.location_area else request.car_model
    if request.status is RequestStatus.CANCELLED:
        return t("Receipt: cancellation fee"), t(
            "{amount} was charged to your card for the late cancellation of your job ({job}).", amount=charged, job=job)
    if request.job_type is JobType.INSURANCE and payment.insurer_share_minor:
        return t("Receipt"), t(
            "{amount} was charged to your card for your job ({job}), job {request}. That is your excess: {insurer} "
            "pays the remaining {owed} under claim {claim}.", amount=charged, job=job, request=request.id,
            insurer=request.insurer, owed=Money(payment.insurer_share_minor, payment.currency),
            claim=request.claim_number)
    return t("Receipt"), t("{amount} was charged to your card for your job ({job}), job {request}.", amount=charged,
                           job=job, request=request.id)


def send_receipt(uow: UnitOfWork, loaded: Loaded, amount_minor: int) -> None:
    """In the capture's commit: the client's receipt (see the module docstring)."""
    if amount_minor <= 0:
        return
    title, body = receipt_text(loaded, amount_minor)
    notify(uow, user_id=loaded.payment.client_id, kind=NotificationType.PAYMENT_PROCESSED, title=title,
           body=body, request_id=loaded.payment.request_id, key=f"{RECEIPT_KEY}:{loaded.payment.request_id}")
