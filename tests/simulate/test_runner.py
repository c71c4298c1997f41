"""run_fleet and run_load against the in-test platform (real sockets, sub-second runs)."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, timedelta

import pytest

from assetwatch.protocols import jt808
from assetwatch.simulate import SimulationEvent, run_fleet, run_load
from assetwatch.simulate.jt808_client import TerminalSettings
from assetwatch.simulate.load import SHENZHEN, load_phone, wandering_track
from assetwatch.simulate.routes import LatLon, distance_m, offset
from assetwatch.simulate.scenario import (
    ALARM_MAIN_POWER_CUT,
    Incident,
    IncidentKind,
    Scenario,
    parked,
    power_cut,
    roaming,
)
from tests.simulate.conftest import FakePlatform

pytestmark = pytest.mark.integration

LOT = LatLon(22.5431, 114.0579)
QUICK = TerminalSettings(ack_timeout_s=0.5, reconnect_min_s=0.01, reconnect_max_s=0.05)


def tiny_scenario() -> Scenario:
    """Two cars reporting every 0.1 s: one loses power, one goes silent and comes back."""
    stock = parked("013900000101", "LSVAU2182R6681536", at=LOT, seed=1, interval_s=0.1)
    driver = roaming(
        "013900000102", "LFV2A21K8RJ461593", centre=offset(LOT, north_m=900), radius_m=400,
        seed=2, interval_s=0.1,
    )  # fmt: skip
    incidents = (
        power_cut(stock.device, at_s=0.2, duration_s=0.3),
        Incident(0.25, IncidentKind.GO_SILENT, driver.device, expect="offline"),
        Incident(0.65, IncidentKind.BACKFILL, driver.device),
    )
    return Scenario((stock, driver), incidents, name="tiny")


def local_now() -> datetime:
    return (datetime.now(UTC) + timedelta(hours=8)).replace(tzinfo=None, microsecond=0)


def reports_of(platform: FakePlatform, phone: str) -> list[jt808.Message]:
    return [m for m in platform.messages if m.header.phone == phone]


async def test_run_fleet_plays_the_incidents(platform: FakePlatform) -> None:
    events: list[SimulationEvent] = []
    began = local_now()
    stats = await run_fleet(
        "127.0.0.1", platform.port, tiny_scenario(), duration_s=1.0, on_event=events.append,
        settings=QUICK,
    )  # fmt: skip
    ended = local_now() + timedelta(seconds=1)

    assert stats.vehicles == 2 and len(stats.incidents) == 3
    assert stats.sent == stats.acked > 0 and stats.retransmitted == 0
    assert [e.detail.split(":")[0] for e in events if e.kind == "incident"] == [
        "power_cut",
        "go_silent",
        "backfill",
    ]
    stock = [m.body for m in reports_of(platform, "013900000101")]
    flags = [b.alarm_flags for b in stock if isinstance(b, jt808.LocationReport)]
    assert flags[0] == 0 and ALARM_MAIN_POWER_CUT in flags and flags[-1] == 0

    driver = reports_of(platform, "013900000102")
    kinds = [m.header.msg_id for m in driver]
    assert jt808.BATCH_LOCATION in kinds
    first_batch = kinds.index(jt808.BATCH_LOCATION)
    assert jt808.LOCATION in kinds[:first_batch] and jt808.LOCATION in kinds[first_batch:]
    batches = [m.body for m in driver if isinstance(m.body, jt808.BatchUpload)]
    assert all(b.batch_type == jt808.BATCH_BACKFILL for b in batches)
    assert sum(b.count for b in batches) >= 2
    times = [r.time_local for b in batches for r in b.items]
    assert times == sorted(times) and all(t is not None and began <= t <= ended for t in times)
    assert stats.per_device["013900000102"].backfilled == sum(b.count for b in batches)


async def test_run_fleet_stops_on_request(platform: FakePlatform) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.3, stop.set)
    vehicles = tiny_scenario().vehicles  # plain vehicles, no incidents
    stats = await run_fleet("127.0.0.1", platform.port, vehicles, stop=stop, settings=QUICK)
    assert stats.acked > 0 and stats.incidents == []
    assert not platform._writers or await _closed(platform)


async def _closed(platform: FakePlatform) -> bool:
    await platform.wait_for(lambda: not platform._writers)
    return True


async def test_run_load_blasts_pipelined_reports(platform: FakePlatform) -> None:
    stats = await run_load(
        "127.0.0.1", platform.port, devices=3, reports_per_device=40, pipeline_depth=8
    )
    assert (stats.connected, stats.failed, stats.refused) == (3, 0, 0)
    assert stats.sent == stats.acked == 120
    assert stats.positions_per_s > 0 and stats.latency_ms(0.99) >= stats.latency_ms(0.5) > 0
    phones = {m.header.phone for m in platform.of(jt808.LOCATION)}
    assert phones == {load_phone(i) for i in range(3)}
    for report in platform.locations():
        assert distance_m(SHENZHEN, LatLon(report.lat, report.lon)) <= 10_000 + 50


def test_wandering_track_spreads_over_the_area() -> None:
    end = datetime(2026, 3, 1, tzinfo=UTC)
    track = wandering_track(1, 600, centre=SHENZHEN, radius_m=2_000, end=end)
    assert track[-1].time == end and track[0].time == end - timedelta(seconds=599)
    steps = [distance_m(a.position, b.position) for a, b in zip(track, track[1:], strict=False)]
    assert all(s == pytest.approx(40 / 3.6, rel=1e-3) for s in steps)
    assert all(distance_m(SHENZHEN, f.position) <= 2_000 + 12 for f in track)
    others = wandering_track(2, 600, centre=SHENZHEN, radius_m=2_000, end=end)
    assert math.dist((track[0].lat, track[0].lon), (others[0].lat, others[0].lon)) > 0
