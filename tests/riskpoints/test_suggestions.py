"""Suggested risk points from a stored portfolio: the API and the CLI name the yard where the
defaulted cars stayed, and stop naming it once it is in the catalogue."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from assetwatch.api.app import create_app
from assetwatch.live import LiveFeed
from assetwatch.observability import Metrics
from assetwatch.registry.provisioning import apply_text
from assetwatch.settings import Settings
from assetwatch.storage import schema as s
from assetwatch.storage.clock import now_ms
from assetwatch.storage.engine import migrate, open_engine, sqlite_url

YARD = (22.6811, 114.2210)
HOUR = 3_600_000


def _fleet() -> str:
    lines = ["tenant: hot-bank", "contracts:"]
    lines += [
        f"  - {{key: L{n}, kind: loan, status: {'defaulted' if n < 5 else 'active'}}}"
        for n in range(30)
    ]
    lines.append("assets:")
    lines += [f"  - {{key: CAR{n}, kind: vehicle, contract: L{n}}}" for n in range(30)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    apply_text(engine, _fleet(), "hot.yaml")
    now = now_ms()
    with engine.begin() as conn:
        tenant = conn.scalar(select(s.tenants.c.id).where(s.tenants.c.key == "hot-bank"))
        ids = dict(conn.execute(select(s.assets.c.key, s.assets.c.id)).all())
        rows = []
        for n in range(30):
            home = (22.40 + (n % 6) * 0.03, 113.90 + (n // 6) * 0.04)  # 3-4 km apart
            at = [home] + ([YARD] if n < 4 else [])  # four of the five defaulted cars
            for k, (lat, lon) in enumerate(at):
                start = now - (10 + k) * 24 * HOUR
                rows.append({"tenant_id": tenant, "asset_id": ids[f"CAR{n}"], "start_ms": start,
                             "end_ms": start + 3 * HOUR, "lat": lat + (n % 3) * 1e-4, "lon": lon,
                             "radius_m": 30.0, "points": 40, "created_ms": now})  # fmt: skip
        conn.execute(insert(s.stays), rows)
    yield engine
    engine.dispose()


def test_the_yard_is_suggested_until_it_is_a_risk_point(engine: Engine) -> None:
    app = create_app(
        engine,
        LiveFeed(),
        Metrics(),
        Settings(environment="development", default_tenant="hot-bank"),
    )
    with TestClient(app) as client:
        [spot] = client.get("/api/v1/risk-points/suggestions").json()
        assert abs(spot["lat"] - YARD[0]) < 1e-3 and spot["defaulted_assets"] == 4
        assert spot["other_assets"] == 0 and spot["p_value"] < 1e-3
        assert client.get("/api/v1/risk-points/suggestions", params={"days": 3}).status_code == 422
        body = f"key,category,lat,lon\nYARD-1,scrapyard,{YARD[0]},{YARD[1]}\n"
        imported = client.post("/api/v1/risk-points/import", content=body,
                               headers={"Content-Type": "text/csv"})  # fmt: skip
        assert imported.status_code == 200, imported.text
        assert client.get("/api/v1/risk-points/suggestions").json() == []


def test_the_cli_lists_the_suggestions(engine: Engine) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assetwatch", "risk-points", "suggest", "--json", "--tenant",
         "hot-bank", "--database-url", str(engine.url)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [spot] = [json.loads(line) for line in result.stdout.splitlines()]
    assert spot["defaulted_assets"] == 4
