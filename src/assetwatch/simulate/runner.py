"""Run a scenario against a platform in real time, or blast it with load.

:func:`run_fleet` connects one :class:`~assetwatch.simulate.jt808_client.Jt808Terminal` per
vehicle and reports each vehicle's fix at its report times. Device times are the wall clock
("now"); positions recorded during a silence keep the time they were recorded at, so the
backfill carries past times. Incidents are applied to the terminals on the timeline.

:func:`run_load` is the benchmark client (see :mod:`assetwatch.simulate.load`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from assetwatch.simulate.events import EventCallback, SimulationEvent
from assetwatch.simulate.jt808_client import Jt808Terminal, TerminalMetrics, TerminalSettings
from assetwatch.simulate.jt808_link import TerminalIdentity
from assetwatch.simulate.load import LoadStats, run_load
from assetwatch.simulate.scenario import Incident, IncidentKind, Scenario, VehiclePlan

log = logging.getLogger(__name__)

__all__ = ["LoadStats", "SimulationStats", "run_fleet", "run_load"]


@dataclass(slots=True)
class SimulationStats:
    """What a fleet run did. ``per_device`` holds each terminal's counters."""

    duration_s: float = 0.0
    vehicles: int = 0
    incidents: list[str] = field(default_factory=list)
    per_device: dict[str, TerminalMetrics] = field(default_factory=dict)

    def total(self, counter: str) -> int:
        """Sum of one :class:`TerminalMetrics` counter over all terminals."""
        return sum(int(getattr(m, counter)) for m in self.per_device.values())

    @property
    def sent(self) -> int:
        return self.total("sent")

    @property
    def acked(self) -> int:
        return self.total("acked")

    @property
    def retransmitted(self) -> int:
        return self.total("retransmitted")


class _Clock:
    """Seconds since the run started (monotonic) and the matching wall-clock time."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.restart()

    def restart(self) -> None:
        self._t0 = self._loop.time()
        self.started = datetime.now(UTC)

    def __call__(self) -> float:
        return self._loop.time() - self._t0

    def wall(self, t: float) -> datetime:
        return self.started + timedelta(seconds=t)


async def run_fleet(
    host: str,
    port: int,
    scenario: Scenario | Sequence[VehiclePlan],
    *,
    duration_s: float | None = None,
    stop: asyncio.Event | None = None,
    on_event: EventCallback | None = None,
    settings: TerminalSettings | None = None,
    drain_s: float = 5.0,
) -> SimulationStats:
    """Play ``scenario`` (or just vehicles) against the JT/T 808 server at ``host:port``.

    The clock starts once every terminal is online (or failed to connect within its connect
    time-out). Runs until ``duration_s`` seconds have passed or ``stop`` is set (forever if
    neither); then waits up to ``drain_s`` seconds for outstanding acks and disconnects.
    """
    if not isinstance(scenario, Scenario):
        scenario = Scenario(tuple(scenario))  # vehicles without incidents
    settings = settings or TerminalSettings()
    clock = _Clock()
    stop = stop or asyncio.Event()
    terminals = {
        plan.device: Jt808Terminal(
            TerminalIdentity(plan.device, vehicle_id=plan.vin),
            host,
            port,
            settings=settings,
            on_event=on_event,
            clock=clock,
        )
        for plan in scenario.vehicles
    }
    stats = SimulationStats(vehicles=len(terminals))
    for terminal in terminals.values():
        terminal.start()
    await asyncio.gather(*(t.wait_online(settings.connect_timeout_s) for t in terminals.values()))
    clock.restart()
    tasks = [
        asyncio.create_task(_drive(plan, scenario, terminals[plan.device], clock, stop))
        for plan in scenario.vehicles
    ]
    tasks.append(
        asyncio.create_task(_play_incidents(scenario, terminals, clock, stats, on_event, stop))
    )
    try:
        await _wait_for_end(stop, duration_s)
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await _shut_down(terminals, drain_s)
    stats.duration_s = clock()
    stats.per_device = {device: t.metrics for device, t in terminals.items()}
    return stats


async def _wait_for_end(stop: asyncio.Event, duration_s: float | None) -> None:
    if duration_s is None:
        await stop.wait()
        return
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(duration_s):
            await stop.wait()


async def _shut_down(terminals: dict[str, Jt808Terminal], drain_s: float) -> None:
    online = [t for t in terminals.values() if not t.silent]
    await asyncio.gather(*(t.drain(drain_s) for t in online))
    await asyncio.gather(*(t.stop() for t in terminals.values()))


async def _sleep_until(t: float, clock: _Clock, wake: asyncio.Event) -> None:
    """Sleep until ``t`` on the run's clock, or until ``wake`` is set."""
    delay = t - clock()
    if delay <= 0:
        return
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(delay):
            await wake.wait()


async def _drive(
    plan: VehiclePlan,
    scenario: Scenario,
    terminal: Jt808Terminal,
    clock: _Clock,
    stop: asyncio.Event,
) -> None:
    """Record the vehicle's fix at each of its report times (wall-clock device time)."""
    for t in scenario.report_times(plan.device):
        while not stop.is_set() and clock() < t:
            await _sleep_until(t, clock, stop)
        if stop.is_set():
            return
        fix = replace(plan.vehicle.fix_at(t), time=clock.wall(t))
        terminal.report(fix, alarm_flags=scenario.alarm_flags_at(plan.device, t))


async def _play_incidents(
    scenario: Scenario,
    terminals: dict[str, Jt808Terminal],
    clock: _Clock,
    stats: SimulationStats,
    on_event: EventCallback | None,
    stop: asyncio.Event,
) -> None:
    for incident in scenario.timeline():
        while not stop.is_set() and clock() < incident.at_s:
            await _sleep_until(incident.at_s, clock, stop)
        if stop.is_set():
            return
        _apply(incident, terminals[incident.device])
        stats.incidents.append(f"{incident.at_s:g}s {incident.device} {incident.kind}")
        if on_event is not None:
            detail = str(incident.kind) + (f": expect {incident.expect}" if incident.expect else "")
            on_event(SimulationEvent(clock(), incident.device, "incident", detail))
        log.info("incident %s on %s (expect %s)", incident.kind, incident.device, incident.expect)


def _apply(incident: Incident, terminal: Jt808Terminal) -> None:
    if incident.kind is IncidentKind.GO_SILENT:
        terminal.go_silent()
    elif incident.kind is IncidentKind.BACKFILL:
        terminal.resume()
