"""The periodic abnormal-gathering sweep over live asset positions, one tracker per tenant.

Every ``interval_s`` the processor hands its in-memory live states to
:meth:`GatheringSweep.run`; each tenant's assets (a lender never sees another's) go through
that tenant's :class:`~assetwatch.analytics.gathering_tracker.GatheringTracker`, with their
counterparties and their own premises (allowed places that apply to the counterparty: a
dealer's lot is not a suspicious gathering). A gathering that has lasted ``min_minutes``
becomes one ``gathering`` event (no asset: it is about several) whose details list the
assets by id and by key. The trackers live in memory: after a restart, persistence is
counted again from the first sweep.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from assetwatch.analytics.gathering import GatheringParams, LivePositions
from assetwatch.analytics.gathering_tracker import GatheringTracker
from assetwatch.analytics.premises import PremisesIndex
from assetwatch.pipeline.batch import Found
from assetwatch.pipeline.directory import DeviceDirectory
from assetwatch.pipeline.state import AssetState
from assetwatch.rules.geofence import FenceIndex


class GatheringSweep:
    def __init__(self, directory: DeviceDirectory, params: GatheringParams | None = None):
        self.directory = directory
        self.params = params or GatheringParams()
        self.trackers: dict[int, GatheringTracker] = {}

    def run(self, states: Iterable[AssetState], fences: FenceIndex, now_ms: int) -> list[Found]:
        by_tenant: dict[int, list[AssetState]] = {}
        for state in states:
            if state.lat is not None and state.lon is not None and state.time_ms is not None:
                by_tenant.setdefault(state.tenant_id, []).append(state)
        premises = PremisesIndex.from_fences(fences.fences)
        found: list[Found] = []
        for tenant_id, tenant_states in by_tenant.items():
            if len(tenant_states) < self.params.k:
                continue
            found += self._tenant(tenant_id, tenant_states, premises, now_ms)
        return found

    def _tenant(
        self, tenant_id: int, states: list[AssetState], premises: PremisesIndex, now_ms: int
    ) -> list[Found]:
        counterparty = self.directory.asset_counterparty
        positions = LivePositions(
            asset_id=np.array([s.asset_id for s in states]),
            counterparty_id=np.array([counterparty.get(s.asset_id) or -1 for s in states]),
            lat=np.array([s.lat for s in states]),
            lon=np.array([s.lon for s in states]),
            time_ms=np.array([s.time_ms for s in states]),
        )
        tracker = self.trackers.setdefault(tenant_id, GatheringTracker(self.params))
        if tracker.last_sweep_ms is not None and now_ms <= tracker.last_sweep_ms:
            return []
        mask = premises.contains(positions.counterparty_id, positions.lat, positions.lon)
        outcome = tracker.sweep(positions, now_ms=now_ms, at_own_premises=mask)
        found = []
        for event in outcome.events:
            event.details["asset_keys"] = self._keys(event.details.get("assets", []))
            found.append(Found(tenant_id, None, None, event))
        return found

    def _keys(self, asset_ids: list[Any]) -> list[str | None]:
        return [self.directory.asset_keys.get(int(a)) for a in asset_ids]
