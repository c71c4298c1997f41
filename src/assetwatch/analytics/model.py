"""The vocabulary of trajectory analytics, shared by every detector.

Times are epoch milliseconds (UTC); coordinates are WGS-84 degrees; distances metres;
speeds km/h. A :class:`Fix` is what a detector needs of an observation; it is built from the
``observations`` table or from an :class:`~assetwatch.model.Observation` in the processor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FixSource = Literal["gps", "cell", "wifi", "none"]
_SOURCES: dict[str, FixSource] = {
    "gps": "gps", "cell": "cell", "wifi": "wifi", "ble": "wifi", "none": "none"
}  # fmt: skip


def fix_source(name: str | None) -> FixSource:
    """An observation's fix source in the analytics vocabulary (BLE positions count as
    Wi-Fi: local, metres-accurate); unknown or missing means GNSS."""
    return _SOURCES.get(name or "gps", "gps")


@dataclass(frozen=True, slots=True)
class Fix:
    time_ms: int
    lat: float
    lon: float
    accuracy_m: float | None = None  # None: a GNSS fix of unknown accuracy (~10 m)
    speed_kmh: float | None = None  # as the device reported it, if it did
    source: FixSource = "gps"


@dataclass(frozen=True, slots=True)
class Stay:
    """The asset stayed within ``radius_m`` of (lat, lon) from ``start_ms`` to ``end_ms``."""

    start_ms: int
    end_ms: int
    lat: float  # centroid
    lon: float
    radius_m: float  # the largest distance of a member fix from the centroid
    points: int

    @property
    def duration_s(self) -> float:
        return (self.end_ms - self.start_ms) / 1000


@dataclass(frozen=True, slots=True)
class Trip:
    """Movement between two stays (either may be unknown at the ends of the data)."""

    start_ms: int
    end_ms: int
    distance_m: float  # along the fixes
    max_speed_kmh: float
    avg_speed_kmh: float  # distance / duration
    points: int
    from_stay_start_ms: int | None = None  # start of the stay it left, if known
    to_stay_start_ms: int | None = None  # start of the stay it reached, if known

    @property
    def duration_s(self) -> float:
        return (self.end_ms - self.start_ms) / 1000


@dataclass(frozen=True, slots=True)
class StayParams:
    """``radius_m``: how far fixes of one stay may spread from its centroid; ``min_duration_s``:
    the shortest stop that counts as a stay; ``max_gap_s``: a longer silence ends a stay
    unless the asset reappears within ``radius_m`` (then the stay spans the gap);
    ``coarse_accuracy_m``: a fix whose accuracy is worse than this (and every ``cell`` fix) is
    coarse: it can keep a stay alive but never starts, moves or ends one;
    ``moving_speed_kmh``: a step between fixes faster than this (or a reported speed above it)
    is movement, so a stay neither starts nor ends on it: the approach and the departure
    inside ``radius_m`` belong to the trips (``math.inf`` turns this off)."""

    radius_m: float = 100.0
    min_duration_s: float = 300.0
    max_gap_s: float = 3600.0
    coarse_accuracy_m: float = 200.0
    moving_speed_kmh: float = 5.0
