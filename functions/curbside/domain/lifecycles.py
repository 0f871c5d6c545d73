"""Every lifecycle's table (`domain.lifecycle.Lifecycle`), by the status field it governs.

The job's own table, with the timestamps and notices its moves carry, is `domain.request_lifecycle`; the
others are here. `BY_FIELD` is what the store's repositories consult: a write that changes one of these
fields in a way the table does not list is refused, whoever the actor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curbside.domain.enums import (
    AuthorizationStatus,
    DeliveryStatus,
    DisputeStatus,
    EffectStatus,
    LeadStatus,
    OfferStatus,
    PaymentStatus,
    PayoutStatus,
    RedemptionStatus,
    StepStatus,
    TicketStatus,
)
from curbside.domain.insurance import INSURANCE_CLAIM
from curbside.domain.lifecycle import Actor, Lifecycle, moves
from curbside.domain.request_lifecycle import REQUEST

A = Actor
PEOPLE = (A.CLIENT, A.DISPATCHER, A.ADMIN)
EVERYONE = (*PEOPLE, A.SYSTEM)

Of = OfferStatus
OFFER = Lifecycle("offer", "offer_status", OfferStatus, moves(
    (Of.PENDING, (Of.ACCEPTED, Of.REJECTED), (A.DISPATCHER,)),
    # Expired: the countdown ran out (system), or the offer was withdrawn because the job was taken by another
    # technician, cancelled, or its technician was taken out of dispatch.
    (Of.PENDING, (Of.EXPIRED,), EVERYONE),
), terminal=frozenset({Of.ACCEPTED, Of.REJECTED, Of.EXPIRED}))
"""JobOffers.offer_status: a 60-second offer to one technician."""

Au = AuthorizationStatus
AUTHORIZATION = Lifecycle("card authorisation", "authorization_status", AuthorizationStatus, moves(
    # Stripe's answers and webhooks arrive in any order; each only moves forward (D20).
    (Au.NOT_STARTED, (Au.FAILED, Au.AUTHORIZED, Au.CAPTURED, Au.CANCELLED), (A.SYSTEM,)),
    (Au.FAILED, (Au.AUTHORIZED, Au.CAPTURED, Au.CANCELLED), (A.SYSTEM,)),
    (Au.AUTHORIZED, (Au.CAPTURED, Au.CANCELLED, Au.EXPIRED), (A.SYSTEM,)),
    # A lapsed hold, released: the next one is placed like the first (its own PaymentIntent).
    (Au.EXPIRED, (Au.FAILED, Au.AUTHORIZED, Au.CANCELLED), (A.SYSTEM,)),
), terminal=frozenset({Au.CAPTURED, Au.CANCELLED}))
"""JobPayments.authorization_status: the card hold behind one job."""

P = PayoutStatus
PAYOUT = Lifecycle("payout", "payout_status", PayoutStatus, moves(
    (P.NONE, (P.HELD, P.RELEASED, P.DISPUTED), (A.SYSTEM,)),  # captured: held, or released/disputed already
    (P.HELD, (P.RELEASED, P.DISPUTED, P.REFUNDED), (A.SYSTEM,)),
    (P.RELEASED, (P.PAID, P.AWAITING_PAYOUT_ACCOUNT, P.DISPUTED, P.REFUNDED), (A.SYSTEM,)),
    (P.AWAITING_PAYOUT_ACCOUNT, (P.PAID, P.DISPUTED, P.REFUNDED), (A.SYSTEM,)),
    (P.DISPUTED, (P.HELD, P.RELEASED, P.REFUNDED), (A.SYSTEM,)),
    (P.PAID, (P.REFUNDED,), (A.SYSTEM,)),
), terminal=frozenset({P.REFUNDED}))
"""JobPayments.payout_status: where a job's captured money is."""

C = PaymentStatus
COMPLETION_PAYMENT = Lifecycle("completed job's payment", "payment_status", PaymentStatus, moves(
    (C.PENDING_REVIEW, (C.COMPLETED,), (A.CLIENT, A.SYSTEM)),  # the client's review, or the hold period passing
    (C.PENDING_REVIEW, (C.DISPUTED,), PEOPLE),
    (C.COMPLETED, (C.DISPUTED,), PEOPLE),  # a dispute within the window after approval
    (C.DISPUTED, (C.COMPLETED,), (A.ADMIN, A.SYSTEM)),  # resolved
))
"""JobCompletions.payment_status: the held payment after a job."""

