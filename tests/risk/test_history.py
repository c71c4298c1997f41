"""Kept scores, level-change events, and alarms when the level rises to high or critical."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select, update
from typer.testing import CliRunner

from assetwatch.api.app import create_app
from assetwatch.cli.main import app as cli
from assetwatch.live import LiveFeed
from assetwatch.model.scope import Scope
from assetwatch.observability import Metrics
from assetwatch.risk.service import sweep
from assetwatch.settings import Settings
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from assetwatch.storage.schema import alarms, contracts, events, risk_scores, stays
from tests.risk.test_features import HOUR_MS, NOW, PAWN, _world


def _overdue(engine: Engine, days: int) -> None:
    with engine.begin() as conn:
        conn.execute(update(contracts).values(days_overdue=days))


def test_level_changes_are_events_and_rises_raise_one_alarm(engine: Engine) -> None:
    tenant, asset, _ = _world(engine)
    scope = Scope(tenant)
    assert sweep(engine, scope=scope, now_ms=NOW) == []  # a first score of low: no change
    _overdue(engine, 95)  # 30 points: still low
    assert sweep(engine, scope=scope, now_ms=NOW + 1) == []
    with engine.begin() as conn:  # 28 h at a pawn shop this week: +40 -> 70, high
        conn.execute(insert(stays).values(
            tenant_id=tenant, asset_id=asset, start_ms=NOW - 30 * HOUR_MS,
            end_ms=NOW - 2 * HOUR_MS, lat=PAWN[0], lon=PAWN[1], radius_m=30.0, points=9,
            created_ms=NOW,
        ))  # fmt: skip
    [rise] = sweep(engine, scope=scope, now_ms=NOW + 2)
    assert (rise.asset, rise.before, rise.after, rise.score) == ("VIN-R1", "low", "high", 70.0)
    assert rise.alarm_id is not None
    assert sweep(engine, scope=scope, now_ms=NOW + 3) == []  # unchanged: no event, no alarm
    _overdue(engine, 0)  # 40: medium, a fall: an event but no alarm
    [fall] = sweep(engine, scope=scope, now_ms=NOW + 4)
    assert (fall.before, fall.after, fall.alarm_id) == ("high", "medium", None)
    with engine.connect() as conn:
        kept = conn.scalar(select(func.count()).select_from(risk_scores))
        changed = conn.execute(select(events.c.subject, events.c.details)
                               .where(events.c.type == "risk_level_changed")
                               .order_by(events.c.id)).all()  # fmt: skip
        raised = conn.execute(select(alarms.c.type, alarms.c.subject, alarms.c.severity)).all()
    assert kept == 5
    assert [(s, d["from"], d["to"]) for s, d in changed] == [
        ("high", "low", "high"), ("medium", "high", "medium"),
    ]  # fmt: skip
    assert [tuple(r) for r in raised] == [("risk_level", "high", "high")]


def test_history_over_the_api_and_the_sweep_from_the_cli(tmp_path: Path) -> None:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    _world(engine)
    _overdue(engine, 45)
    out = CliRunner().invoke(cli, ["risk", "sweep", "--data-dir", str(tmp_path),
                                   "--tenant", "bank-r"])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "0 level change(s)" in out.output
    settings = Settings(environment="development", default_tenant="bank-r")
    client = TestClient(create_app(engine, LiveFeed(), Metrics(), settings))
    [kept] = client.get("/api/v1/assets/VIN-R1/risk/history").json()
    assert (kept["score"], kept["level"], kept["reasons"]) == (12.0, "low", [
        "contract 45 days overdue"])  # fmt: skip
    assert json.loads(json.dumps(kept["features"]))["days_overdue"] == {
        "value": 45.0,
        "points": 12.0,
    }
    assert client.get("/api/v1/assets/NOPE/risk/history").status_code == 404
