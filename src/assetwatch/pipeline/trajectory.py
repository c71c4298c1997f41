"""Trajectory rules in the processor: stays and trips, risk-point dwell, blind periods.

For every asset with live fixes in a batch, its stay detector and blind detector are rebuilt
from the asset's persisted state (``AssetState.stays`` / ``.blind``), fed the batch's fixes
in time order, and their state written back to the batch's copy of the asset state. A batch
whose commit fails therefore leaves nothing behind, as for every other rule. Closed stays
and trips become rows; the blind detector's events and risk-point dwells become events.
A stay still open is checked against the risk points at every batch, so a car parked at a
pawn shop raises its alarm once the dwell threshold is passed, not when it leaves (the
alarm layer keeps one open alarm per asset and risk point).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from assetwatch.analytics.blind import BlindDetector, BlindParams
from assetwatch.analytics.model import Fix, Stay, StayParams, Trip, fix_source
from assetwatch.analytics.stays import StayDetector
from assetwatch.model.observation import Observation
from assetwatch.pipeline.batch import Batch, Found, LiveFix
from assetwatch.riskpoints.dwell import dwell_events, open_dwell_events
from assetwatch.riskpoints.index import RiskPointIndex
from assetwatch.rules.events import RuleEvent

DEFAULT_DWELL_S = 1800.0
"""Risk-point dwell threshold until monitoring profiles (issue 7) set it per profile."""


def as_fix(obs: Observation) -> Fix:
    assert obs.lat is not None and obs.lon is not None
    source = fix_source(obs.fix_source.value)
    return Fix(obs.time_ms, obs.lat, obs.lon, obs.accuracy_m, obs.speed_kmh, source)


@dataclass
class TrajectoryOutput:
    stays: list[tuple[int, int, Stay]] = field(default_factory=list)  # (tenant, asset, stay)
    trips: list[tuple[int, int, Trip]] = field(default_factory=list)


@dataclass
class TrajectoryRules:
    stay_params: StayParams = field(default_factory=StayParams)
    blind_params: BlindParams = field(default_factory=BlindParams)
    risk_points: RiskPointIndex | None = None
    dwell_s: float = DEFAULT_DWELL_S

    def dwell(
        self, tenant_id: int, stay: Stay, *, ongoing: bool, already: AbstractSet[str] = frozenset(),
        retrospective: bool = False,
    ) -> list[RuleEvent]:  # fmt: skip
        """Risk-point dwell events of a stay (closed, or still going on)."""
        if self.risk_points is None or not len(self.risk_points):
            return []
        rule = open_dwell_events if ongoing else dwell_events
        return rule(stay, self.risk_points, self.dwell_s, tenant_id=tenant_id, already=already,
                    retrospective=retrospective)  # fmt: skip

    def run(self, batch: Batch) -> TrajectoryOutput:
        out = TrajectoryOutput()
        for asset_id, fixes in _by_asset(batch.live).items():
            first = fixes[0]
            tenant_id, device_id = first.device.tenant_id, first.device.id
            state = batch.asset_state(asset_id, tenant_id)
            stays = (
                StayDetector.from_state(state.stays, self.stay_params)
                if state.stays
                else (StayDetector(self.stay_params))
            )
            blind = BlindDetector(self.blind_params, state.blind)
            dwelt = _Dwelt.load(state.dwell)
            for live in fixes:
                fix = as_fix(live.obs)
                for segment in stays.add(fix):
                    if isinstance(segment, Trip):
                        out.trips.append((tenant_id, asset_id, segment))
                        continue
                    out.stays.append((tenant_id, asset_id, segment))
                    events = self.dwell(tenant_id, segment, ongoing=False,
                                        already=dwelt.keys_for(segment))  # fmt: skip
                    batch.found.extend(Found(tenant_id, asset_id, device_id, e) for e in events)
                for event in blind.add(fix):
                    batch.found.append(Found(tenant_id, asset_id, device_id, event))
            open_stay = stays.open_stay()
            if open_stay is not None:
                events = self.dwell(tenant_id, open_stay, ongoing=True,
                                    already=dwelt.keys_for(open_stay))  # fmt: skip
                batch.found.extend(Found(tenant_id, asset_id, device_id, e) for e in events)
                dwelt.add(open_stay, {e.subject for e in events})
            state.stays, state.blind, state.dwell = stays.state(), blind.state(), dwelt.dump()
        return out


@dataclass
class _Dwelt:
    """The risk points already alarmed for the asset's current stay (keyed by its start)."""

    stay_start_ms: int | None = None
    keys: frozenset[str] = frozenset()

    @classmethod
    def load(cls, raw: dict[str, Any] | None) -> _Dwelt:
        if not raw:
            return cls()
        return cls(raw.get("stay_start_ms"), frozenset(raw.get("keys", ())))

    def keys_for(self, stay: Stay) -> frozenset[str]:
        return self.keys if stay.start_ms == self.stay_start_ms else frozenset()

    def add(self, stay: Stay, keys: set[str]) -> None:
        self.keys = self.keys_for(stay) | keys
        self.stay_start_ms = stay.start_ms

    def dump(self) -> dict[str, Any] | None:
        if self.stay_start_ms is None:
            return None
        return {"stay_start_ms": self.stay_start_ms, "keys": sorted(self.keys)}


def _by_asset(live: Iterable[LiveFix]) -> dict[int, list[LiveFix]]:
    """Positioned live fixes per asset, in device-time order."""
    grouped: dict[int, list[LiveFix]] = {}
    for fix in live:
        if fix.obs.has_position:
            grouped.setdefault(fix.asset_id, []).append(fix)
    for fixes in grouped.values():
        fixes.sort(key=lambda f: f.obs.time_ms)
    return grouped
