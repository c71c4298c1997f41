"""The notification and alarm-lifecycle routes on the real app, and the ``notify`` CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assetwatch.api.app import create_app
from assetwatch.live import LiveFeed
from assetwatch.observability import Metrics
from assetwatch.settings import Settings
from tests.notify.conftest import SECRET, Setup


@pytest.fixture
def changes() -> list[int]:
    return []


@pytest.fixture
def client(setup: Setup, changes: list[int]) -> Iterator[TestClient]:
    settings = Settings(environment="development", default_tenant="demo-bank")
    app = create_app(setup.engine, LiveFeed(), Metrics(), settings,
                     on_notify_change=lambda: changes.append(1))  # fmt: skip
    with TestClient(app) as test_client:
        yield test_client


def test_channels_are_validated_and_their_secrets_never_shown(
    client: TestClient, changes: list[int]
) -> None:
    hook = {"kind": "webhook", "config": {"url": "https://hooks.example/aw", "secret": SECRET}}
    put = client.put("/api/v1/notify/channels/hook", json=hook)
    assert put.status_code == 200, put.text
    assert put.json()["config"]["secret"] == "***" and changes == [1]
    listed = client.get("/api/v1/notify/channels").json()
    assert [c["key"] for c in listed] == ["hook"] and SECRET not in json.dumps(listed)
    short = client.put("/api/v1/notify/channels/bad", json={"kind": "webhook",
                       "config": {"url": "https://x.example", "secret": "short"}})  # fmt: skip
    assert short.status_code == 422 and "secret" in short.text
    unknown = client.put("/api/v1/notify/channels/bad", json={"kind": "pager", "config": {}})
    assert unknown.status_code == 422
    bad_key = client.put("/api/v1/notify/channels/bad key!", json=hook)
    assert bad_key.status_code == 422


def test_subscriptions_need_existing_channels_and_targets(client: TestClient) -> None:
    sub = {"target_kind": "contact", "target": "li", "channel": "nowhere"}
    assert client.put("/api/v1/notify/subscriptions/s", json=sub).status_code == 404
    client.put("/api/v1/notify/channels/feed", json={"kind": "inapp"})
    sub["channel"] = "feed"
    assert client.put("/api/v1/notify/subscriptions/s", json=sub).status_code == 200
    sub["target"] = "nobody"
    missing = client.put("/api/v1/notify/subscriptions/s", json=sub)
    assert missing.status_code == 404 and "nobody" in missing.text
    quiet = {**sub, "target": "li", "quiet_hours": {"start": "25:00", "end": "07:00"}}
    assert client.put("/api/v1/notify/subscriptions/s", json=quiet).status_code == 422
    steps = [
        {"after_minutes": 10, "targets": [{"kind": "role", "key": "x"}], "channel": "feed"},
        {"after_minutes": 5, "targets": [{"kind": "role", "key": "x"}], "channel": "feed"},
    ]
    policy = client.put("/api/v1/notify/escalation-policies/p", json={"steps": steps})
    assert policy.status_code == 422 and "increasing" in policy.text
    in_use = client.delete("/api/v1/notify/channels/feed")
    assert in_use.status_code == 409
    assert client.delete("/api/v1/notify/subscriptions/s").status_code == 204
    assert client.delete("/api/v1/notify/channels/feed").status_code == 204


def test_alarm_routes_move_assign_and_annotate(client: TestClient, setup: Setup) -> None:
    alarm = setup.raise_("power_cut")
    base = f"/api/v1/alarms/{alarm.id}"
    assigned = client.put(f"{base}/assignee", json={"assignee": "li", "by": "zhao"})
    assert assigned.status_code == 200 and assigned.json()["assignee"] == "li"
    assert client.post(f"{base}/notes", json={"note": "borrower called"}).status_code == 200
    assert client.post(f"{base}/ack", json={"by": "li"}).json()["status"] == "acknowledged"
    assert client.post(f"{base}/ack").status_code == 409
    closed = client.post(f"{base}/false-positive", json={"note": "test drive"})
    assert closed.json()["status"] == "false_positive"
    history = client.get(f"{base}/history").json()
    assert [h["action"] for h in history] == [
        "opened", "assigned", "note", "acknowledged", "false_positive",
    ]  # fmt: skip
    assert client.get("/api/v1/alarms", params={"status": "false_positive"}).json()[0]["id"] == (
        alarm.id
    )
    assert client.get("/api/v1/alarms", params={"status": "nope"}).status_code == 422


def test_the_cli_puts_lists_and_tests_a_channel(
    setup: Setup, tmp_path_factory: pytest.TempPathFactory
) -> None:
    url = str(setup.engine.url)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "assetwatch", "notify", *args, "--database-url", url,
             *(("--tenant", "demo-bank") if args[0] != "deliver" else ())],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    put = cli("put", "channels", "feed", "--spec", "kind: inapp")
    assert put.returncode == 0, put.stderr
    listed = cli("list", "channels")
    assert json.loads(listed.stdout.splitlines()[0])["key"] == "feed"
    tested = cli("test", "feed")
    assert tested.returncode == 0, tested.stderr
    *printed, last = [json.loads(line) for line in tested.stdout.splitlines()]
    assert last["status"] == "delivered" and last["attempt_log"][0]["ok"] is True
    assert printed[-1]["type"] == "notification" and printed[-1]["kind"] == "test"
    done = cli("deliver", "--once")  # the standalone worker, with nothing due
    assert done.returncode == 0 and "0 notifications attempted" in done.stdout
    bad = cli("put", "channels", "x", "--spec", "kind: pager")
    assert bad.returncode != 0 and "kind" in bad.stderr
    outbox = cli("outbox", "--json")
    assert json.loads(outbox.stdout.splitlines()[0])["kind"] == "test"
