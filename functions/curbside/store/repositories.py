"""Typed repositories: a collection's documents as models, read and written through the unit of work.

- `get(id)` / `find(QUERY, ...)` / `count(QUERY, ...)`: models out; queries only from `store.queries`.
- `create(model)`: a new document (the commit fails if it exists). `put(model)`: write it whole, whatever is
  stored (deterministic records: a notice, a ledger entry). `save(model)`: a document this unit of work read,
  changed (only the changed fields are sent; in the conditional style, only if unchanged since the read).
- `move(model, target, actor, **changes)`: a status change, checked against the lifecycle table with the
  actor; `save` also refuses a status change the table does not list, whoever makes it.

Private parts (`{Collection}/{id}/private/data`) have the same methods keyed by their parent's id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from curbside.domain.documents import (
    AuditEntry,
    BackgroundCheckEvent,
    ClientProfile,
    ClientProfilePrivate,
    ClientReview,
    Conversation,
    DailyStats,
    DentRepairMatrix,
    DispatcherEarnings,
    DispatcherLocation,
    DispatcherProfile,
    DispatcherProfilePrivate,
    Dispute,
    DisputeComment,
    DisputePrivate,
    Document,
    FraudAlert,
    InsuranceClaim,
    Invoice,
    InvoiceSequence,
    JobCompletion,
    JobContact,
    JobOffer,
    JobPayment,
    Lead,
    Merchant,
    MerchantSku,
    MerchantStatement,
    MerchantStatementLine,
    Message,
    MessengerEvent,
    MonitorWatermark,
    Notification,
    NotificationPreferences,
    PaymentLedgerEntry,
    PhoneVerification,
    PointsLedgerEntry,
    PricingRule,
    PrivateDocument,
    PublicReview,
    QuarantinedUpload,
    Quote,
    RateLimitSlot,
    RecurringBooking,
    ReferralCode,
    Review,
    Reward,
    RewardRedemption,
    Service,
    ServiceRequest,
    StripeEvent,
    SupportMessage,
    SupportTicket,
    SupportTicketPrivate,
    TechnicianCalendar,
    User,
    UserPrivate,
    VanStockItem,
    VanStockMovement,
    Vehicle,
    VehicleService,
    WithheldComment,
)
from curbside.domain.documents.outbox import OutboxEntry, effect_id
from curbside.domain.enums import AuditSource, EffectStatus
from curbside.domain.fraud import FRAUD_ALERT
from curbside.domain.insurance import INSURANCE_CLAIM
from curbside.domain.lifecycle import Actor, Lifecycle
from curbside.domain.lifecycles import (
    AUTHORIZATION,
    COMPLETION_PAYMENT,
    DELIVERY,
    DISPUTE,
    EFFECT,
    LEAD,
    OFFER,
    PAYOUT,
    REDEMPTION,
    STEP_LIFECYCLES,
    TICKET,
)
from curbside.domain.request_lifecycle import REQUEST
from curbside.store.collections import (
    MODELS,
    PRIVATE_SUBCOLLECTION,
    Collection,
    collection_for,
    doc_path,
    new_document_id,
    private_doc_path,
)
from curbside.store.engine import Cursor, WriteKind
from curbside.store.queries import QuerySpec

if TYPE_CHECKING:
    from curbside.store.engine import Engine

D = TypeVar("D", bound=Document)
P = TypeVar("P", bound=PrivateDocument)
M = TypeVar("M", bound=BaseModel)

LIFECYCLES: Mapping[Collection, tuple[Lifecycle[Any], ...]] = {
    Collection.SERVICE_REQUESTS: (REQUEST,),
    Collection.JOB_OFFERS: (OFFER,),
    Collection.JOB_PAYMENTS: (AUTHORIZATION, PAYOUT),
    Collection.JOB_COMPLETIONS: (COMPLETION_PAYMENT,),
    Collection.REWARD_REDEMPTIONS: (REDEMPTION,),
    Collection.OUTBOX: (EFFECT,),
    Collection.DISPATCHER_PROFILES: STEP_LIFECYCLES,
    Collection.NOTIFICATIONS: (DELIVERY,),
    Collection.FRAUD_ALERTS: (FRAUD_ALERT,),
    Collection.INSURANCE_CLAIMS: (INSURANCE_CLAIM,),
    Collection.DISPUTES: (DISPUTE,),
    Collection.SUPPORT_TICKETS: (TICKET,),
    Collection.LEADS: (LEAD,),
}
"""The status fields each collection's repository guards."""


def evolve(model: M, **changes: Any) -> M:
    """A validated copy with some fields changed (derived fields follow by construction)."""
    return type(model).model_validate({**model.model_dump(), **changes})


