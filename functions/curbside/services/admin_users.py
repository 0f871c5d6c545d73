"""The console's user details (issue 18): one person's account, latest jobs, the reviews they received and what
admins did to their account; and two account actions — a password reset (a Firebase link e-mailed to the person
through the outbox, never shown to the admin) and deletion (`delete_my_account`'s path, admin-initiated). Both
are audited (D102)."""

from __future__ import annotations

from html import escape
from typing import Any

from curbside.deps import Deps
from curbside.domain.documents import OutboxEntry
from curbside.domain.enums import UserType
from curbside.domain.errors import NotFound, WrongState
from curbside.domain.texts import render, t
from curbside.services import privacy, work
from curbside.services.outbox import Handler
from curbside.services.verification_review import require_admin
from curbside.store import queries
from curbside.store.collections import Collection
from curbside.store.uow import UnitOfWork

SHOWN = 20
"""Jobs, reviews and audit entries shown on the details (the lists have their own screens)."""
RESET_PASSWORD = "reset_password"
"""The audit trail's name for the action, and the outbox's for the e-mail."""
NO_USER = "user_id: there is no such user."


def details(deps: Deps, *, is_admin: bool, user_id: str) -> dict[str, Any]:
    """The person, their latest jobs (as client or technician), the reviews they received and the audit
    entries about them, newest first: at most 1 + 1 + 3 x 20 reads."""
    require_admin(is_admin)

    def look(uow: UnitOfWork) -> dict[str, Any]:
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound(NO_USER)
        private = uow.user_private.get_or_default(user_id)
        technician = user.user_type is UserType.DISPATCHER
        jobs = (uow.requests.find(queries.JOBS_OF_TECHNICIAN, dispatcher_id=user_id, limit=SHOWN) if technician
                else uow.requests.find(queries.JOBS_OF_CLIENT, client_id=user_id, limit=SHOWN))
        reviews = (uow.reviews.find(queries.REVIEWS_OF_TECHNICIAN, reviewee_id=user_id, limit=SHOWN) if technician
                   else uow.client_reviews.find(queries.REVIEWS_OF_CLIENT, reviewee_id=user_id, limit=SHOWN))
        activity = uow.audit.find(queries.AUDIT_BY_TARGET, target_id=user_id, limit=SHOWN)
        return {
            "user_id": user.id, "full_name": user.full_name or user.display_name, "email": user.email,
            "phone_number": user.phone_number, "user_type": user.user_type, "role": user.role,
            "created_date": user.created_date, "account_status": private.account_status,
            "account_status_reason": private.account_status_reason, "deleted_at": private.deleted_at,
            "jobs": [{"request_id": job.id, "status": job.status, "final_price": job.final_price,
                      "location_address": job.location_address, "created_date": job.created_date} for job in jobs],
            "reviews": [{"request_id": review.request_id, "reviewer_id": review.reviewer_id, "rating": review.rating,
                         "comment": review.comment, "applied": review.applied, "created_date": review.created_date}
                        for review in reviews],
            "activity": [{"entry_id": entry.id, "actor_id": entry.actor_id, "action": entry.action,
                          "before": entry.before, "after": entry.after, "reason": entry.reason,
                          "created_date": entry.created_date} for entry in activity],
        }

    return work.reading(deps, look)


def reset_password(deps: Deps, *, admin_uid: str, is_admin: bool, user_id: str, reason: str) -> dict[str, Any]:
    """E-mail the person a password-reset link (made by Firebase Auth in the outbox handler, after the commit
    that records the request), so the admin never holds a way into the account."""
    require_admin(is_admin)

    def decide(uow: UnitOfWork) -> dict[str, Any]:
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound(NO_USER)
        if not user.email:
            raise WrongState("This account has no e-mail address to send a reset link to (it signs in by phone).")
        if uow.user_private.get_or_default(user_id).deleted_at is not None:
            raise WrongState("This account was deleted.")
        entry = uow.audit.record(actor_id=admin_uid, action=RESET_PASSWORD, target=Collection.USERS,
                                 target_id=user_id, before={}, after={"reset_link_sent_to": user.email},
                                 reason=reason)
        uow.outbox.add(RESET_PASSWORD, entry.id, uid=user_id, email=user.email, locale=user.locale)
        return {"user_id": user_id, "sent_to": user.email}

    return work.transaction(deps, decide)


def _send_reset_link(deps: Deps, entry: OutboxEntry) -> None:
    """Make the link and e-mail it; the entry's id is the message id, so a retried send is the same message."""
    email, locale = str(entry.payload["email"]), entry.payload.get("locale")
    link = deps.auth.password_reset_link(email)
    started, unexpected = render(RESET_STARTED, locale), render(RESET_UNEXPECTED, locale)
    text = f"{started}\n\n{render(RESET_HERE, locale)}\n{link}\n\n{unexpected}"
    html = (f"<p>{escape(started)}</p><p><a href=\"{escape(link)}\">{escape(render(RESET_LINK, locale))}</a> "
            f"{escape(render(RESET_ONCE, locale))}</p><p>{escape(unexpected)}</p>")
    deps.email.send(to=email, subject=render(RESET_SUBJECT, locale), text=text, html=html, message_id=entry.id)


RESET_SUBJECT = t("Reset your Curbside password")
RESET_STARTED = t("An administrator of Curbside started a password reset for your account.")
RESET_HERE = t("Set a new password here (the link works once, for a short time):")
RESET_LINK = t("Set a new password")
RESET_ONCE = t("(the link works once, for a short time).")
RESET_UNEXPECTED = t("If you did not expect this, contact support.")


HANDLERS: dict[str, Handler] = {RESET_PASSWORD: _send_reset_link}


def delete_account(deps: Deps, *, admin_uid: str, is_admin: bool, user_id: str, reason: str) -> dict[str, Any]:
    """`delete_my_account` for someone else: refused the same way while a job, a dispute or money binds them;
    the erasure follows through the outbox; audited in the marking commit."""
    require_admin(is_admin)
    deleted = privacy.delete_my_account(deps, user_id, privacy.DeletedByAdmin(admin_uid, reason))
    return {"user_id": user_id, "deleted_at": deleted.deleted_at}
