"""HTTP device trust against the real server process: a revoked device is refused, a
report sent again with its idempotency id (``msg_id`` or an ``Idempotency-Key`` header) is
stored once even without a device time, and a flood beyond the rate limits gets ``429``
while other devices and addresses are served."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.e2e.ingest_support import TENANT, count, http_port, provision
from tests.e2e.server import Server, start_server

pytestmark = pytest.mark.integration
Rig = tuple[Server, Engine, str]


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    monkeypatch.setenv("ASSETWATCH_DEVICE_RATE_PER_S", "0.001")  # no refill during a test
    monkeypatch.setenv("ASSETWATCH_DEVICE_RATE_BURST", "6")
    monkeypatch.setenv("ASSETWATCH_IP_RATE_PER_S", "0.001")
    monkeypatch.setenv("ASSETWATCH_IP_RATE_BURST", "12")
    engine = provision(tmp_path)
    server = start_server(tmp_path)
    server.tenant = TENANT
    yield server, engine, f"http://127.0.0.1:{http_port(server)}"
    engine.dispose()
    assert server.stop() == 0, "".join(server.output or [])


def test_a_revoked_device_is_refused(rig: Rig) -> None:
    server, engine, url = rig
    assert server.patch("/api/v1/devices/gw-1", {"status": "revoked"}).status_code == 200
    refused = httpx.post(f"{url}/v1/devices/gw-1/event", json={"alarms": ["sos"]})
    assert refused.status_code == 403 and refused.json()["title"] == "Device revoked"
    assert server.patch("/api/v1/devices/phone-1", {"status": "revoked"}).status_code == 200
    osmand = httpx.get(url, params={"id": "phone-1", "lat": 1, "lon": 2})
    assert osmand.status_code == 403
    assert count(engine, "gw-1") == 0 and count(engine, "phone-1") == 0
    assert server.get("/api/v1/alarms") == []


def test_an_untimed_report_sent_again_is_stored_once(rig: Rig) -> None:
    _server, engine, url = rig
    reading = {"temperature_c": 4.0, "msg_id": "r-1"}  # no time: stamped on receipt
    for _attempt in range(2):
        assert httpx.post(f"{url}/v1/devices/gw-1/reading", json=reading).status_code == 200
    assert count(engine, "gw-1") == 1
    keyed = {"Idempotency-Key": "upload-0001"}  # the id of a message without msg_id
    for _attempt in range(2):
        sent = httpx.post(f"{url}/v1/devices/gw-1/event", json={"event": "x"}, headers=keyed)
        assert sent.status_code == 200 and sent.json() == {"accepted": 1}
    assert count(engine, "gw-1") == 2
    bad = httpx.post(
        f"{url}/v1/devices/gw-1/reading", json=reading, headers={"Idempotency-Key": "x" * 129}
    )
    assert bad.status_code == 400 and bad.json()["title"] == "Invalid Idempotency-Key"


def test_a_flood_gets_429_and_nobody_else_is_affected(rig: Rig) -> None:
    server, engine, url = rig
    statuses = [
        httpx.get(url, params={"id": "phone-1", "lat": 22.5, "lon": 114.0, "timestamp": 1e9 + n})
        for n in range(8)
    ]
    assert [r.status_code for r in statuses] == [200] * 6 + [429] * 2  # the device's burst
    assert int(statuses[-1].headers["retry-after"]) >= 1
    assert statuses[-1].json()["title"] == "Too many requests"
    assert count(engine, "phone-1") == 6  # everything answered 200 is stored, nothing else
    others = [httpx.get(url, params={"id": "phone-2", "lat": 1, "lon": n}) for n in range(5)]
    assert [r.status_code for r in others] == [200] * 4 + [429]  # the address's 12 are spent
    elsewhere = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    with elsewhere:
        answer = elsewhere.get(url, params={"id": "phone-2", "lat": 1, "lon": 9})
    assert answer.status_code == 200  # another address has a budget of its own
    assert count(engine, "phone-2") == 5
    metrics = server.get_text("/metrics")
    assert 'assetwatch_rate_limited_total{protocol="osmand",scope="device"} 2.0' in metrics
    assert 'assetwatch_rate_limited_total{protocol="osmand",scope="ip"} 1.0' in metrics