def _check_lifecycles(lifecycles: tuple[Lifecycle[Any], ...], before: BaseModel | None, after: BaseModel) -> None:
    if before is None:
        return
    for lifecycle in lifecycles:
        current, target = getattr(before, lifecycle.status_field), getattr(after, lifecycle.status_field)
        if current != target:
            lifecycle.require(current, target)


class _Base(Generic[M]):
    def __init__(self, uow: Engine, collection: Collection, model: type[M]) -> None:
        self._uow = uow
        self.collection = collection
        self.model = model
        self._lifecycles = LIFECYCLES.get(collection, ()) if issubclass(model, Document) else ()

    def _read(self, path: str) -> M | None:
        """A copy of the document as read: the caller may change it and `save` it; the read stays as it was."""
        found = self._uow.tracked(path, self.model).model
        return found.model_copy(deep=True) if isinstance(found, self.model) else None

    def _save(self, path: str, model: M) -> M:
        tracked = self._uow.tracked_or_none(path)
        if tracked is None:
            raise RuntimeError(f"save() of {path}, which this unit of work did not read: use put() or create()")
        before = self._uow.current(path, self.model)
        _check_lifecycles(self._lifecycles, before, model)
        self._uow.stage(path, WriteKind.UPDATE if tracked.model is not None else WriteKind.CREATE, model)
        return model

    def _move(self, path: str, model: M, target: Any, actor: Actor, changes: dict[str, Any]) -> M:
        (lifecycle,) = [item for item in self._lifecycles if isinstance(target, item.states)]
        lifecycle.check(getattr(model, lifecycle.status_field), target, actor)
        return self._save(path, evolve(model, **{lifecycle.status_field: target, **changes}))


class DocumentRepository(_Base[D]):
    """The documents of one collection, `{Collection}/{id}`."""

    def path(self, doc_id: str) -> str:
        return doc_path(self.collection, doc_id)

    def get(self, doc_id: str) -> D | None:
        return self._read(self.path(doc_id))

    def get_many(self, doc_ids: Sequence[str]) -> list[D | None]:
        """Several documents in one round trip instead of one each, in the order of `doc_ids`."""
        paths = [self.path(doc_id) for doc_id in doc_ids]
        self._uow.tracked_all(paths, self.model)
        return [self._read(path) for path in paths]

    def find(self, spec: QuerySpec, *, limit: int | None = None, start_after: Cursor | None = None,
             **params: Any) -> list[D]:
        if spec.collection != self.collection:
            raise TypeError(f"{spec.name} is a query of {spec.collection}, not {self.collection}")
        paths = self._uow.query(spec, self.model, limit=limit, start_after=start_after, **params)
        return [model for path in paths if (model := self._read(path)) is not None]

    def cursor(self, model: D) -> Cursor:
        """Where a page that ended with `model` ends, for `find(..., start_after=...)` in a later unit of work."""
        return self._uow.cursor(self.path(model.id))

    def as_read(self, seen: Cursor) -> D | None:
        """A document of a page an earlier unit of work read (`cursor(model)` there), taken as read here without
        billing a read (`Engine.adopt`: conditional style, and the commit fails if it changed since)."""
        self._uow.adopt(seen, self.model)
        return self._read(seen.path)

    def count(self, spec: QuerySpec, *, up_to: int | None = None, **params: Any) -> int:
        return self._uow.count(spec, up_to=up_to, **params)

    def create(self, model: D) -> D:
        _check_lifecycles(self._lifecycles, None, model)
        self._uow.stage(self.path(model.id), WriteKind.CREATE, model)
        return model

    def put(self, model: D) -> D:
        self._uow.stage(self.path(model.id), WriteKind.SET, model)
        return model

    def save(self, model: D) -> D:
        return self._save(self.path(model.id), model)

    def move(self, model: D, target: Any, actor: Actor, **changes: Any) -> D:
        return self._move(self.path(model.id), model, target, actor, changes)

    def merge(self, doc_id: str, **fields: Any) -> None:
        """Merge `fields` into the document, creating it if needed, without reading it (`Engine.merge`): values
        may be `Add(n)` increments, also inside maps (`unread={uid: Add(1)}`)."""
        unknown = set(fields) - set(self.model.model_fields)
        if unknown:
            raise ValueError(f"{self.model.__name__} has no field {sorted(unknown)}")
        self._uow.merge(self.path(doc_id), {"id": doc_id, **fields})

    def increment(self, doc_id: str, **amounts: int) -> None:
        """Add to numbers of the document in this commit without reading it (`Engine.add`): concurrent commits
        all count, and a write of the same document in this unit of work carries the increment."""
        unknown = set(amounts) - set(self.model.model_fields)
        if unknown:
            raise ValueError(f"{self.model.__name__} has no field {sorted(unknown)}")
        for name, amount in amounts.items():
            self._uow.add(self.path(doc_id), name, amount)

    def delete(self, doc_id: str) -> None:
        self._uow.stage(self.path(doc_id), WriteKind.DELETE, None)


