"""End to end: the real server process, simulated terminals over real TCP, the REST API.

Five cars each produce one incident: leaving the lot, entering the forbidden zone, a main
power cut, going silent, and a blind-zone backfill that reveals a forbidden-zone visit made
while the tracker was offline. Every alarm must appear through the API with the right flags,
and every position a terminal sent must have been acknowledged.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import websockets

from assetwatch.simulate.jt808_client import Jt808Terminal, TerminalSettings
from assetwatch.simulate.jt808_link import TerminalIdentity
from assetwatch.simulate.vehicle import Fix
from tests.e2e.server import Server, wait_for

IN_LOT = (22.5431, 114.0579)
OUT_OF_LOT = (22.5500, 114.0500)
IN_PAWN = (22.5450, 114.0650)
POWER_CUT_BIT = 1 << 8
pytestmark = pytest.mark.integration


def fix(where: tuple[float, float], seconds_ago: float, speed_kmh: float = 32.5) -> Fix:
    return Fix(
        lat=where[0],
        lon=where[1],
        speed_kmh=speed_kmh,
        course=90.0,
        ignition=True,
        mileage_km=1234.5,
        time=datetime.now(UTC) - timedelta(seconds=seconds_ago),
    )


async def terminal(server: Server, n: int) -> Jt808Terminal:
    t = Jt808Terminal(
        TerminalIdentity(f"01390000000{n}"),
        "127.0.0.1",
        server.jt808_port,
        settings=TerminalSettings(ack_timeout_s=5.0),
    )
    t.start()
    assert await t.wait_online(10), f"terminal {n} did not register and authenticate"
    return t


async def drive_incidents(server: Server) -> list[Jt808Terminal]:
    leaving, entering, cut, silent, backfill = [await terminal(server, n) for n in range(1, 6)]
    leaving.report(fix(IN_LOT, 20))
    leaving.report(fix(OUT_OF_LOT, 10))
    entering.report(fix(OUT_OF_LOT, 20))
    entering.report(fix(IN_PAWN, 10))
    cut.report(fix(OUT_OF_LOT, 5), alarm_flags=POWER_CUT_BIT)
    silent.report(fix(OUT_OF_LOT, 1))
    backfill.report(fix(OUT_OF_LOT, 30))
    assert await backfill.drain(10)
    backfill.go_silent()
    for where, ago in ((IN_PAWN, 25), (IN_PAWN, 20), (OUT_OF_LOT, 15)):
        backfill.report(fix(where, ago))
    backfill.resume()
    backfill.report(fix(OUT_OF_LOT, 0))
    terminals = [leaving, entering, cut, silent, backfill]
    for t in terminals:
        assert await t.drain(15), f"{t.phone} still has un-acked positions"
    await silent.stop()
    return terminals


async def collect_stream(server: Server, sink: list[dict[str, Any]], ready: asyncio.Event) -> None:
    url = f"ws://127.0.0.1:{server.api_port}/api/v1/stream?tenant=e2e-bank"
    async with websockets.connect(url) as ws:
        ready.set()
        async for raw in ws:
            sink.append(json.loads(raw))


def alarm_keys(server: Server) -> set[tuple[str, str, str, bool]]:
    return {
        (a["type"], a["asset"], a["subject"], a["retrospective"])
        for a in server.get("/api/v1/alarms", limit=100)
    }


EXPECTED = {
    ("geofence_exit", "LSVAU2180N2183294", "dealer-001-lot", False),
    ("geofence_enter", "LSVAU2180N2183295", "pawn-zone", False),
    ("power_cut", "LSVAU2180N2183296", "013900000003", False),
    ("offline", "LSVAU2180N2183297", "013900000004", False),
    ("geofence_enter", "LSVAU2180N2183298", "pawn-zone", True),
}


async def test_every_incident_becomes_an_alarm_through_the_api(server: Server) -> None:
    streamed: list[dict[str, Any]] = []
    ready = asyncio.Event()
    listener = asyncio.create_task(collect_stream(server, streamed, ready))
    await asyncio.wait_for(ready.wait(), 10)
    terminals = await drive_incidents(server)
    found = await asyncio.to_thread(wait_for, lambda: EXPECTED <= alarm_keys(server) or None, 30)
    assert found
    assert alarm_keys(server) == EXPECTED  # and nothing else: no live alarm from late data
    sent = sum(t.metrics.sent for t in terminals)
    assert sum(t.metrics.acked for t in terminals) == sent > 0
    assert terminals[4].metrics.backfilled == 3
    for t in terminals:
        await t.stop()
    await asyncio.sleep(0.3)
    listener.cancel()
    streamed_alarms = {
        (m["alarm_type"], m["asset"], m["retrospective"]) for m in streamed if m["type"] == "alarm"
    }
    assert {(t, a, r) for t, a, _, r in EXPECTED} <= streamed_alarms
    assert any(m["type"] == "position" and m["asset"] == "LSVAU2180N2183294" for m in streamed)


async def test_track_live_and_alarm_lifecycle(server: Server) -> None:
    terminals = await drive_incidents(server)
    for t in terminals:
        await t.stop()
    track = server.get("/api/v1/assets/LSVAU2180N2183298/track")
    assert [p["late"] for p in track] == [False, True, True, True, False]
    assert [round(p["lat"], 4) for p in track] == [22.55, 22.545, 22.545, 22.55, 22.55]
    assert all(p["speed_kmh"] == 32.5 and p["device"] == "013900000005" for p in track)
    live = {row["asset"]: row for row in server.get("/api/v1/live")}
    assert round(live["LSVAU2180N2183298"]["lat"], 4) == 22.55  # backfill never moved it
    alarm = next(a for a in server.get("/api/v1/alarms", type="power_cut"))
    assert alarm["status"] == "open" and alarm["opened_at"].endswith("Z")
    acked = server.post(f"/api/v1/alarms/{alarm['id']}/ack", {"note": "calling the dealer"})
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    again = server.post(f"/api/v1/alarms/{alarm['id']}/ack")
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    resolved = server.post(f"/api/v1/alarms/{alarm['id']}/resolve", {"note": "car found"})
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["note"] == "calling the dealer\ncar found"
    missing = server.post("/api/v1/alarms/999999/ack")
    assert missing.status_code == 404


def test_cli_reads_the_same_data(server: Server) -> None:
    asyncio.run(_drive_and_stop(server))
    wait_for(
        lambda: any(a["type"] == "power_cut" for a in server.get("/api/v1/alarms")) or None, 30
    )
    base = [sys.executable, "-m", "assetwatch"]
    where = ["--data-dir", str(server.data_dir), "--tenant", "e2e-bank"]
    listed = subprocess.run(
        [*base, "alarms", "list", *where, "--type", "power_cut", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["type"], r["asset"], r["status"]) for r in rows] == [
        ("power_cut", "LSVAU2180N2183296", "open")
    ]
    acked = subprocess.run(
        [*base, "alarms", "ack", str(rows[0]["id"]), *where, "--note", "ok"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "acknowledged" in acked.stdout
    assert server.get(f"/api/v1/alarms/{rows[0]['id']}")["status"] == "acknowledged"
    geojson = subprocess.run(
        [*base, "track", "LSVAU2180N2183294", *where, "--format", "geojson"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    features = json.loads(geojson.stdout)["features"]
    assert features[0]["geometry"]["type"] == "LineString" and len(features) == 3
    as_csv = subprocess.run(
        [*base, "track", "LSVAU2180N2183298", *where, "--format", "csv"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["late"] for r in rows] == ["False", "True", "True", "True", "False"]
    assert rows[0]["device"] == "013900000005" and rows[0]["time"].endswith("Z")
    unknown = subprocess.run(
        [*base, "track", "NOPE", *where], capture_output=True, text=True, timeout=60
    )
    assert unknown.returncode == 1 and "does not exist" in unknown.stderr


async def _drive_and_stop(server: Server) -> None:
    for t in await drive_incidents(server):
        await t.stop()


def test_health_metrics_and_openapi(server: Server) -> None:
    assert server.get("/healthz")["status"] == "ok"
    paths = server.get("/openapi.json")["paths"]
    for path in (
        "/api/v1/assets",
        "/api/v1/devices",
        "/api/v1/places",
        "/api/v1/live",
        "/api/v1/alarms",
        "/api/v1/assets/{key}/track",
        "/api/v1/alarms/{alarm_id}/ack",
    ):
        assert path in paths
    import httpx

    missing = httpx.get(f"{server.api}/api/v1/nowhere", timeout=10)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["title"] == "Not Found"
    metrics = httpx.get(f"{server.api}/metrics", timeout=10).text
    assert "assetwatch_frames_total" in metrics and "assetwatch_commit_seconds" in metrics


async def test_stream_for_an_unknown_tenant_closes_with_4404(server: Server) -> None:
    url = f"ws://127.0.0.1:{server.api_port}/api/v1/stream?tenant=nobody"
    async with websockets.connect(url) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404


async def test_a_zone_drawn_through_the_api_applies_at_once(server: Server) -> None:
    zone = {
        "key": "scrapyard",
        "kind": "forbidden",
        "applies_to": "all",
        "shape": {"circle": {"lat": 22.56, "lon": 114.03, "radius_m": 200}},
    }
    created = server.post("/api/v1/places", zone)
    assert created.status_code == 201, created.text
    car = await terminal(server, 1)
    car.report(fix(OUT_OF_LOT, 2))
    car.report(fix((22.56, 114.03), 1))
    assert await car.drain(10)
    await car.stop()
    alarms = await asyncio.to_thread(
        wait_for, lambda: server.get("/api/v1/alarms", type="geofence_enter") or None, 10
    )
    assert [(a["subject"], a["asset"]) for a in alarms] == [("scrapyard", "LSVAU2180N2183294")]
