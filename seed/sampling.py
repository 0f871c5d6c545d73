"""Small deterministic draws shared by the seed's builders; every one takes the world's `random.Random`."""

from __future__ import annotations

import math
import random
import string
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TypeVar

T = TypeVar("T")


def apportion(options: Sequence[tuple[T, float]], count: int, rng: random.Random) -> list[T]:
    """`count` values in the given shares (largest remainder), shuffled: every seed gets the same mix, so the
    world's make-up (how many platinum clients, how many rejected technicians) does not drift with the seed,
    only who is who."""
    total = sum(weight for _, weight in options)
    raw = [weight * count / total for _, weight in options]
    quotas = [math.floor(share) for share in raw]
    by_remainder = sorted(range(len(options)), key=lambda i: raw[i] - quotas[i], reverse=True)
    for i in by_remainder[: count - sum(quotas)]:
        quotas[i] += 1
    values = [value for (value, _), quota in zip(options, quotas, strict=True) for _ in range(quota)]
    rng.shuffle(values)
    return values


def plate(pattern: str, rng: random.Random) -> str:
    """A number plate in a state's pattern (L letter, D digit, anything else kept)."""
    draw = {"L": string.ascii_uppercase, "D": string.digits}
    return "".join(rng.choice(draw[c]) if c in draw else c for c in pattern)


def minutes(rng: random.Random, low: float, high: float) -> timedelta:
    """A duration drawn uniformly between `low` and `high` minutes, whole seconds (tidy timestamps)."""
    return timedelta(seconds=round(rng.uniform(low * 60, high * 60)))


def days_before(anchor: datetime, rng: random.Random, low: float, high: float) -> datetime:
    """An instant `low`..`high` days before `anchor`, whole seconds."""
    return anchor - timedelta(seconds=round(rng.uniform(low * 86_400, high * 86_400)))