class PrivateRepository(_Base[P]):
    """The private parts of one collection's documents, `{Collection}/{id}/private/data`."""

    def path(self, owner_id: str) -> str:
        return private_doc_path(self.collection, owner_id)

    def get(self, owner_id: str) -> P | None:
        return self._read(self.path(owner_id))

    def get_or_default(self, owner_id: str) -> P:
        """The stored part, or the model's defaults when none is written yet."""
        return self.get(owner_id) or self.model()

    def save(self, owner_id: str, model: P) -> P:
        return self._save(self.path(owner_id), model)

    def delete(self, owner_id: str) -> None:
        self._uow.stage(self.path(owner_id), WriteKind.DELETE, None)

    def owners(self, spec: QuerySpec, *, limit: int = 2, **params: Any) -> list[str]:
        """The ids of the documents whose private part matches a collection-group query of private parts
        (e.g. the client of a Stripe customer id)."""
        if not spec.group or spec.collection != PRIVATE_SUBCOLLECTION:
            raise TypeError(f"{spec.name} is not a query of private parts")
        prefix = f"{self.collection}/"
        paths = self._uow.query(spec, self.model, limit=limit, keep=lambda path: path.startswith(prefix), **params)
        return [path.split("/")[1] for path in paths]


OUTBOX_LEASE = dt.timedelta(minutes=2)
"""An entry is created leased for this long to the request that committed it, which runs it at once; the sweep
takes it only after (and takes the same lease for its own attempt)."""


class OutboxRepository(DocumentRepository[OutboxEntry]):
    """Vendor calls to run after the commit (`uow.outbox.add`), and the runner's bookkeeping."""

    def __init__(self, uow: Engine) -> None:
        super().__init__(uow, Collection.OUTBOX, OutboxEntry)
        self._added: dict[str, OutboxEntry] = {}

    def add(self, kind: str, key: str, **payload: Any) -> OutboxEntry:
        """Ask for a vendor call once this commit lands. Asking again for a `kind:key` already recorded leaves a
        pending entry as it is, and runs a finished one again — with the same idempotency key, so its handler
        finds what is left to do (a payout whose account can now receive it) or nothing."""
        now = self._uow.now
        entry = OutboxEntry(id=effect_id(kind, key), kind=kind, key=key, payload=payload,
                            next_attempt_at=now + OUTBOX_LEASE, created_date=now, updated_date=now)
        self._added[entry.id] = entry
        return entry

    def new_entries(self) -> tuple[OutboxEntry, ...]:
        """At commit: stage the entries asked for (see `add`); returns those to run now."""
        to_run = []
        for entry in self._added.values():
            stored = self.get(entry.id)
            if stored is None:
                to_run.append(self.create(entry))
            elif stored.status is not EffectStatus.PENDING:
                to_run.append(self.move(stored, EffectStatus.PENDING, Actor.SYSTEM, payload=entry.payload, attempts=0,
                                        next_attempt_at=entry.next_attempt_at, updated_date=self._uow.now))
        return tuple(to_run)


class NotificationRepository(DocumentRepository[Notification]):
    """The in-app notices (`services.notifications.notify` stages them), and those to fan out after the commit."""

    def __init__(self, uow: Engine) -> None:
        super().__init__(uow, Collection.NOTIFICATIONS, Notification)
        self._new: list[str] = []

    def stage_new(self, notice: Notification) -> Notification:
        """Write a new notice (its id is the event's: a replay rewrites the same one) and fan it out once this
        commit lands. The notice is merged whole but for `counted_unread`, which — with its person's
        `Users.unread_notifications` — is added one to, without reading either (D60): the two move together, so
        marking the notice read takes off exactly what was added for it, even when it was sent again unread."""
        path = self.path(notice.id)
        self._uow.stage(path, WriteKind.MERGE, notice)
        if notice.id not in self._new:
            self._uow.add(path, "counted_unread", 1)
            self._uow.add(doc_path(Collection.USERS, notice.user_id), "unread_notifications", 1)
            self._new.append(notice.id)
        return notice

    def new_notices(self) -> tuple[Notification, ...]:
        """At commit: the notices staged with `stage_new`, as they will be stored."""
        staged = (self._uow.staged(self.path(notice_id)) for notice_id in dict.fromkeys(self._new))
        return tuple(write.model for write in staged
                     if write is not None and isinstance(write.model, Notification))


