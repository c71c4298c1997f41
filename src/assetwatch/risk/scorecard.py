"""A points scorecard: features → binned points → a 0–100 score, a level and reasons.

A credit committee reads a scorecard, not a model: each feature (hours at risk points in 7
days, nights away from home, days overdue…) falls in one bin of a table, the bin gives points,
the points add up from a base, and the sum is clipped to 0–100. The level comes from
thresholds. The reasons are the features that gave the most points, in plain zh-CN or en,
with the value that earned them ("stayed 31 h at risk points in the last 7 days").

A feature with no value (no data yet, e.g. no resident places learned) scores no points and is
listed in ``Score.missing``, so "no data" is never read as "no risk" without saying so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from assetwatch.errors import ValidationError

Level = Literal["low", "medium", "high", "critical"]
LEVELS: Final[tuple[Level, ...]] = ("low", "medium", "high", "critical")
Locale = Literal["zh-CN", "en"]


@dataclass(frozen=True, slots=True)
class Bin:
    """Values below ``below`` (and at or above the previous bin's) give ``points``;
    ``below=None`` is the last, open-ended bin."""

    below: float | None
    points: float


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    bins: tuple[Bin, ...]

    def __post_init__(self) -> None:
        bounds = [b.below for b in self.bins]
        if not bounds or bounds[-1] is not None or None in bounds[:-1]:
            raise ValidationError(f"{self.name}: bins end with one open bin (below: null)")
        finite = [float(b) for b in bounds[:-1] if b is not None]
        if finite != sorted(set(finite)):
            raise ValidationError(f"{self.name}: bin bounds must increase")

    def points(self, value: float) -> float:
        for b in self.bins:
            if b.below is None or value < b.below:
                return b.points
        raise AssertionError("unreachable: the last bin is open")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class Scorecard:
    features: tuple[Feature, ...]
    base: float = 0.0
    medium_from: float = 40.0
    high_from: float = 60.0
    critical_from: float = 80.0
    reasons: int = 3  # how many reasons a score gives at most

    def __post_init__(self) -> None:
        if not 0 < self.medium_from < self.high_from < self.critical_from <= 100:
            raise ValidationError("levels need 0 < medium_from < high_from < critical_from <= 100")
        names = [f.name for f in self.features]
        if len(names) != len(set(names)):
            raise ValidationError("a feature is listed twice in the scorecard")

    def level(self, score: float) -> Level:
        if score >= self.critical_from:
            return "critical"
        if score >= self.high_from:
            return "high"
        return "medium" if score >= self.medium_from else "low"


@dataclass(frozen=True, slots=True)
class Contribution:
    feature: str
    value: float
    points: float


@dataclass(frozen=True, slots=True)
class Score:
    score: float  # 0-100
    level: Level
    contributions: tuple[Contribution, ...]  # by points, largest first
    missing: tuple[str, ...] = ()
    reasons: tuple[Contribution, ...] = field(default=())  # the top positive contributions


def score(card: Scorecard, values: Mapping[str, float | None]) -> Score:
    """Score ``values`` (feature name → value; ``None`` or absent: no data) with ``card``."""
    unknown = sorted(set(values) - {f.name for f in card.features})
    if unknown:
        raise ValidationError(f"features not in the scorecard: {', '.join(unknown)}")
    contributions, missing = [], []
    for feature in card.features:
        value = values.get(feature.name)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            missing.append(feature.name)
            continue
        contributions.append(Contribution(feature.name, float(value), feature.points(value)))
    contributions.sort(key=lambda c: (-c.points, c.feature))
    total = min(100.0, max(0.0, card.base + sum(c.points for c in contributions)))
    reasons = tuple(c for c in contributions if c.points > 0)[: card.reasons]
    return Score(round(total, 1), card.level(total), tuple(contributions), tuple(missing), reasons)


def bins(*pairs: tuple[float | None, float]) -> tuple[Bin, ...]:
    """``bins((1, 0), (24, 10), (None, 25))``: below 1 → 0, below 24 → 10, else 25 points."""
    return tuple(Bin(below, points) for below, points in pairs)


def features(table: Sequence[tuple[str, tuple[Bin, ...]]]) -> tuple[Feature, ...]:
    return tuple(Feature(name, b) for name, b in table)