R = RedemptionStatus
REDEMPTION = Lifecycle("redeemed reward", "status", RedemptionStatus, moves(
    (R.ACTIVE, (R.USED,), (A.CLIENT,)),
    (R.USED, (R.ACTIVE,), EVERYONE),  # the job it was used on was cancelled before any work: given back
    (R.ACTIVE, (R.EXPIRED,), (A.SYSTEM,)),
), terminal=frozenset({R.EXPIRED}))
"""RewardRedemptions.status."""

E = EffectStatus
EFFECT = Lifecycle("vendor call", "status", EffectStatus, moves(
    (E.PENDING, (E.DONE, E.FAILED), (A.SYSTEM,)),
    (E.DONE, (E.PENDING,), (A.SYSTEM,)),  # asked for again: the handler finds what is left to do (maybe nothing)
    (E.FAILED, (E.PENDING,), (A.ADMIN, A.SYSTEM)),  # asked for again, or an admin wants another attempt
))
"""Outbox.status: a vendor call recorded by a commit, run after it."""

St = StepStatus


def _step(noun: str, status_field: str, *, approved_by: tuple[Actor, ...], revoked_by: tuple[Actor, ...]
          ) -> Lifecycle[StepStatus]:
    """One verification step (D35): the technician submits it (again after a rejection, never once approved),
    an admin decides; `approved_by` / `revoked_by` add who else may approve it or withdraw an approval."""
    return Lifecycle(noun, status_field, StepStatus, moves(
        (St.PENDING, (St.UNDER_REVIEW,), (A.DISPATCHER,)),
        (St.REJECTED, (St.UNDER_REVIEW,), (A.DISPATCHER,)),
        (St.UNDER_REVIEW, (St.APPROVED,), approved_by),
        (St.UNDER_REVIEW, (St.REJECTED,), (A.ADMIN,)),
        (St.APPROVED, (St.REJECTED,), revoked_by),
    ))


IDENTITY_STEP = _step("identity step", "identity_verification_status", approved_by=(A.ADMIN,),
                      revoked_by=(A.ADMIN,))
"""DispatcherProfiles.identity_verification_status: passport or national ID and driving licence."""
VEHICLE_STEP = _step("vehicle step", "vehicle_verification_status", approved_by=(A.ADMIN,),
                     revoked_by=(A.ADMIN, A.SYSTEM))
"""DispatcherProfiles.vehicle_verification_status; the system revokes it when the insurance lapses."""
BACKGROUND_CHECK_STEP = _step("background check step", "background_check_status", approved_by=(A.ADMIN, A.SYSTEM),
                              revoked_by=(A.ADMIN,))
"""DispatcherProfiles.background_check_status; the system approves it when the provider's report is clear."""

STEP_LIFECYCLES = (IDENTITY_STEP, VEHICLE_STEP, BACKGROUND_CHECK_STEP)

Dl = DeliveryStatus
DELIVERY = Lifecycle("notice delivery", "delivery_status", DeliveryStatus, moves(
    (Dl.PENDING, (Dl.DONE, Dl.FAILED), (A.SYSTEM,)),
))
"""Notifications.delivery_status: a notice's push / e-mail / SMS fan-out, done once."""

Ds = DisputeStatus
DISPUTE_WAITING = (Ds.OPEN, Ds.UNDER_REVIEW, Ds.AWAITING_CLIENT_RESPONSE, Ds.AWAITING_DISPATCHER_RESPONSE,
                   Ds.ESCALATED)
