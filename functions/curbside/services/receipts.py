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
from curbside.domain.money import from_minor
from curbside.services.notifications import notify
from curbside.services.payment_records import Loaded
from curbside.store.uow import UnitOfWork

RECEIPT_KEY = "receipt"


def receipt_text(loaded: Loaded, amount_minor: int) -> tuple[str, str]:
    """The receipt's title and body: what was charged, for which job, and who pays the rest of an insurance
    job's price."""
    request, payment = loaded.request, loaded.payment
    currency = payment.currency
    charged = f"{from_minor(amount_minor, currency)} {currency}"
    job = f"{request.car_model}" + (f" at {request.location_area}" if request.location_area else "")
    if request.status is RequestStatus.CANCELLED:
        return "Receipt: cancellation fee", f"{charged} was charged to your card for the late cancellation of " \
                                           f"your job ({job})."
    body = f"{charged} was charged to your card for your job ({job}), job {request.id}."
    if request.job_type is JobType.INSURANCE and payment.insurer_share_minor:
        owed = from_minor(payment.insurer_share_minor, currency)
        body += (f" That is your excess: {request.insurer} pays the remaining {owed} {currency} under claim "
                 f"{request.claim_number}.")
    return "Receipt", body


def send_receipt(uow: UnitOfWork, loaded: Loaded, amount_minor: int) -> None:
    """In the capture's commit: the client's receipt (see the module docstring)."""
    if amount_minor <= 0:
        return
    title, body = receipt_text(loaded, amount_minor)
    notify(uow, user_id=loaded.payment.client_id, kind=NotificationType.PAYMENT_PROCESSED, title=title,
           body=body, request_id=loaded.payment.request_id, key=f"{RECEIPT_KEY}:{loaded.payment.request_id}")
