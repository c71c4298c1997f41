"""Monitoring profiles: copied from a preset, changed into new versions, named by scores."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from assetwatch.api.app import create_app
from assetwatch.cli.main import app as cli
from assetwatch.live import LiveFeed
from assetwatch.observability import Metrics
from assetwatch.settings import Settings
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from assetwatch.storage.schema import contracts
from tests.risk.test_features import _world


def test_copy_change_version_and_score_with_a_profile(tmp_path: Path) -> None:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    _world(engine)
    with engine.begin() as conn:
        conn.execute(update(contracts).values(days_overdue=45))
    settings = Settings(environment="development", default_tenant="bank-r")
    client = TestClient(create_app(engine, LiveFeed(), Metrics(), settings))
    url = "/api/v1/risk/profiles/strict-auto"
    made = client.post(url, json={"preset": "consumer_auto_loan"})
    assert made.status_code == 201 and made.json()["version"] == 1
    assert client.post(url, json={"preset": "consumer_auto_loan"}).status_code == 422
    card = made.json()["scorecard"]
    assert card["features"]["days_overdue"] == [[1, 0], [30, 5], [60, 12], [90, 20], [None, 30]]

    card["features"]["days_overdue"] = [[1, 0], [30, 25], [None, 50]]  # stricter on arrears
    changed = client.put(url, json={"scorecard": card})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert client.get(url, params={"version": 1}).json()["scorecard"]["features"][
        "days_overdue"][1] == [30, 5]  # fmt: skip
    bad = client.put(url, json={"scorecard": {"features": {"x": [[5, 0], [3, 1], [None, 2]]}}})
    assert bad.status_code == 422 and "increase" in bad.json()["detail"]
    assert [p["version"] for p in client.get("/api/v1/risk/profiles").json()] == [2]

    scored = client.get("/api/v1/assets/VIN-R1/risk", params={"preset": "strict-auto"}).json()
    assert (scored["score"], scored["level"], scored["preset"]) == (
        50.0,
        "medium",
        "strict-auto@v2",
    )
    default = client.get("/api/v1/assets/VIN-R1/risk").json()
    assert (default["score"], default["preset"]) == (12.0, "consumer_auto_loan")
    trail = client.get("/api/v1/audit", params={"target": "profile:strict-auto"}).json()
    assert [e["action"] for e in trail] == ["profile.copy", "profile.change"]
    assert trail[1]["before"]["version"] == 1 and trail[1]["after"]["version"] == 2


def test_profiles_from_the_cli(tmp_path: Path) -> None:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    _world(engine)
    runner = CliRunner()
    where = ["--data-dir", str(tmp_path), "--tenant", "bank-r"]
    assert runner.invoke(cli, ["risk", "profiles", "copy", "consumer_auto_loan", "mine", *where]
                         ).exit_code == 0  # fmt: skip
    shown = json.loads(runner.invoke(cli, ["risk", "profiles", "show", "mine", *where]).output)
    card = shown["scorecard"]
    card["levels"]["high"] = 50
    path = tmp_path / "card.json"
    path.write_text(json.dumps(card))
    done = runner.invoke(cli, ["risk", "profiles", "set", "mine", "--file", str(path), *where])
    assert done.exit_code == 0 and "v2" in done.output
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    refused = runner.invoke(cli, ["risk", "profiles", "set", "mine", "-f", str(bad), *where])
    assert refused.exit_code == 1 and "bad.json" in str(refused.exception)
    again = json.loads(runner.invoke(cli, ["risk", "profiles", "show", "mine", *where]).output)
    assert (again["version"], again["scorecard"]["levels"]["high"]) == (2, 50)
