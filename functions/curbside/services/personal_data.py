"""Where the platform holds a person's data, and what deleting their account does to each place (issue 15,
spec "GDPR compliance (data export, deletion)"; docs/decisions.md D73).

`HOLDINGS` is the one table both privacy rights read: each row is a collection and the field that holds the
person's uid. `export_my_data` copies every matching document (minus the fields only admins may see);
`delete_my_account` applies the row's `erase` — `DELETE` removes the document, a mapping replaces those fields —
and leaves rows without `erase` alone: the money records (payments, the ledgers, redemptions, earnings) are
kept as the law requires, and what names the person in them is the uid, a pseudonym once the Auth account is
gone and the `Users` document holds nothing that identifies anyone.

Each row is read in pages of `PAGE` through `queries.of_person` (one equality: no composite index), so reads are
bounded per unit of work whatever the person's history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from curbside.deps import Deps
from curbside.domain.documents import QuarantinedUpload
from curbside.domain.documents.base import Document
from curbside.services import work
from curbside.store import queries
from curbside.store.collections import Collection
from curbside.store.engine import Cursor
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

C = Collection
PAGE = 200
ERASED_NAME = "Deleted user"
ERASED_TEXT = "(deleted)"
DELETE: Final[Mapping[str, Any]] = {"__delete__": True}
"""`Holding.erase` for documents that are removed whole (they serve the person alone)."""


@dataclass(frozen=True)
class Holding:
    collection: Collection
    owner_field: str
    """The field that holds the person's uid."""
    erase: Mapping[str, Any] | None = None
    """What deletion does: `DELETE`, or the fields it replaces (a value, or a function of the field's value);
    None: the document is kept as it is."""
    exported: bool = True
    hidden: frozenset[str] = field(default_factory=frozenset)
    """Fields left out of the export (admin-only, or what a shadow-banned person must not learn)."""
    shown: Callable[[Any], bool] = lambda document: True
    """Which of the documents the export holds (a review reaches its reviewee only once applied, D51)."""


