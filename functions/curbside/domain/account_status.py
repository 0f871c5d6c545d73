"""An account's status (spec section 15, "Shadow Banning"; issue 15) as a lifecycle table, and what each status
means for the person — one place that every effect of an account action reads.

| status          | callables and rules | offered work | their requests offered | signs in | told |
|-----------------|---------------------|--------------|------------------------|----------|------|
| `active`        | yes                 | yes          | yes                    | yes      | —    |
| `shadow_banned` | yes (must not tell) | no           | no (they time out)     | yes      | no   |
| `suspended`     | refused             | no           | no                     | yes      | yes  |
| `banned`        | refused             | no           | no                     | disabled | yes  |

Leaving `suspended` or `banned` revokes the person's sessions (refresh tokens), so a token from before the
action stops working at once where sessions are checked, not when it expires.
"""

from __future__ import annotations

from dataclasses import dataclass

from curbside.domain.enums import AccountStatus
from curbside.domain.lifecycle import Actor, Lifecycle, moves
from curbside.domain.texts import Text, t

Ac = AccountStatus

ACCOUNT = Lifecycle("account", "account_status", AccountStatus, moves(
    (Ac.ACTIVE, (Ac.SHADOW_BANNED, Ac.SUSPENDED, Ac.BANNED), (Actor.ADMIN,)),
    (Ac.SHADOW_BANNED, (Ac.ACTIVE, Ac.SUSPENDED, Ac.BANNED), (Actor.ADMIN,)),
    (Ac.SUSPENDED, (Ac.ACTIVE, Ac.BANNED), (Actor.ADMIN,)),
    # A ban is lifted only to active (an appeal upheld): never softened into a quieter sanction unseen.
    (Ac.BANNED, (Ac.ACTIVE,), (Actor.ADMIN,)),
))
"""Users/{uid}/private/data.account_status: only admins move it (a console edit is applied whatever the move,
and recorded as made in the console)."""


@dataclass(frozen=True)
class Standing:
    """What a status allows (the table of the module docstring)."""

    uses_the_app: bool
    """Callables answer and the rules let them read their own documents."""
    offered_work: bool
    """A technician may be offered jobs and see the feed (still only when verified, online...)."""
    requests_dispatched: bool
    """Their requests are offered to technicians."""
    signs_in: bool
    """The Firebase Auth account is enabled."""


STANDING: dict[AccountStatus, Standing] = {
    Ac.ACTIVE: Standing(uses_the_app=True, offered_work=True, requests_dispatched=True, signs_in=True),
    Ac.SHADOW_BANNED: Standing(uses_the_app=True, offered_work=False, requests_dispatched=False, signs_in=True),
    Ac.SUSPENDED: Standing(uses_the_app=False, offered_work=False, requests_dispatched=False, signs_in=True),
    Ac.BANNED: Standing(uses_the_app=False, offered_work=False, requests_dispatched=False, signs_in=False),
}

BLOCKED = frozenset(status for status, standing in STANDING.items() if not standing.uses_the_app)


def blocked_message(status: AccountStatus) -> str:
    """What a suspended or banned person reads from every callable."""
    return f"Your account is {status.value}; contact support if you think this is a mistake."


@dataclass(frozen=True)
class Change:
    """The effects of moving an account from `before` to `after`."""

    before: AccountStatus
    after: AccountStatus

    @property
    def leaves_dispatch(self) -> bool:
        """Pending offers to them are withdrawn (their index entry follows by itself, D16)."""
        return STANDING[self.before].offered_work and not STANDING[self.after].offered_work

    @property
    def revokes_sessions(self) -> bool:
        """Entering suspended or banned ends every session (refresh tokens revoked)."""
        return self.after in BLOCKED

    @property
    def auth_changes(self) -> bool:
        """The Auth account must be disabled or enabled again, or its sessions revoked."""
        return self.revokes_sessions or STANDING[self.before].signs_in != STANDING[self.after].signs_in

    def notice(self) -> tuple[Text, Text] | None:
        """What the person is told (title, body); None for a shadow ban or its lifting, which they must not see."""
        if Ac.SHADOW_BANNED in (self.before, self.after) and not {self.before, self.after} & BLOCKED:
            return None
        if self.after is Ac.SUSPENDED:
            return (t("Your account is suspended"),
                    t("You cannot use Curbside while your account is suspended; contact support to find out why "
                      "and what to do."))
        if self.after is Ac.BANNED:
            return (t("Your account is closed"),
                    t("Your account was banned for breaking the terms of use; contact support if you think this "
                      "is a mistake."))
        if self.after is Ac.ACTIVE:
            return t("Your account is active again"), t("You can use Curbside again. Thank you for your patience.")
        return None
