"""The first admin comes from the CLI; weak passwords are refused; the CLI's changes are
audited like the API's."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assetwatch.api.app import create_app
from assetwatch.cli.main import app
from assetwatch.live import LiveFeed
from assetwatch.observability import Metrics
from assetwatch.settings import Settings
from assetwatch.storage.engine import open_engine, sqlite_url
from tests.auth.world import SECRET

PASSWORD = "a long enough pass phrase\n"


def test_create_admin_then_sign_in_then_audit(tmp_path: Path) -> None:
    runner = CliRunner()
    where = ["--data-dir", str(tmp_path), "--tenant", "fresh-bank"]
    weak = runner.invoke(app, ["users", "create-admin", "root", *where, "--password-stdin"],
                         input="short\n")  # fmt: skip
    assert weak.exit_code == 1 and "12 characters" in str(weak.exception)
    made = runner.invoke(app, ["users", "create-admin", "root", *where, "--password-stdin"],
                         input=PASSWORD)  # fmt: skip
    assert made.exit_code == 0, made.output
    again = runner.invoke(app, ["users", "create-admin", "root", *where, "--password-stdin"],
                          input=PASSWORD)  # fmt: skip
    assert again.exit_code == 1 and "already exists" in str(again.exception)
    key = runner.invoke(app, ["users", "api-key", "create", "erp", "--role", "viewer",
                              "--tenant-wide", *where]).output.strip()  # fmt: skip
    assert key.startswith("awk_")

    engine = open_engine(sqlite_url(tmp_path))
    client = TestClient(create_app(engine, LiveFeed(), Metrics(), Settings(secret_key=SECRET)))
    login = client.post("/api/v1/auth/login",
                        json={"username": "root", "password": PASSWORD.strip()})  # fmt: skip
    assert login.status_code == 200
    assert client.get("/api/v1/assets", headers={"X-API-Key": key}).status_code == 200

    trail = runner.invoke(app, ["audit", *where, "--json"])
    actions = [(e["action"], e["outcome"]) for e in json.loads(trail.output)]
    assert actions == [("user.create", "ok"), ("api_key.create", "ok"), ("login", "ok")]