_NAMELESS_PROFILE = {"profile_image_url": None}
HOLDINGS: tuple[Holding, ...] = (
    Holding(C.USERS, "id", {"email": None, "full_name": ERASED_NAME, "display_name": None, "phone_number": None,
                            "phone_verified": False, "fcm_tokens": [], "photo_url": None, "search_prefixes": [],
                            **_NAMELESS_PROFILE}),
    Holding(C.CLIENT_PROFILES, "user_id", {"car_model": None, "license_plate": None, "car_images": [],
                                           "card_last_four": None, "card_brand": None, **_NAMELESS_PROFILE}),
    Holding(C.DISPATCHER_PROFILES, "user_id", {"vehicle_license_plate": None, "vehicle_images": [], "bio": None,
                                               "abn": None, **_NAMELESS_PROFILE}),
    Holding(C.NOTIFICATION_PREFERENCES, "user_id", DELETE),
    Holding(C.DISPATCHER_LOCATIONS, "dispatcher_id", DELETE, hidden=frozenset({"account_status"})),
    Holding(C.PHONE_VERIFICATIONS, "user_id", DELETE),
    Holding(C.SERVICE_REQUESTS, "client_id", {"client_name": ERASED_NAME, "license_plate": ERASED_TEXT,
                                              "location_address": ERASED_TEXT,
                                              "notes": None, "cancellation_reason": None,
                                              "customer_phone": None, "customer_email": None}),
    Holding(C.SERVICE_REQUESTS, "dispatcher_id", {"dispatcher_name": ERASED_NAME}),
    Holding(C.JOB_OFFERS, "dispatcher_id", {"dispatcher_name": ERASED_NAME}),
    Holding(C.JOB_CONTACTS, "client_id", DELETE, exported=False),
    Holding(C.JOB_CONTACTS, "dispatcher_id", DELETE, exported=False),
    Holding(C.JOB_COMPLETIONS, "dispatcher_id"),  # the photos' paths name the uid alone; the files are deleted
    Holding(C.JOB_COMPLETIONS, "client_id"),
    Holding(C.REVIEWS, "reviewer_id", {"comment": None}),
    Holding(C.REVIEWS, "reviewee_id", shown=lambda review: review.applied),
    Holding(C.CLIENT_REVIEWS, "reviewer_id", {"comment": None, "reviewer_name": ERASED_NAME}),
    Holding(C.CLIENT_REVIEWS, "reviewee_id", shown=lambda review: review.applied),
    Holding(C.WITHHELD_COMMENTS, "reviewer_id", DELETE),
    Holding(C.MESSAGES, "sender_id", {"message": ERASED_TEXT, "image_url": None, "sender_name": ERASED_NAME}),
    Holding(C.CONVERSATIONS, "last_sender_id", {"last_message": ERASED_TEXT}, exported=False),
    Holding(C.CHAT_PRESENCE, "user_id", DELETE, exported=False),
    Holding(C.NOTIFICATIONS, "user_id", DELETE),
    Holding(C.POINTS_LEDGER, "client_id"),
    Holding(C.REWARD_REDEMPTIONS, "client_id"),
    Holding(C.QUOTES, "client_id", DELETE),  # its photos are the person's car_photos/, deleted with their files
    Holding(C.REFERRAL_CODES, "client_id"),
    Holding(C.JOB_PAYMENTS, "client_id"),
    Holding(C.JOB_PAYMENTS, "dispatcher_id"),
    Holding(C.PAYMENT_LEDGER, "dispatcher_id"),
    Holding(C.INSURANCE_CLAIMS, "client_id"),  # a money record, kept like JobPayments (D91)
    Holding(C.DISPATCHER_EARNINGS, "user_id"),
    # Tax invoices are kept as the law requires; the customer's name is not required on one (D103).
    Holding(C.INVOICES, "client_id", {"client_name": ERASED_NAME}),
    Holding(C.INVOICES, "dispatcher_id"),
    Holding(C.VAN_STOCK, "dispatcher_id", DELETE),
    # A merchant's business record, SKUs and statements are kept (contract and money records, D115); the
    # customers it named are erased from its statement lines.
    Holding(C.MERCHANTS, "id", {"billing_email": None}),
    Holding(C.MERCHANT_SKUS, "merchant_id"),
    Holding(C.MERCHANT_STATEMENTS, "merchant_id"),
    Holding(C.MERCHANT_STATEMENT_LINES, "merchant_id", {"customer_name": ERASED_NAME}),
    Holding(C.TECHNICIAN_CALENDARS, "dispatcher_id", DELETE),
    Holding(C.RECURRING_BOOKINGS, "client_id", DELETE),
    Holding(C.VEHICLES, "client_id", DELETE),
    Holding(C.VEHICLE_SERVICES, "client_id", DELETE),
    Holding(C.VAN_STOCK_MOVEMENTS, "dispatcher_id", DELETE),
    Holding(C.DISPUTES, "raised_by_user_id", {"raised_by_name": ERASED_NAME, "description": ERASED_TEXT,
                                              "evidence_urls": []}),
    Holding(C.DISPUTES, "client_id"),
    Holding(C.DISPUTES, "dispatcher_id"),
    Holding(C.DISPUTE_COMMENTS, "user_id", {"user_name": ERASED_NAME, "comment": ERASED_TEXT, "attachments": []}),
    Holding(C.SUPPORT_TICKETS, "user_id", {"user_name": ERASED_NAME, "user_email": None, "subject": ERASED_TEXT}),
    Holding(C.SUPPORT_MESSAGES, "sender_id", {"message": ERASED_TEXT, "sender_name": ERASED_NAME,
                                              "attachment_url": None}),
    # The Messenger conversation that led to the client's booking (its excerpt is the person's own words).
    Holding(C.LEADS, "booked_client_id", {"last_message_excerpt": ERASED_TEXT, "place_query": None}),
    Holding(C.QUARANTINED_UPLOADS, "owner_id", DELETE, exported=False),  # its file first: `quarantined_files`
    # A vendor call's record keeps what was sent (the background check's name and e-mail).
    Holding(C.OUTBOX, "payload.uid", {"payload": lambda payload: {
        key: value for key, value in payload.items() if key not in {"email", "full_name"}}}, exported=False),
)

