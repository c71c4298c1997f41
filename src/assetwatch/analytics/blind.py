"""Blind periods and jammer suspicion, from one asset's live fixes in time order.

A GPS jammer (a 20-dollar cigarette-lighter device) blinds the tracker's GNSS receiver; a
tracker wrapped in foil or pulled out loses the network too. Either way the lender sees a
hole in the data. :class:`BlindDetector` raises:

- ``blind_period``: a silence of at least ``min_gap_s`` that began while the asset was
  moving (last speed ≥ ``moving_kmh``) and ended at least ``far_m`` away. Silences of a
  parked car that wakes up where it slept are normal (sleep mode) and raise nothing.
- ``repeated_blind_area``: the ``repeat_count``-th blind period starting within
  ``repeat_radius_m`` of earlier ones in ``repeat_window_days`` days: someone goes dark in
  the same place again and again (a chop shop, a border crossing).
- ``gnss_denied``: a run of at least ``denied_s`` seconds in which the tracker kept reporting
  but only cell (or no) positions: its network works, its GNSS does not — the signature of a
  jammer. One event per run, when the run reaches the threshold.

The state is small and JSON-serialisable (the last fix, the current denied run, and the
starts of recent blind periods, at most ``MAX_RECENT``), so the processor keeps it per asset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assetwatch.analytics.model import Fix
from assetwatch.geo.distance import haversine_m
from assetwatch.rules.events import RuleEvent

MAX_RECENT = 20
DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class BlindParams:
    min_gap_s: float = 600.0
    moving_kmh: float = 10.0
    far_m: float = 2000.0
    repeat_radius_m: float = 500.0
    repeat_count: int = 3
    repeat_window_days: float = 30.0
    denied_s: float = 1800.0


class BlindDetector:
    def __init__(self, params: BlindParams, state: dict[str, Any] | None = None) -> None:
        self.params = params
        state = state or {}
        self.last: list[Any] | None = state.get("last")  # [time_ms, lat, lon, speed, source]
        self.denied_since: int | None = state.get("denied_since")
        self.denied_reported: bool = bool(state.get("denied_reported", False))
        self.recent: list[list[float]] = list(state.get("recent", []))  # [time_ms, lat, lon]

    def state(self) -> dict[str, Any]:
        return {
            "last": self.last,
            "denied_since": self.denied_since,
            "denied_reported": self.denied_reported,
            "recent": self.recent,
        }

    def add(self, fix: Fix) -> list[RuleEvent]:
        """Events found with this fix (fixes must come in time order; older ones are ignored)."""
        if self.last is not None and fix.time_ms <= self.last[0]:
            return []
        events = self._gap(fix) if self.last is not None else []
        events += self._denied(fix)
        self.last = [fix.time_ms, fix.lat, fix.lon, fix.speed_kmh, fix.source]
        return events

    def _gap(self, fix: Fix) -> list[RuleEvent]:
        assert self.last is not None
        last_ms, lat, lon, speed, _ = self.last
        gap_s = (fix.time_ms - last_ms) / 1000
        p = self.params
        if gap_s < p.min_gap_s or (speed or 0.0) < p.moving_kmh:
            return []
        moved = haversine_m(lat, lon, fix.lat, fix.lon)
        if moved < p.far_m:
            return []
        details = {
            "from": {"lat": lat, "lon": lon, "time_ms": last_ms},
            "to": {"lat": fix.lat, "lon": fix.lon, "time_ms": fix.time_ms},
            "gap_s": round(gap_s), "distance_m": round(moved), "speed_before_kmh": speed,
        }  # fmt: skip
        events = [RuleEvent("blind_period", last_ms, f"gap@{last_ms}", True, False, details)]
        repeated = self._remember(last_ms, lat, lon)
        if repeated:
            cell = f"{round(lat / 0.005) * 0.005:.3f},{round(lon / 0.005) * 0.005:.3f}"
            events.append(
                RuleEvent("repeated_blind_area", last_ms, cell, True, False,
                          {"lat": lat, "lon": lon, "blind_periods": repeated})
            )  # fmt: skip
        return events

    def _remember(self, time_ms: int, lat: float, lon: float) -> int:
        """Record a blind start; the number of starts nearby in the window when that reaches
        ``repeat_count`` (else 0)."""
        p = self.params
        horizon = time_ms - p.repeat_window_days * DAY_MS
        self.recent = [r for r in self.recent if r[0] >= horizon][-(MAX_RECENT - 1) :]
        self.recent.append([time_ms, lat, lon])
        nearby = sum(
            1 for r in self.recent if haversine_m(r[1], r[2], lat, lon) <= p.repeat_radius_m
        )
        return nearby if nearby >= p.repeat_count else 0

    def _denied(self, fix: Fix) -> list[RuleEvent]:
        if fix.source == "gps":
            self.denied_since, self.denied_reported = None, False
            return []
        if self.denied_since is None:
            self.denied_since, self.denied_reported = fix.time_ms, False
            return []
        lasted_s = (fix.time_ms - self.denied_since) / 1000
        if self.denied_reported or lasted_s < self.params.denied_s:
            return []
        self.denied_reported = True
        details = {"since_ms": self.denied_since, "lasted_s": round(lasted_s),
                   "lat": fix.lat, "lon": fix.lon, "accuracy_m": fix.accuracy_m}  # fmt: skip
        return [RuleEvent("gnss_denied", fix.time_ms, f"since@{self.denied_since}", True, False,
                          details)]  # fmt: skip
