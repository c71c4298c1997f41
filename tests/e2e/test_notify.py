"""Notifications end to end, on the real server process: a phone reports SOS over HTTP, the
alarm and its outbox rows commit together, and the delivery worker sends them to a real SMTP
server, a real webhook receiver and a DingTalk-format endpoint. Then the crash test: SIGKILL
while deliveries hang, restart, and every notification is delivered (at least once)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from assetwatch.notify.channels.dingtalk import dingtalk_sign
from assetwatch.notify.channels.webhook import verify_signature
from assetwatch.registry.provisioning import apply_text
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from tests.e2e.ingest_support import http_port
from tests.e2e.server import Server, start_server
from tests.notify.channels.http_server import Received, RecordingServer, Reply, start
from tests.notify.channels.smtp_server import smtp_server

pytestmark = pytest.mark.integration
TENANT = "notify-bank"
WEBHOOK_SECRET = "whsec-0123456789abcdef"
DING_SECRET = "SEC0123456789abcdef"


def _provision(data_dir: Path, phones: int) -> None:
    lines = [f"tenant: {TENANT}", "assets:"]
    lines += [f"  - {{key: CAR-{n}, kind: vehicle}}" for n in range(phones)]
    lines.append("devices:")
    lines += [
        f"  - {{key: phone-{n}, protocol: osmand, asset: CAR-{n}, timezone: UTC}}"
        for n in range(phones)
    ]
    engine = open_engine(sqlite_url(data_dir))
    migrate(engine)
    apply_text(engine, "\n".join(lines) + "\n", "notify.yaml")
    engine.dispose()


def _put(server: Server, path: str, body: dict[str, Any]) -> None:
    response = httpx.put(f"{server.api}/api/v1/notify/{path}", json=body,
                         headers=server.headers, timeout=10)  # fmt: skip
    assert response.status_code == 200, response.text


def _sos(server: Server, phone: str) -> None:
    ingest = f"http://127.0.0.1:{http_port(server)}/"
    params = {"id": phone, "lat": 22.5431, "lon": 114.0579, "timestamp": int(time.time()),
              "alarm": "sos"}  # fmt: skip
    assert httpx.get(ingest, params=params, timeout=10).status_code == 200


async def _until(check: Callable[[], Any], timeout_s: float = 30.0) -> Any:
    """Poll without blocking the loop (the SMTP server runs on it)."""
    deadline = time.monotonic() + timeout_s
    value = None
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(check)
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"not met in {timeout_s} s; last value: {value!r}")


def _dingtalk_reply(request: Received) -> Reply:
    query = request.query
    fresh = abs(int(query["timestamp"]) - time.time() * 1000) < 60_000
    ok = fresh and query["sign"] == dingtalk_sign(DING_SECRET, int(query["timestamp"]))
    return Reply(200, {"errcode": 0 if ok else 310000, "errmsg": "ok" if ok else "sign"})


async def test_an_sos_reaches_email_webhook_and_dingtalk(tmp_path: Path) -> None:
    _provision(tmp_path, 1)
    hook, ding = RecordingServer(), RecordingServer(reply=_dingtalk_reply)
    stops = [start(hook), start(ding)]
    server = start_server(tmp_path)
    server.tenant = TENANT
    try:
        async with smtp_server() as mailbox:
            _put(
                server,
                "contacts/li",
                {
                    "name": "Li Wei",
                    "role": "risk_officer",
                    "email": "li@bank.example",
                    "locale": "zh-CN",
                },
            )
            _put(
                server,
                "channels/mail",
                {
                    "kind": "email",
                    "config": {
                        "host": "127.0.0.1",
                        "port": mailbox.port,
                        "security": "none",
                        "from_addr": "alerts@bank.example",
                    },
                },
            )
            _put(
                server,
                "channels/hook",
                {
                    "kind": "webhook",
                    "config": {"url": f"{hook.url}/assetwatch", "secret": WEBHOOK_SECRET},
                },
            )
            _put(
                server,
                "channels/ding",
                {
                    "kind": "dingtalk",
                    "config": {
                        "url": f"{ding.url}/robot/send?access_token=t0k3n",
                        "secret": DING_SECRET,
                    },
                },
            )
            _put(
                server,
                "subscriptions/officers-mail",
                {"target_kind": "role", "target": "risk_officer", "channel": "mail"},
            )
            for channel in ("hook", "ding"):
                _put(server, f"subscriptions/{channel}", {"target_kind": "channel",
                     "channel": channel, "filters": {"min_severity": "high"}})  # fmt: skip
            _sos(server, "phone-0")
            await _until(lambda: mailbox.mails and hook.received and ding.received)
            delivered = await _until(lambda: len(server.get(
                "/api/v1/notifications", status="delivered")) == 3)  # fmt: skip
            assert delivered
        mail = mailbox.mails[0].message()
        assert mail["To"].addresses[0].addr_spec == "li@bank.example"
        assert "紧急" in str(mail["Subject"]) and "CAR-0" in mail.get_body(("plain",)).get_content()
        webhook = hook.received[0]
        assert verify_signature(WEBHOOK_SECRET, webhook.headers["X-Assetwatch-Timestamp"],
                                webhook.body, webhook.headers["X-Assetwatch-Signature"],
                                now_s=time.time())  # fmt: skip
        assert webhook.json()["alarms"][0]["type"] == "sos"
        assert ding.received[0].json()["msgtype"] == "markdown"
        [alarm] = server.get("/api/v1/alarms")
        assert server.post(f"/api/v1/alarms/{alarm['id']}/ack", {"note": "calling"}).is_success
        actions = [h["action"] for h in server.get(f"/api/v1/alarms/{alarm['id']}/history")]
        assert actions == ["opened", "acknowledged"]
        about = server.get("/api/v1/notifications", alarm=alarm["id"])
        assert sorted(n["channel"] for n in about) == ["ding", "hook", "mail"]
    finally:
        assert server.stop() == 0, "".join(server.output or [])
        for stop in stops:
            stop()


class Hanging:
    """A webhook receiver that records each request and holds it open until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.seen: list[str] = []
        self.answered: list[str] = []

    def __call__(self, request: Received) -> Reply:
        key = request.headers["Idempotency-Key"]
        self.seen.append(key)
        self.release.wait(60)
        self.answered.append(key)
        return Reply(200)


