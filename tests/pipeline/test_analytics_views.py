"""Stays, trips and resident places through the API and the CLI, after the processor found
them in a parked-then-driving track."""

from __future__ import annotations

import json
import subprocess
import sys

from fastapi.testclient import TestClient

from assetwatch.api.app import create_app
from assetwatch.live import LiveFeed
from assetwatch.observability import Metrics
from assetwatch.settings import Settings
from tests.pipeline.conftest import IN_LOT, T0, World
from tests.pipeline.test_trajectory import MIN, PAWN_SHOP, _live, _parked


def _drive(world: World) -> None:
    _live(world, T0, IN_LOT, 40.0)
    for n in range(1, 21):
        _live(world, T0 + n * MIN, _parked(n), 0.0)
    for n in range(21, 25):
        _live(world, T0 + n * MIN, (PAWN_SHOP[0] + (n - 20) * 0.014, PAWN_SHOP[1]), 80.0)


def test_stays_trips_and_places_over_the_api(world: World) -> None:
    _drive(world)
    app = create_app(
        world.engine,
        LiveFeed(),
        Metrics(),
        Settings(environment="development", default_tenant="demo-bank"),
    )
    with TestClient(app) as client:
        [stay] = client.get("/api/v1/assets/VIN1/stays").json()
        assert stay["duration_s"] >= 18 * 60 and abs(stay["lat"] - PAWN_SHOP[0]) < 2e-4
        assert stay["retrospective"] is False
        trips = client.get("/api/v1/assets/VIN1/trips").json()
        assert trips and trips[0]["distance_m"] > 1000
        assert client.get("/api/v1/assets/VIN1/stays", params={"to": "1970-01-02"}).json() == []
        report = client.get("/api/v1/assets/VIN1/resident-places", params={"days": 400}).json()
        assert report["stays"] == 1 and report["places"] == []  # one short stay is no place
        assert client.get("/api/v1/assets/NOPE/stays").status_code == 404
        bad = client.get("/api/v1/assets/VIN1/resident-places", params={"tz": "Mars/Olympus"})
        assert bad.status_code == 422


def test_stays_over_the_cli(world: World) -> None:
    _drive(world)
    result = subprocess.run(
        [sys.executable, "-m", "assetwatch", "analytics", "stays", "VIN1", "--json",
         "--database-url", str(world.engine.url)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [stay] = [json.loads(line) for line in result.stdout.splitlines()]
    assert abs(stay["lon"] - PAWN_SHOP[1]) < 2e-4
