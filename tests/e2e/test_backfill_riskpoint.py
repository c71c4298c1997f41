"""End to end: a tracker goes dark, its car is parked at a pawn shop, and the 0x0704
blind-zone backfill that follows reveals the visit: a retrospective risk-point dwell alarm,
through the real server process, real TCP and the REST API."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assetwatch.registry.provisioning import apply_file
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from tests.e2e.conftest import FLEET
from tests.e2e.server import Server, start_server, wait_for
from tests.e2e.test_platform import OUT_OF_LOT, fix, terminal

pytestmark = pytest.mark.integration
PAWN_SHOP = (22.5600, 114.0800)
CATALOGUE = (
    "key,name,category,lat,lon,radius_m\n"
    f"SZ-PAWN-9,某典当行,pawn_shop,{PAWN_SHOP[0]},{PAWN_SHOP[1]},150\n"
)


@pytest.fixture
def quick_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """The e2e fleet, with stays of 5 s and a dwell threshold of 15 s so the test is quick."""
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    apply_file(engine, FLEET)
    engine.dispose()
    monkeypatch.setenv("ASSETWATCH_STAY_MIN_DURATION_S", "5")
    monkeypatch.setenv("ASSETWATCH_RISK_POINT_DWELL_S", "15")
    server = start_server(tmp_path)
    server.tenant = "e2e-bank"
    yield server
    assert server.stop() == 0, "".join(server.output or [])


async def test_a_backfill_reveals_a_pawn_shop_visit(quick_server: Server) -> None:
    server = quick_server
    headers = {**server.headers, "Content-Type": "text/csv"}
    url = f"{server.api}/api/v1/risk-points/import"
    imported = httpx.post(url, content=CATALOGUE, headers=headers, timeout=10)
    assert imported.status_code == 200, imported.text
    car = await terminal(server, 5)  # reports every second, so a late backfill is late
    car.report(fix(OUT_OF_LOT, 60))
    assert await car.drain(10)
    car.go_silent()  # a jammer, a car park underground: the tracker records, cannot send
    for ago in range(55, 24, -5):  # 30 s parked at the pawn shop
        car.report(fix(PAWN_SHOP, ago, speed_kmh=0.0))  # parked
    car.report(fix(OUT_OF_LOT, 15))
    car.resume()  # the recorded positions go out as 0x0704 backfill
    car.report(fix(OUT_OF_LOT, 0))
    assert await car.drain(15)
    assert car.metrics.backfilled == 8

    def dwell() -> list[dict[str, object]]:
        return server.get("/api/v1/alarms", type="risk_point_dwell")

    [alarm] = await asyncio.to_thread(wait_for, dwell, 20)
    assert alarm["asset"] == "LSVAU2180N2183298" and alarm["subject"] == "SZ-PAWN-9"
    assert alarm["retrospective"] is True and alarm["severity"] == "high"
    await car.stop()