async def test_notifications_survive_sigkill_during_delivery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    phones = 12
    _provision(tmp_path, phones)
    hanging = Hanging()
    receiver = RecordingServer(reply=hanging)
    stop_receiver = start(receiver)
    monkeypatch.setenv("ASSETWATCH_NOTIFY_LEASE_S", "2")
    server = start_server(tmp_path)
    server.tenant = TENANT
    try:
        _put(
            server,
            "channels/hook",
            {
                "kind": "webhook",
                "config": {
                    "url": f"{receiver.url}/hook",
                    "secret": WEBHOOK_SECRET,
                    "timeout_s": 60,
                },
            },
        )
        _put(server, "subscriptions/all", {"target_kind": "channel", "channel": "hook"})
        for n in range(phones):
            _sos(server, f"phone-{n}")
        await _until(lambda: len(hanging.seen) >= 1)  # deliveries are in flight
        server.kill()  # SIGKILL with deliveries hanging and maybe some not yet claimed
        assert server.process.returncode == -9
        hanging.release.set()
        restarted = start_server(tmp_path)
        restarted.tenant = TENANT
        try:

            def all_delivered() -> list[dict[str, Any]] | None:
                rows = restarted.get("/api/v1/notifications", status="delivered", limit=1000)
                return rows if len(rows) == phones else None

            done = await _until(all_delivered)
            keys = {n["idempotency_key"] for n in done}
            assert len(keys) == phones
            assert keys <= set(hanging.answered)  # every one reached the receiver
            # the ones in flight at the kill were claimed again once their lease ran out
            assert any(n["attempts"] >= 2 for n in done)
            assert len(restarted.get("/api/v1/alarms", limit=1000)) == phones
        finally:
            assert restarted.stop() == 0, "".join(restarted.output or [])
    finally:
        hanging.release.set()
        if server.process.poll() is None:
            server.kill()
        stop_receiver()