"""A dispute no admin has decided yet (the money stays held)."""
DISPUTE_RESOLVED = (Ds.RESOLVED_CLIENT_FAVOR, Ds.RESOLVED_DISPATCHER_FAVOR, Ds.RESOLVED_MUTUAL)
DISPUTE = Lifecycle("dispute", "status", DisputeStatus, moves(
    # An admin looks at it (a comment, an interim decision), asks one side for more, or decides.
    *((source, tuple(t for t in (Ds.UNDER_REVIEW, Ds.AWAITING_CLIENT_RESPONSE, Ds.AWAITING_DISPATCHER_RESPONSE)
                     if t != source) + DISPUTE_RESOLVED, (A.ADMIN,)) for source in DISPUTE_WAITING),
    # The party asked answers (their next comment).
    (Ds.AWAITING_CLIENT_RESPONSE, (Ds.UNDER_REVIEW,), (A.CLIENT,)),
    (Ds.AWAITING_DISPATCHER_RESPONSE, (Ds.UNDER_REVIEW,), (A.DISPATCHER,)),
    # 72 hours without admin activity (the hourly escalation).
    *((source, (Ds.ESCALATED,), (A.SYSTEM,)) for source in DISPUTE_WAITING if source != Ds.ESCALATED),
    *((source, (Ds.CLOSED,), (A.ADMIN,)) for source in DISPUTE_RESOLVED),
), terminal=frozenset({Ds.CLOSED}))
"""Disputes.status (spec section 10): the money stays held until an admin resolves it."""

T = TicketStatus
USERS = (A.CLIENT, A.DISPATCHER)
"""A ticket's owner, whichever app they wrote from."""
TICKET = Lifecycle("support ticket", "status", TicketStatus, moves(
    # The owner asks for a person (or answers one); an admin takes the ticket on, waits for the owner, resolves
    # or closes it (closing starts the 10 days after which the cleanup deletes it).
    (T.OPEN, (T.WAITING_ADMIN,), USERS),
    (T.IN_PROGRESS, (T.WAITING_ADMIN,), USERS),
    (T.WAITING_USER, (T.WAITING_ADMIN,), USERS),
    (T.RESOLVED, (T.WAITING_ADMIN,), USERS),  # not solved after all: the owner asks for a person again
    (T.OPEN, (T.IN_PROGRESS, T.WAITING_USER, T.RESOLVED), (A.ADMIN,)),
    (T.WAITING_ADMIN, (T.IN_PROGRESS, T.WAITING_USER, T.RESOLVED), (A.ADMIN,)),
    (T.IN_PROGRESS, (T.WAITING_USER, T.RESOLVED), (A.ADMIN,)),
    (T.WAITING_USER, (T.IN_PROGRESS, T.RESOLVED), (A.ADMIN,)),
    (T.RESOLVED, (T.IN_PROGRESS,), (A.ADMIN,)),
    *((source, (T.CLOSED,), (A.ADMIN,)) for source in (T.IN_PROGRESS, T.WAITING_USER, T.WAITING_ADMIN, T.RESOLVED)),
    # The daily cleanup closes a ticket only the assistant answered once its owner has gone quiet (D67).
    (T.OPEN, (T.CLOSED,), (A.ADMIN, A.SYSTEM)),
), terminal=frozenset({T.CLOSED}))
"""SupportTickets.status (spec section 13): the AI answers an open ticket; a person takes it over."""

L = LeadStatus
OPEN_LEADS = (L.NEW, L.ASKED_POSTCODE, L.MATCHED)
"""Leads that may still book (and are lost after 7 days without a booking)."""
LEAD = Lifecycle("lead", "status", LeadStatus, moves(
    # The conversation (system): asked for a place, or matched with technicians near it; a lost lead that
    # writes again is back in the conversation.
    (L.NEW, (L.ASKED_POSTCODE, L.MATCHED), (A.SYSTEM,)),
    (L.ASKED_POSTCODE, (L.MATCHED,), (A.SYSTEM,)),
    (L.LOST, (L.ASKED_POSTCODE, L.MATCHED), (A.SYSTEM,)),
    # A request created through the booking link (the client), also after the week is over.
    (L.MATCHED, (L.BOOKED,), (A.CLIENT,)),
    (L.LOST, (L.BOOKED,), (A.CLIENT,)),
    # No booking within 7 days (the daily expire_leads).
    *((source, (L.LOST,), (A.SYSTEM,)) for source in OPEN_LEADS),
), terminal=frozenset({L.BOOKED}))
"""Leads.status (issue 20, D83): a Messenger prospect from the first message to a booking."""


ALL: tuple[Lifecycle[Any], ...] = (REQUEST, OFFER, AUTHORIZATION, PAYOUT, COMPLETION_PAYMENT, REDEMPTION, EFFECT,
                                   DELIVERY, DISPUTE, TICKET, INSURANCE_CLAIM, LEAD, *STEP_LIFECYCLES)

BY_NAME: Mapping[str, Lifecycle[Any]] = {lifecycle.noun: lifecycle for lifecycle in ALL}
