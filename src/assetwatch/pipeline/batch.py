"""One processor batch: classify observations, run the live rules, collect what to write.

Nothing here touches the database. States are copied on first change so that a batch whose
commit fails leaves the processor's memory as it was. A report received twice counts once
(:mod:`~assetwatch.pipeline.replay`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from assetwatch.model.observation import Observation, ObservationKind
from assetwatch.pipeline.directory import DeviceDirectory, DeviceInfo
from assetwatch.pipeline.replay import BatchKey, batch_key
from assetwatch.pipeline.state import AssetState, DeviceState
from assetwatch.pipeline.writer import observation_row
from assetwatch.rules import device_alarm, geofence, offline
from assetwatch.rules.events import RuleEvent

FUTURE_TOLERANCE_MS = 300_000
"""A device time more than 5 minutes ahead of the server is not trusted as live."""


@dataclass(slots=True)
class Found:
    """A rule event with who it is about."""

    tenant_id: int
    asset_id: int | None
    device_id: int | None  # None for events about several assets (a gathering)
    event: RuleEvent


@dataclass(slots=True)
class LiveFix:
    obs: Observation
    device: DeviceInfo
    asset_id: int


@dataclass
class Batch:
    now_ms: int
    late_after_ms: int
    device_states: dict[int, DeviceState]
    asset_states: dict[int, AssetState]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    changed_devices: dict[int, DeviceState] = field(default_factory=dict)
    changed_assets: dict[int, AssetState] = field(default_factory=dict)
    live: list[LiveFix] = field(default_factory=list)
    found: list[Found] = field(default_factory=list)
    late_windows: dict[int, list[int]] = field(default_factory=dict)  # asset → [min, max]
    resolve_offline: list[tuple[int, str]] = field(default_factory=list)  # (tenant, device key)
    late_count: int = 0
    replayed: set[tuple[int, int]] = field(default_factory=set)  # stored untimed (device, idem)
    seen: set[BatchKey] = field(default_factory=set)
    duplicates: int = 0  # copies dropped before the rules

    def device_state(self, device: DeviceInfo) -> DeviceState:
        state = self.changed_devices.get(device.id)
        if state is None:
            known = self.device_states.get(device.id)
            state = (
                dataclasses.replace(known)
                if known is not None
                else DeviceState(device_id=device.id, tenant_id=device.tenant_id)
            )
            self.changed_devices[device.id] = state
        return state

    def asset_state(self, asset_id: int, tenant_id: int) -> AssetState:
        state = self.changed_assets.get(asset_id)
        if state is None:
            known = self.asset_states.get(asset_id)
            state = (
                dataclasses.replace(known)
                if known is not None
                else AssetState(asset_id=asset_id, tenant_id=tenant_id)
            )
            self.changed_assets[asset_id] = state
        return state

    def add(self, obs: Observation, device: DeviceInfo) -> None:
        """Classify one observation as live or late and queue its row."""
        state = self.device_state(device)
        self._heard_from(device, state)
        if obs.kind == ObservationKind.HEARTBEAT:
            if obs.attributes and (state.status_ms is None or obs.time_ms >= state.status_ms):
                state.status = {k: v for k, v in obs.attributes.items() if k[:4] != "raw."}
                state.status_ms = obs.time_ms
            return
        if self._received_before(obs, device):
            return
        asset_id = None if device.quarantined else device.asset_at(obs.time_ms)
        late = self._is_late(obs, device, state)
        self.rows.append(observation_row(obs, device.tenant_id, device.id, asset_id, late))
        if late:
            self.late_count += 1
            if asset_id is not None and obs.has_position:
                window = self.late_windows.setdefault(asset_id, [obs.time_ms, obs.time_ms])
                window[0] = min(window[0], obs.time_ms)
                window[1] = max(window[1], obs.time_ms)
            return
        state.last_time_ms = obs.time_ms
        if device.quarantined:
            return
        self._device_alarms(obs, device, state, asset_id)
        if asset_id is not None:
            self.live.append(LiveFix(obs, device, asset_id))

    def _received_before(self, obs: Observation, device: DeviceInfo) -> bool:
        """A second copy in this batch, or an untimed report already stored."""
        key = batch_key(obs, device.id)
        if key in self.seen or (obs.untimed and (device.id, obs.idem) in self.replayed):
            self.duplicates += 1
            return True
        self.seen.add(key)
        return False

    def _is_late(self, obs: Observation, device: DeviceInfo, state: DeviceState) -> bool:
        """Late (stored, never live) when it is not newer than the live state, old on
        arrival, an old item of a batch upload, or from the future: a clock or time-zone
        error must not become the newest live time and turn every correct report late."""
        if state.last_time_ms is not None and obs.time_ms <= state.last_time_ms:
            return True
        age = self.now_ms - obs.time_ms
        if age < -FUTURE_TOLERANCE_MS:
            return True
        if age > self.late_after_ms:
            return True
        return obs.batch and age > device.report_interval_s * 1000

    def _heard_from(self, device: DeviceInfo, state: DeviceState) -> None:
        state.last_server_ms = self.now_ms
        state.next_expected_ms = offline.deadline_ms(
            self.now_ms, device.report_interval_s, device.offline_tolerance
        )
        if not state.online:
            state.online = True
            event = offline.back_online_event(device_key=device.key, now_ms=self.now_ms)
            self.found.append(
                Found(device.tenant_id, device.asset_at(self.now_ms), device.id, event)
            )
            self.resolve_offline.append((device.tenant_id, device.key))

    def _device_alarms(
        self, obs: Observation, device: DeviceInfo, state: DeviceState, asset_id: int | None
    ) -> None:
        if not obs.alarms and not state.active_alarms:
            return
        raw = {k: v for k, v in obs.attributes.items() if k.startswith("raw.alarm")}
        state.active_alarms, events = device_alarm.rising_alarms(
            state.active_alarms, obs.alarms, time_ms=obs.time_ms, device_key=device.key, raw=raw
        )
        self.found.extend(Found(device.tenant_id, asset_id, device.id, e) for e in events)

    def run_geofences(self, index: geofence.FenceIndex, directory: DeviceDirectory) -> None:
        """Live enter/exit for every live fix of the batch, in one bulk spatial query (and a
        second one for the fixes with an accuracy disc)."""
        fixes = [f for f in self.live if f.obs.has_position]
        if not fixes:
            return
        lons, lats = [f.obs.lon for f in fixes], [f.obs.lat for f in fixes]
        hits = index.containing(lons, lats)  # type: ignore[arg-type]
        accuracies = [f.obs.accuracy_m for f in fixes]
        straddled = index.straddled_by(lons, lats, accuracies)  # type: ignore[arg-type]
        for n, (fix, fences) in enumerate(zip(fixes, hits, strict=True)):
            obs, tenant_id = fix.obs, fix.device.tenant_id
            state = self.asset_state(fix.asset_id, tenant_id)
            if state.time_ms is not None and obs.time_ms < state.time_ms:
                continue  # another device of this asset already reported something newer
            counterparty_id = directory.asset_counterparty.get(fix.asset_id)
            inside = index.inside_set(
                fences, tenant_id=tenant_id, asset_id=fix.asset_id, counterparty_id=counterparty_id
            )
            if n in straddled:
                uncertain = index.inside_set(
                    straddled[n],
                    tenant_id=tenant_id,
                    asset_id=fix.asset_id,
                    counterparty_id=counterparty_id,
                )
                inside = geofence.settled_inside(state.inside, inside, uncertain)
            assert obs.lat is not None and obs.lon is not None
            for event in geofence.transitions(
                state.inside,
                inside,
                index,
                time_ms=obs.time_ms,
                lat=obs.lat,
                lon=obs.lon,
                accuracy_m=obs.accuracy_m,
            ):
                self.found.append(Found(tenant_id, fix.asset_id, fix.device.id, event))
            state.inside = inside
            state.device_id, state.time_ms = fix.device.id, obs.time_ms
            state.lat, state.lon = obs.lat, obs.lon
            state.speed_kmh, state.course = obs.speed_kmh, obs.course
