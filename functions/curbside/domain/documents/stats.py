"""DailyStats: the admin dashboard's rollups (added, issue 18; D95-D96).

Not in the spec. One document per month and shard, `DailyStats/{YYYY-MM}_{shard}`, holding one map per day of
that month (`days.d07`) of counts named in `domain.daily_stats.FIELDS`. Written only by the unit of work's
derivation (`store.derived.daily_stats`), always by Firestore increments in the commit that changes what is
counted; read by `admin_dashboard`. Admin-only.
"""

from pydantic import Field

from curbside.domain.documents.base import Document


class DailyStats(Document):
    """DailyStats/{month}_{shard}: `days` maps `d01`..`d31` to that day's counts (missing: zero)."""

    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    shard: int = Field(ge=0)
    days: dict[str, dict[str, int]] = Field(default_factory=dict)