PRIVATE_ERASE: Mapping[Collection, Mapping[str, Any]] = {
    C.CLIENT_PROFILES: {"phone_number": None, "billing_address": None, "payment_method": None},
    C.DISPATCHER_PROFILES: {"phone_number": None, "passport_image_url": None, "drivers_license_url": None,
                            "vehicle_registration_url": None, "vehicle_insurance_url": None,
                            "identity_document_back_url": None, "bank_details": None},
}
"""The private parts' personal fields (the Stripe and background-check ids stay: they key money and checks)."""
PRIVATE_EXPORTED: Mapping[Collection, frozenset[str]] = {
    C.CLIENT_PROFILES: frozenset({"phone_number", "billing_address"}),
    C.DISPATCHER_PROFILES: frozenset({"phone_number", "passport_image_url", "drivers_license_url",
                                      "vehicle_registration_url", "vehicle_insurance_url",
                                      "identity_document_type", "identity_document_back_url", "bank_details",
                                      "payouts_enabled"}),
}
"""What of a private part the person sees (not the account status, its reason or the reviewers' notes)."""


def pages(deps: Deps, holding: Holding, uid: str) -> Iterator[list[Document]]:
    """The person's documents of one holding, a page per unit of work."""
    spec = queries.of_person(holding.collection, holding.owner_field)
    cursor: Cursor | None = None

    def page(uow: UnitOfWork) -> tuple[list[Document], Cursor | None]:
        repository = uow.of(holding.collection)
        found: list[Document] = repository.find(spec, limit=PAGE, start_after=cursor, uid=uid)
        return found, repository.cursor(found[-1]) if len(found) == PAGE else None

    while True:
        found, cursor = work.reading(deps, page)
        yield found
        if cursor is None:
            return


def erased(document: Document, erase: Mapping[str, Any]) -> Document:
    return evolve(document, **{name: value(getattr(document, name)) if callable(value) else value
                               for name, value in erase.items()})


def erase_holding(deps: Deps, holding: Holding, uid: str) -> int:
    """Apply one holding's erasure to every document of the person; returns how many were changed (0 when run
    again: an erased document is left unwritten)."""
    erase = holding.erase
    if erase is None:
        return 0
    changed = 0
    for found in pages(deps, holding, uid):
        def commit(uow: UnitOfWork, found: list[Document] = found) -> int:
            repository = uow.of(holding.collection)
            current = [document for item in found if (document := repository.get(item.id)) is not None]
            if erase is DELETE:
                for document in current:
                    repository.delete(document.id)
                return len(current)
            changes = [after for document in current if (after := erased(document, erase)) != document]
            for after in changes:
                repository.put(after)
            return len(changes)

        changed += work.transaction(deps, commit) if found else 0
    return changed


JOBS = tuple(holding for holding in HOLDINGS if holding.collection is C.SERVICE_REQUESTS)


def scrub_mentions(deps: Deps, uid: str) -> int:
    """The notices the person's jobs gave the other party name them ("Morgan is on the way"): their name is
    replaced there, one commit per job. Run before the `Users` document is erased (the names come from it), so a
    run interrupted before that point finds them again."""
    user = work.reading(deps, lambda uow: uow.users.get(uid))
    names = sorted({name for name in (user.full_name, user.display_name) if name and name != ERASED_NAME}
                   if user else set(), key=len, reverse=True)
    if not names:
        return 0

    def scrubbed(text: str | None) -> str | None:
        for name in names:
            text = text.replace(name, ERASED_NAME) if text else text
        return text

    def job_notices(request_id: str) -> int:
        return work.transaction(deps, lambda uow: commit(uow, request_id))

    def commit(uow: UnitOfWork, request_id: str) -> int:
        changed = 0
        for notice in uow.notifications.find(queries.NOTICES_OF_JOB, request_id=request_id):
            after = evolve(notice, title=scrubbed(notice.title), body=scrubbed(notice.body))
            if notice.user_id != uid and after != notice:
                uow.notifications.save(after)
                changed += 1
        return changed

    return sum(job_notices(job.id) for holding in JOBS for page in pages(deps, holding, uid) for job in page)


QUARANTINE = next(holding for holding in HOLDINGS if holding.collection is C.QUARANTINED_UPLOADS)


def quarantined_files(deps: Deps, uid: str) -> list[str]:
    """Where the person's refused uploads are kept (outside their folder): deleted before their records, so a
    run interrupted in between finds them again."""
    return [upload.quarantine_name for page in pages(deps, QUARANTINE, uid) for upload in page
            if isinstance(upload, QuarantinedUpload)]
