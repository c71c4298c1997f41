"""The risk score of an asset over the API and the CLI, with reasons in both languages."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert, update
from typer.testing import CliRunner

from assetwatch.api.app import create_app
from assetwatch.cli.main import app as cli
from assetwatch.live import LiveFeed
from assetwatch.observability import Metrics
from assetwatch.settings import Settings
from assetwatch.storage.clock import now_ms
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from assetwatch.storage.schema import contracts, stays
from tests.risk.test_features import PAWN, _world

HOUR_MS = 3_600_000


def test_score_over_the_api_and_the_cli(tmp_path: Path) -> None:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    tenant, asset, _ = _world(engine)
    now = now_ms()
    with engine.begin() as conn:
        conn.execute(insert(stays).values(
            tenant_id=tenant, asset_id=asset, start_ms=now - 30 * HOUR_MS,
            end_ms=now - 2 * HOUR_MS, lat=PAWN[0], lon=PAWN[1], radius_m=30.0, points=50,
            created_ms=now,
        ))  # fmt: skip
        conn.execute(update(contracts).values(days_overdue=95))
    settings = Settings(environment="development", default_tenant="bank-r")
    client = TestClient(create_app(engine, LiveFeed(), Metrics(), settings))
    result = client.get("/api/v1/assets/VIN-R1/risk", params={"locale": "zh-CN"}).json()
    # 28 h at the pawn shop: 30 (7 d) + 10 (30 d); 95 days overdue: 30
    assert (result["score"], result["level"]) == (70.0, "high")
    assert result["reasons"] == [  # ties (30 points each) by feature name
        "合同逾期95天",
        "近7天在风险点（典当行、二手车市场等）停留28小时",
        "近30天在风险点停留28小时",
    ]
    assert "nights_away_30d" in result["missing"]
    assert client.get("/api/v1/assets/NO-SUCH/risk").status_code == 404
    assert client.get("/api/v1/assets/VIN-R1/risk", params={"preset": "x"}).status_code == 404

    out = CliRunner().invoke(cli, ["risk", "score", "--asset", "VIN-R1", "--data-dir",
                                   str(tmp_path), "--tenant", "bank-r", "--json"])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["score"] == 70.0