class AuditRepository(DocumentRepository[AuditEntry]):
    """The audit trail: `uow.audit.record(...)` is the one line an admin use case adds to its decision, so the
    entry commits with the action or not at all."""

    def __init__(self, uow: Engine) -> None:
        super().__init__(uow, Collection.AUDIT_LOG, AuditEntry)

    def record(self, *, actor_id: str | None, action: str, target: Collection | str, target_id: str,
               before: Mapping[str, Any], after: Mapping[str, Any], reason: str | None,
               source: AuditSource = AuditSource.ADMIN, entry_id: str | None = None) -> AuditEntry:
        """Stage one entry: `before`/`after` hold only the fields the action changed. `entry_id`: a deterministic
        id for an action a replay could repeat (a console edit's trigger); otherwise a new one. `target`: the
        collection acted on, or a Storage folder for a file (`admin_files`)."""
        return self.create(AuditEntry(
            id=entry_id or new_document_id(), actor_id=actor_id, source=source, action=action,
            target_collection=str(target), target_id=target_id, before=dict(before), after=dict(after),
            reason=reason, created_date=self._uow.now))


class Repositories:
    """Every repository of a unit of work (`uow.requests` etc. are these)."""

    def __init__(self, uow: Engine) -> None:  # noqa: PLR0915 - one line per collection ("How to add" step 2)
        self._engine = uow

        def documents(model: type[D]) -> DocumentRepository[D]:
            return DocumentRepository(uow, collection_for(model), model)

        def private(model: type[P]) -> PrivateRepository[P]:
            return PrivateRepository(uow, collection_for(model), model)

        self.users = documents(User)
        self.user_private = private(UserPrivate)
        self.client_profiles = documents(ClientProfile)
        self.client_private = private(ClientProfilePrivate)
        self.dispatcher_profiles = documents(DispatcherProfile)
        self.dispatcher_private = private(DispatcherProfilePrivate)
        self.notification_preferences = documents(NotificationPreferences)
        self.requests = documents(ServiceRequest)
        self.offers = documents(JobOffer)
        self.contacts = documents(JobContact)
        self.locations = documents(DispatcherLocation)
        self.completions = documents(JobCompletion)
        self.reviews = documents(Review)
        self.client_reviews = documents(ClientReview)
        self.rewards = documents(Reward)
        self.redemptions = documents(RewardRedemption)
        self.points = documents(PointsLedgerEntry)
        self.referral_codes = documents(ReferralCode)
        self.withheld_comments = documents(WithheldComment)
        self.public_reviews = documents(PublicReview)
        self.pricing_rules = documents(PricingRule)
        self.notifications = NotificationRepository(uow)
        self.messages = documents(Message)
        self.conversations = documents(Conversation)
        self.phone_verifications = documents(PhoneVerification)
        self.payments = documents(JobPayment)
        self.ledger = documents(PaymentLedgerEntry)
        self.earnings = documents(DispatcherEarnings)
        self.stripe_events = documents(StripeEvent)
        self.quarantine = documents(QuarantinedUpload)
        self.outbox = OutboxRepository(uow)
        self.background_check_events = documents(BackgroundCheckEvent)
        self.audit = AuditRepository(uow)
        self.fraud_alerts = documents(FraudAlert)
        self.insurance_claims = documents(InsuranceClaim)
        self.watermarks = documents(MonitorWatermark)
        self.rate_slots = documents(RateLimitSlot)
        self.disputes = documents(Dispute)
        self.dispute_private = private(DisputePrivate)
        self.dispute_comments = documents(DisputeComment)
        self.support_tickets = documents(SupportTicket)
        self.ticket_private = private(SupportTicketPrivate)
        self.support_messages = documents(SupportMessage)
        self.invoices = documents(Invoice)
        self.invoice_sequences = documents(InvoiceSequence)
        self.calendars = documents(TechnicianCalendar)
        self.recurring_bookings = documents(RecurringBooking)
        self.van_stock = documents(VanStockItem)
        self.van_stock_movements = documents(VanStockMovement)
        self.vehicles = documents(Vehicle)
        self.vehicle_services = documents(VehicleService)
        self.services = documents(Service)
        self.quotes = documents(Quote)
        self.dent_matrices = documents(DentRepairMatrix)
        self.daily_stats = documents(DailyStats)
        self.leads = documents(Lead)
        self.messenger_events = documents(MessengerEvent)
        self.merchants = documents(Merchant)
        self.merchant_skus = documents(MerchantSku)
        self.merchant_statements = documents(MerchantStatement)
        self.merchant_statement_lines = documents(MerchantStatementLine)

    def of(self, collection: Collection) -> DocumentRepository[Any]:
        """Any collection's documents by its name, for a capability that walks many (the privacy rights)."""
        return DocumentRepository(self._engine, collection, MODELS[collection])
