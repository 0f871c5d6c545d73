"""Recording doubles for the paid or emulator-less third-party APIs the local stack and tests stand in for
(no Firebase Auth emulator runs here). Each keeps what it was told so a test or the stack can look."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class RecordingAuthAdmin:
    """Firebase Auth's admin API: `revoke` stands for `revoke_refresh_tokens`."""

    revoked_at: dict[str, dt.datetime] = field(default_factory=dict)

    def sessions_valid_after(self, uid: str) -> dt.datetime | None:
        return self.revoked_at.get(uid)

    def revoke(self, uid: str, at: dt.datetime) -> None:
        self.revoked_at[uid] = at
