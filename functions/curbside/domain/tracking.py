"""Technician location reports: which fixes are believable, and which are worth a write.

Location writes are most of the Firestore bill (a technician's phone reports every few seconds all day), so a
fix is stored only when it changes something: the technician moved far enough to matter for ranking
(`min_move_m`), or the stored fix is about to go stale (`refresh_after`, shorter than `max_age` so that one
lost report does not make a technician vanish from dispatch). While a job is en route or arrived, the fix
also goes to that job's live map at the spec's 10-second cadence (section 4), whatever the throttle says.
Intervals forgive `jitter` of their length: a phone timer firing every 10 s delivers some reports after
9.9 s, and refusing those would halve the cadence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from curbside.domain.enums import RequestStatus
from curbside.domain.errors import InvalidInput
from curbside.domain.geo import haversine_m

ACTIVE_JOB_STATUSES = frozenset({RequestStatus.ACCEPTED, RequestStatus.EN_ROUTE, RequestStatus.ARRIVED,
                                 RequestStatus.IN_PROGRESS})
"""A job in these states occupies its technician (`DispatcherLocation.active_jobs`)."""

LIVE_TRACKING_STATUSES = frozenset({RequestStatus.EN_ROUTE, RequestStatus.ARRIVED})
"""The client sees the technician on a live map while the job is in these states (spec section 4)."""


@dataclass(frozen=True)
class LocationFix:
    """One position report from a technician's phone."""

    lat: float
    lng: float
    accuracy_m: float | None
    recorded_at: dt.datetime
    mock: bool = False
    """The phone said the position comes from a mock-location provider (Android's `isMock`)."""


@dataclass(frozen=True)
class LocationPolicy:
    """How fixes are judged (`Settings.location` holds the deployment's values)."""

    max_age: dt.timedelta = dt.timedelta(minutes=10)
    """A fix older than this is refused, and a technician whose last fix is older is not a candidate."""
    refresh_after: dt.timedelta = dt.timedelta(minutes=4)
    """A stationary technician's fix is rewritten after this long, to stay fresh."""
    min_move_m: float = 500.0
    """A move at least this far is written at once."""
    live_interval: dt.timedelta = dt.timedelta(seconds=10)
    """Cadence of the live map while a job is en route or arrived."""
    max_accuracy_m: float = 500.0
    """Fixes less precise than this are not used (a cell-tower guess is no position to dispatch from)."""
    future_skew: dt.timedelta = dt.timedelta(seconds=30)
    """How far ahead of the server's clock a phone's clock may run."""
    max_speed_kmh: float = 300.0
    """Faster than this between two fixes is no drive: a spoofed or broken position (a helicopter is slower)."""
    identical_decimals: int = 6
    """A later fix repeating the stored one to the last digit, both coordinates given to at least this many
    decimals (about 10 cm), is a replayed or mocked position: a real receiver's fixes always wander a little."""
    jitter: float = 0.1

    def __post_init__(self) -> None:
        if not dt.timedelta(0) < self.refresh_after < self.max_age:
            raise ValueError("refresh_after must be positive and shorter than max_age, or idle technicians go stale")
        if self.live_interval <= dt.timedelta(0) or self.min_move_m <= 0 or self.max_accuracy_m <= 0:
            raise ValueError("intervals and distances must be positive")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter is a fraction of an interval")

    def elapsed(self, since: dt.datetime | None, fix: LocationFix, interval: dt.timedelta) -> bool:
        """Whether `fix` comes at least `interval` (less the jitter allowance) after `since`."""
        return since is None or fix.recorded_at - since >= interval * (1 - self.jitter)

    def usable(self, fix: LocationFix) -> bool:
        return fix.accuracy_m is None or fix.accuracy_m <= self.max_accuracy_m


class ImplausibleFix(InvalidInput):
    """A fix no honest phone sends (from the future, or a jump no road allows): refused, and a `fake_gps` fraud
    signal (`services.locations`)."""


def check_fix(fix: LocationFix, now: dt.datetime, policy: LocationPolicy) -> None:
    """Refuse a fix whose time cannot be right (from the future beyond clock skew, or already stale), or that
    the phone itself calls mocked."""
    if fix.mock:
        raise ImplausibleFix("is_mock: the position comes from a mock-location app; turn it off to share your "
                             "real position.")
    if fix.recorded_at > now + policy.future_skew:
        raise ImplausibleFix("recorded_at: is in the future; check the phone's clock.")
    if fix.recorded_at < now - policy.max_age:
        raise InvalidInput(f"recorded_at: is older than {int(policy.max_age.total_seconds())} seconds; "
                           "send the current position.")


def check_plausible(stored_at: dt.datetime | None, stored: tuple[float, float] | None, fix: LocationFix,
                    policy: LocationPolicy) -> None:
    """Refuse a fix that implies moving faster than any road allows since the stored one (both fixes' accuracy
    forgiven), so a spoofed jump across the country is never stored; or that repeats the stored one to the last
    of many digits."""
    if stored_at is None or stored is None or fix.recorded_at <= stored_at or not policy.usable(fix):
        return
    if (fix.lat, fix.lng) == stored and min(_decimals(fix.lat), _decimals(fix.lng)) >= policy.identical_decimals:
        raise ImplausibleFix("lat, lng: the same position to the last digit as a report made earlier is not a "
                             "live reading; check the phone's location settings.")
    moved_m = haversine_m(stored[0], stored[1], fix.lat, fix.lng) - (fix.accuracy_m or 0.0) - policy.max_accuracy_m
    seconds = (fix.recorded_at - stored_at).total_seconds()
    if moved_m > policy.max_speed_kmh / 3.6 * seconds:
        raise ImplausibleFix(f"lat, lng: {moved_m / 1000:.0f} km from your last position {seconds:.0f} s earlier is "
                           "not a drive; check the phone's location settings.")


def _decimals(value: float) -> int:
    """How many decimals a coordinate was given with (its shortest round-trip form)."""
    text = repr(abs(value))
    return 0 if "e" in text or "." not in text else len(text.split(".")[1].rstrip("0"))


def position_write_due(stored_at: dt.datetime | None, stored: tuple[float, float] | None, fix: LocationFix,
                       policy: LocationPolicy) -> bool:
    """Whether a fix should replace the stored one (`stored` position, taken at `stored_at`)."""
    if not policy.usable(fix):
        return False
    if stored_at is None or stored is None:
        return True
    if fix.recorded_at <= stored_at:
        return False  # a late or repeated report never moves a technician back in time
    if haversine_m(stored[0], stored[1], fix.lat, fix.lng) >= policy.min_move_m:
        return True
    return policy.elapsed(stored_at, fix, policy.refresh_after)


def live_update_due(shown_at: dt.datetime | None, fix: LocationFix, policy: LocationPolicy) -> bool:
    """Whether a fix should go to the client's live map, last updated with a fix taken at `shown_at`."""
    if not policy.usable(fix) or (shown_at is not None and fix.recorded_at <= shown_at):
        return False
    return policy.elapsed(shown_at, fix, policy.live_interval)
