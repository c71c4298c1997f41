"""The command routes and CLI, on the real app and the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from assetwatch.api.app import create_app
from assetwatch.live import LiveFeed
from assetwatch.observability import Metrics
from assetwatch.settings import Settings


@pytest.fixture
def kicks() -> list[int]:
    return []


@pytest.fixture
def client(engine: Engine, kicks: list[int]) -> Iterator[TestClient]:
    app = create_app(
        engine,
        LiveFeed(),
        Metrics(),
        Settings(environment="development", default_tenant="bank-a"),
        kick_commands=lambda: kicks.append(1),
    )
    with TestClient(app) as test_client:
        yield test_client


def test_request_follow_and_approve(client: TestClient, kicks: list[int]) -> None:
    created = client.post(
        "/api/v1/devices/013912345678/commands",
        json={"kind": "set_report_interval", "params": {"seconds": 15}, "requested_by": "alice"},
    )
    assert created.status_code == 201, created.text
    command = created.json()
    assert (command["status"], command["device"], command["protocol"]) == (
        "queued",
        "013912345678",
        "jt808",
    )
    assert kicks == [1]  # the dispatcher is told at once
    assert client.get(f"/api/v1/commands/{command['id']}").json() == command
    listed = client.get("/api/v1/devices/013912345678/commands").json()
    assert [c["id"] for c in listed] == [command["id"]]

    cut = client.post(
        "/api/v1/devices/013912345678/commands",
        json={"kind": "cut_oil", "requested_by": "alice", "reason": "stolen"},
    ).json()
    assert cut["approval"] == "pending"
    same = client.post(f"/api/v1/commands/{cut['id']}/approve", json={"by": "alice"})
    assert same.status_code == 409
    assert "someone else must approve" in same.json()["detail"]
    approved = client.post(f"/api/v1/commands/{cut['id']}/approve", json={"by": "bob"})
    assert approved.json()["approval"] == "approved"
    assert client.get("/api/v1/commands", params={"kind": "cut_oil"}).json()[0]["id"] == cut["id"]


def test_bad_requests_are_problems(client: TestClient) -> None:
    bad_kind = client.post("/api/v1/devices/013912345678/commands", json={"kind": "explode"})
    assert bad_kind.status_code == 422
    bad_params = client.post(
        "/api/v1/devices/013912345678/commands",
        json={"kind": "set_report_interval", "params": {"seconds": "soon"}},
    )
    assert bad_params.status_code == 422
    assert bad_params.headers["content-type"].startswith("application/problem+json")
    assert "seconds" in bad_params.json()["detail"]
    missing = client.post("/api/v1/devices/nope/commands", json={"kind": "reboot"})
    assert missing.status_code == 404
    assert client.get("/api/v1/commands/9999").status_code == 404
    assert client.post("/api/v1/commands/9999/cancel", json={"by": "x"}).status_code == 404


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assetwatch", "commands", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"ASSETWATCH_TENANT": "bank-a", "PATH": "/usr/bin:/bin", "COLUMNS": "120"},
    )


def test_the_cli_queues_lists_and_cancels(engine: Engine, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    sent = _cli(data_dir, "send", "013912345678", "set_sleep_interval", "-p", "seconds=3600")
    assert sent.returncode == 0, sent.stderr
    assert "is queued" in sent.stdout
    listed = _cli(data_dir, "list", "--json")
    [command] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (command["kind"], command["params"]) == ("set_sleep_interval", {"seconds": 3600})
    cancelled = _cli(data_dir, "cancel", str(command["id"]))
    assert "cancelled" in cancelled.stdout
    again = _cli(data_dir, "cancel", str(command["id"]))
    assert again.returncode == 1
    assert "only queued commands can be cancelled" in again.stderr
    bad = _cli(data_dir, "send", "013912345678", "set_sleep_interval", "-p", "seconds")
    assert bad.returncode == 1
    assert "expected NAME=VALUE" in bad.stderr
