"""The processor: consumes a bus partition in batches and commits each in one transaction.

For each batch it resolves the binding valid at each observation's time, classifies live vs
late, runs the rules, writes observations, state, events and alarms in one transaction, and
only then settles the acks so gateways answer the devices. Late data is stored and re-checked
retrospectively; it never moves live state and never fires live alarms.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from assetwatch.alarms import service as alarm_service
from assetwatch.alarms.service import RaisedAlarm
from assetwatch.analytics.gathering import GatheringParams
from assetwatch.analytics.model import StayParams
from assetwatch.cells.catalogue import CellCatalogue
from assetwatch.notify.outbox import Outbox
from assetwatch.observability import Metrics
from assetwatch.pipeline import writer
from assetwatch.pipeline.batch import Batch, Found
from assetwatch.pipeline.bus import Bus, Envelope
from assetwatch.pipeline.directory import DeviceDirectory
from assetwatch.pipeline.gathering_sweep import GatheringSweep
from assetwatch.pipeline.positioning import CellPositioning
from assetwatch.pipeline.recorder import record
from assetwatch.pipeline.replay import REPLAY_WINDOW_MS, stored_untimed
from assetwatch.pipeline.resident_sweep import ResidentSweepSettings, resident_signals
from assetwatch.pipeline.retro import not_found_live, recheck_window
from assetwatch.pipeline.state import AssetState, DeviceState
from assetwatch.pipeline.trajectory import DEFAULT_DWELL_S, TrajectoryOutput, TrajectoryRules
from assetwatch.pipeline.trajectory_store import (
    insert_segments,
    recompute_window,
    stay_row,
    trip_row,
)
from assetwatch.places.fences import load_fences
from assetwatch.riskpoints.index import load_index as load_risk_index
from assetwatch.rules import offline
from assetwatch.rules.geofence import FenceIndex
from assetwatch.storage.schema import asset_state, device_state

log = logging.getLogger(__name__)

GEOFENCE_KINDS = frozenset({"allowed", "forbidden", "watch"})

Publish = Callable[[dict[str, Any]], None]


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class ProcessorSettings:
    batch_max: int = 5000
    batch_wait_s: float = 0.05
    late_after_s: float = 120.0
    fence_refresh_s: float = 10.0
    offline_sweep_s: float = 1.0
    auto_resolve: frozenset[str] = frozenset({"offline", "geofence_exit"})
    stays: StayParams = field(default_factory=StayParams)
    risk_point_dwell_s: float = DEFAULT_DWELL_S
    gathering: GatheringParams = field(default_factory=GatheringParams)
    gathering_sweep_s: float = 60.0
    resident: ResidentSweepSettings = field(default_factory=ResidentSweepSettings)
    resident_sweep_s: float = 86_400.0


@dataclass
class Outcome:
    alarms: list[RaisedAlarm] = field(default_factory=list)
    positions: list[dict[str, Any]] = field(default_factory=list)
    queued: int = 0  # outbox rows written


class Processor:
    """Single writer for one partition (embedded mode uses one partition)."""

    def __init__(
        self,
        engine: Engine,
        bus: Bus,
        directory: DeviceDirectory,
        metrics: Metrics,
        publish: Publish,
        settings: ProcessorSettings | None = None,
        clock: Callable[[], int] = now_ms,
        listening: Callable[[], bool] = lambda: True,
        outbox: Outbox | None = None,
        on_outbox: Callable[[], None] = lambda: None,
    ):
        self.engine, self.bus, self.directory = engine, bus, directory
        self.metrics, self.publish = metrics, publish
        self.listening = listening  # is anyone subscribed to live positions?
        self.settings = settings or ProcessorSettings()
        self.clock = clock
        self.outbox, self.on_outbox = outbox, on_outbox
        self.trajectory = TrajectoryRules(
            stay_params=self.settings.stays, dwell_s=self.settings.risk_point_dwell_s
        )
        self.gatherings = GatheringSweep(directory, self.settings.gathering)
        self.fences = self._load_fence_index()
        self._fences_at = time.monotonic()
        self.positioning = CellPositioning(CellCatalogue(engine))
        self.device_states: dict[int, DeviceState] = {}
        self.asset_states: dict[int, AssetState] = {}
        self._load_states()

    def _load_states(self) -> None:
        with self.engine.connect() as conn:
            for row in conn.execute(select(device_state)):
                self.device_states[row.device_id] = DeviceState.from_row(row)
            for row in conn.execute(select(asset_state)):
                self.asset_states[row.asset_id] = AssetState.from_row(row)

    async def run(self, partition: int = 0, stop: asyncio.Event | None = None) -> None:
        """Consume until ``stop`` is set; a failing batch is logged and its acks withheld."""
        last_sweep = last_gathering = 0.0
        last_resident = time.monotonic()  # the first resident sweep a day after start
        while stop is None or not stop.is_set():
            envelopes = await self.bus.next_batch(
                partition, self.settings.batch_max, self.settings.batch_wait_s
            )
            self.metrics.bus_pending.set(self.bus.pending)
            if envelopes:
                await self._handle(envelopes)
            if time.monotonic() - last_sweep >= self.settings.offline_sweep_s:
                last_sweep = time.monotonic()
                await self._guarded(self.sweep_offline)
            if time.monotonic() - last_gathering >= self.settings.gathering_sweep_s:
                last_gathering = time.monotonic()
                await self._guarded(self.sweep_gathering)
            if time.monotonic() - last_resident >= self.settings.resident_sweep_s:
                last_resident = time.monotonic()
                await self._guarded(self.sweep_resident)

    async def _handle(self, envelopes: list[Envelope]) -> None:
        ok = await self._guarded(self.process, [e.obs for e in envelopes])
        for envelope in envelopes:
            if envelope.ack is not None:
                envelope.ack.settle(ok)

    async def _guarded(self, fn: Callable[..., Outcome], *args: Any) -> bool:
        try:
            outcome = await asyncio.to_thread(fn, *args)
        except Exception:
            self.metrics.batch_failures.inc()
            log.exception("processor batch failed; its data stays un-acked for retransmission")
            return False
        self._announce(outcome)
        return True

    def _announce(self, outcome: Outcome) -> None:
        if outcome.queued:
            self.on_outbox()
        for position in outcome.positions:
            self.publish(position)
        for alarm in outcome.alarms:
            if alarm.new:
                self.metrics.alarms.labels(alarm.type).inc()
            self.publish(
                {
                    "type": "alarm",
                    "id": alarm.id,
                    "alarm_type": alarm.type,
                    "asset": self.directory.asset_keys.get(alarm.asset_id or -1),
                    "subject": alarm.subject,
                    "new": alarm.new,
                    "count": alarm.count,
                    "retrospective": alarm.retrospective,
                    "time_ms": alarm.time_ms,
                    "tenant_id": alarm.tenant_id,
                }
            )

    def _refresh_fences(self) -> None:
        if time.monotonic() - self._fences_at > self.settings.fence_refresh_s:
            self.reload_fences()

    def _load_fence_index(self) -> FenceIndex:
        """Geofences, and the risk points of the trajectory rules, from the places table."""
        with self.engine.connect() as conn:
            self.trajectory.risk_points = load_risk_index(conn)
            return FenceIndex(f for f in load_fences(conn) if f.kind in GEOFENCE_KINDS)

    def reload_fences(self) -> None:
        self.trajectory = TrajectoryRules(
            stay_params=self.settings.stays, dwell_s=self.settings.risk_point_dwell_s
        )
        self.fences = self._load_fence_index()
        self._fences_at = time.monotonic()

    def process(self, batch_obs: list[Any]) -> Outcome:
        """Process and commit one batch (runs in a worker thread)."""
        started = time.perf_counter()
        self.directory.maybe_reload()
        self._refresh_fences()
        now = self.clock()
        batch = Batch(
            now, int(self.settings.late_after_s * 1000), self.device_states, self.asset_states
        )
        batch.replayed = self._stored_untimed(batch_obs, now)
        for obs in self.positioning.apply(batch_obs):
            device = self.directory.get(obs.protocol, obs.device_key)
            if device is None:
                device = self.directory.quarantine(obs.protocol, obs.device_key, now)
            batch.add(obs, device)
        batch.run_geofences(self.fences, self.directory)
        segments = self.trajectory.run(batch)
        outcome, stored = self._commit(batch, segments)
        self.device_states.update(batch.changed_devices)
        self.asset_states.update(batch.changed_assets)
        self.metrics.commit_seconds.observe(time.perf_counter() - started)
        again = len(batch.rows) - stored  # copies of committed reports: late ones, not stored
        self.metrics.duplicates.inc(batch.duplicates + again)
        self.metrics.observations.labels("late").inc(max(0, batch.late_count - again))
        self.metrics.observations.labels("live").inc(len(batch.rows) - batch.late_count)
        if self.listening():
            outcome.positions = [
                self._position_message(f) for f in batch.live if f.obs.has_position
            ]
        return outcome

    def _stored_untimed(self, batch_obs: list[Any], now: int) -> set[tuple[int, int]]:
        """``(device_id, idem)`` of the batch's untimed reports that are already stored."""
        wanted = []
        for obs in batch_obs:
            device = self.directory.get(obs.protocol, obs.device_key) if obs.untimed else None
            if device is not None:
                wanted.append((device.id, obs.idem))
        if not wanted:
            return set()
        with self.engine.connect() as conn:
            return stored_untimed(conn, wanted, since_ms=now - REPLAY_WINDOW_MS)

    def _commit(self, batch: Batch, segments: TrajectoryOutput) -> tuple[Outcome, int]:
        """Write the batch in one transaction; the outcome and how many rows were new."""
        outcome = Outcome()
        with self.engine.begin() as conn:
            stored = writer.insert_observations(conn, batch.rows)
            insert_segments(
                conn,
                [stay_row(t, a, s, batch.now_ms, False) for t, a, s in segments.stays],
                [trip_row(t, a, s, batch.now_ms, False) for t, a, s in segments.trips],
            )
            batch.found.extend(not_found_live(self._recheck_late(conn, batch), batch.found))
            if "offline" in self.settings.auto_resolve:
                for tenant_id, device_key in batch.resolve_offline:
                    alarm_service.auto_resolve(
                        conn,
                        tenant_id=tenant_id,
                        alarm_type="offline",
                        subject=device_key,
                        now_ms=batch.now_ms,
                        why="device reported again",
                    )
            outcome.alarms, outcome.queued = self._record(conn, batch.found, batch.now_ms)
            writer.save_device_states(conn, batch.changed_devices.values())
            writer.save_asset_states(conn, batch.changed_assets.values())
        return outcome, stored

    def _recheck_late(self, conn: Any, batch: Batch) -> list[Found]:
        """Retrospective findings in the windows the batch's late data filled."""
        found: list[Found] = []
        for asset_id, (start, end) in batch.late_windows.items():
            tenant_id = self._tenant_of_asset(batch, asset_id)
            found += recompute_window(
                conn, tenant_id=tenant_id, asset_id=asset_id,
                device_id=self._device_of_window(batch, asset_id), start_ms=start,
                end_ms=end, rules=self.trajectory, now_ms=batch.now_ms,
            )  # fmt: skip
            found += recheck_window(
                conn, index=self.fences, tenant_id=tenant_id, asset_id=asset_id,
                counterparty_id=self.directory.asset_counterparty.get(asset_id),
                device_key=self._device_key, start_ms=start, end_ms=end,
            )  # fmt: skip
        return found

    def _device_key(self, device_id: int) -> str:
        device = self.directory.by_id(device_id)
        return device.key if device is not None else str(device_id)

    @staticmethod
    def _device_of_window(batch: Batch, asset_id: int) -> int:
        """The device whose late rows filled an asset's window (for the events it yields)."""
        return next(int(row[1]) for row in batch.rows if row[2] == asset_id)

    def _tenant_of_asset(self, batch: Batch, asset_id: int) -> int:
        state = batch.asset_states.get(asset_id)
        if state is not None:
            return state.tenant_id
        for row in batch.rows:
            if row[2] == asset_id:
                return int(row[0])
        raise LookupError(asset_id)

    def _record(self, conn: Any, found: list[Found], now: int) -> tuple[list[RaisedAlarm], int]:
        """Events, alarms, auto-resolutions and outbox rows of one commit."""
        return record(
            conn, found, now, outbox=self.outbox, metrics=self.metrics,
            auto_resolve=self.settings.auto_resolve,
        )  # fmt: skip

    def sweep_offline(self) -> Outcome:
        """Raise ``offline`` for every device past its deadline (runs in a worker thread)."""
        now = self.clock()
        due = [
            s
            for s in self.device_states.values()
            if s.online and s.next_expected_ms is not None and s.next_expected_ms < now
        ]
        if not due:
            return Outcome()
        found, changed = [], {}
        for state in due:
            # every due device is marked offline (so it is not scanned again), but only
            # provisioned ones raise an alarm: quarantined devices raise nothing
            changed[state.device_id] = dataclasses.replace(state, online=False)
            device = self.directory.by_id(state.device_id)
            if device is None or device.quarantined or state.last_server_ms is None:
                continue
            event = offline.offline_event(
                device_key=device.key, last_report_ms=state.last_server_ms, now_ms=now
            )
            found.append(Found(device.tenant_id, device.asset_at(now), device.id, event))
        outcome = Outcome()
        with self.engine.begin() as conn:
            outcome.alarms, outcome.queued = self._record(conn, found, now)
            writer.save_device_states(conn, changed.values())
        self.device_states.update(changed)
        return outcome

    def sweep_gathering(self) -> Outcome:
        """Abnormal gatherings over the live positions (runs in a worker thread)."""
        now = self.clock()
        return self._commit_found(
            self.gatherings.run(list(self.asset_states.values()), self.fences, now), now
        )

    def sweep_resident(self) -> Outcome:
        """Resident-place signals of every asset (daily; runs in a worker thread)."""
        now = self.clock()
        return self._commit_found(resident_signals(self.engine, now, self.settings.resident), now)

    def _commit_found(self, found: list[Found], now: int) -> Outcome:
        """Record what a sweep found in its own transaction."""
        outcome = Outcome()
        if found:
            with self.engine.begin() as conn:
                outcome.alarms, outcome.queued = self._record(conn, found, now)
        return outcome

    def _position_message(self, fix: Any) -> dict[str, Any]:
        obs = fix.obs
        return {
            "type": "position",
            "asset": self.directory.asset_keys.get(fix.asset_id),
            "device": obs.device_key,
            "time_ms": obs.time_ms,
            "lat": obs.lat,
            "lon": obs.lon,
            "speed_kmh": obs.speed_kmh,
            "course": obs.course,
            "fix_source": obs.fix_source.value,
            "accuracy_m": obs.accuracy_m,
            "tenant_id": fix.device.tenant_id,
        }
