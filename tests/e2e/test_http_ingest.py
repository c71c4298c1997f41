"""End to end over real HTTP: OsmAnd phones and a JSON v1 gateway, the real server process,
the REST API. A 200 means committed: the row is in the database when the answer arrives."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from tests.e2e.ingest_support import (
    TENANT,
    count,
    failing_commits,
    http_port,
    provision,
    stored,
)
from tests.e2e.server import Server, start_server

pytestmark = pytest.mark.integration


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[Server, Engine, httpx.Client]]:
    engine = provision(tmp_path)
    server = start_server(tmp_path)
    server.tenant = TENANT
    client = httpx.Client(base_url=f"http://127.0.0.1:{http_port(server)}", timeout=10)
    yield server, engine, client
    client.close()
    engine.dispose()
    assert server.stop() == 0, "".join(server.output or [])


def now_s() -> int:
    return int(time.time())


def test_osmand_get_post_and_json_are_committed_before_the_answer(
    platform: tuple[Server, Engine, httpx.Client],
) -> None:
    server, engine, client = platform
    t = now_s()
    got = client.get(
        "/", params={"id": "phone-1", "lat": 22.5431, "lon": 114.0579, "timestamp": t - 30,
                     "speed": 10, "bearing": 90, "batt": 81}
    )  # fmt: skip
    assert got.status_code == 200 and got.content == b""
    assert count(engine, "phone-1") == 1  # committed before the 200
    form = client.post(
        "/", data={"id": "phone-1", "lat": "22.5440", "lon": "114.0590", "timestamp": t - 20}
    )
    assert form.status_code == 200
    assert count(engine, "phone-1") == 2
    body = {
        "device_id": "phone-1",
        "location": {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t - 10)),
            "coords": {"latitude": 22.545, "longitude": 114.06, "speed": 5, "heading": 45},
            "battery": {"level": 0.5, "is_charging": True},
            "uuid": "loc-3",
        },
    }
    posted = client.post("/", json=body)
    assert posted.status_code == 200
    assert count(engine, "phone-1") == 3
    assert client.post("/", json=body).status_code == 200  # a retry: stored once
    assert count(engine, "phone-1") == 3

    track = server.get("/api/v1/assets/CAR-PHONE-1/track")
    assert [(p["lat"], p["lon"], p["device"]) for p in track] == [
        (22.5431, 114.0579, "phone-1"),
        (22.544, 114.059, "phone-1"),
        (22.545, 114.06, "phone-1"),
    ]
    assert track[0]["speed_kmh"] == 18.52 and track[0]["attributes"]["battery_pct"] == 81.0
    assert track[2]["speed_kmh"] == 18.0 and track[2]["attributes"]["charging"] is True
    metrics = server.get_text("/metrics")
    assert 'assetwatch_frames_total{protocol="osmand",result="ok"} 4.0' in metrics


def test_a_json_batch_stores_positions_and_raises_the_device_alarm(
    platform: tuple[Server, Engine, httpx.Client],
) -> None:
    server, engine, client = platform
    t = now_s() * 1000
    batch = {
        "items": [
            {"type": "position", "lat": 22.55, "lon": 114.05, "time": t - 20_000, "msg_id": "b1"},
            {"type": "reading", "temperature_c": 4.5, "door_open": True, "time": t - 15_000},
            {"type": "position", "lat": 22.56, "lon": 114.06, "time": t - 10_000, "msg_id": "b2"},
            {"type": "event", "alarms": ["tamper"], "event": "case_opened", "time": t - 5_000},
        ]
    }
    answer = client.post("/v1/devices/gw-1/batch", json=batch)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"accepted": 4}
    rows = stored(engine, "gw-1")  # committed before the 200, alarm included
    assert [r["kind"] for r in rows] == ["position", "reading", "position", "event"]
    alarms = server.get("/api/v1/alarms", asset="YARD-GATEWAY")
    assert [(a["type"], a["subject"]) for a in alarms] == [("tamper", "gw-1")]

    single = client.post(
        "/v1/devices/gw-1/position", json={"lat": 22.57, "lon": 114.07, "msg_id": "b3"}
    )
    assert single.status_code == 200 and single.json() == {"accepted": 1}
    track = server.get("/api/v1/assets/YARD-GATEWAY/track")
    assert [(p["lat"], p["lon"]) for p in track] == [
        (22.55, 114.05),
        (22.56, 114.06),
        (22.57, 114.07),
    ]
    again = client.post("/v1/devices/gw-1/batch", json=batch)  # re-sent: nothing doubles
    assert again.status_code == 200
    assert len(stored(engine, "gw-1")) == 5


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def test_tokens_are_checked_once_issued(platform: tuple[Server, Engine, httpx.Client]) -> None:
    server, engine, client = platform
    issued = server.post("/api/v1/devices/phone-2/token")
    assert issued.status_code == 201
    token = issued.json()["token"]
    report = {"id": "phone-2", "lat": 1.0, "lon": 2.0, "timestamp": now_s()}
    missing = problem(client.get("/", params=report), 401)
    assert "must present its token" in missing["detail"]
    assert client.get("/", params=report).headers["www-authenticate"].startswith("Bearer")
    wrong = problem(client.get("/", params={**report, "token": "nope"}), 401)
    assert wrong["title"] == "Invalid token"
    assert count(engine, "phone-2") == 0
    as_param = client.get("/", params={**report, "token": token})
    assert as_param.status_code == 200
    bearer = client.get(
        "/", params={**report, "lat": 1.5}, headers={"Authorization": f"Bearer {token}"}
    )
    assert bearer.status_code == 200
    rows = stored(engine, "phone-2")
    assert len(rows) == 2 and all("token" not in json.loads(r["attributes"]) for r in rows)
    rotated = server.post("/api/v1/devices/phone-2/token").json()["token"]
    problem(client.get("/", params={**report, "token": token}), 401)  # the old one is dead
    assert client.get("/", params={**report, "lat": 1.7, "token": rotated}).status_code == 200


def test_bad_requests_get_a_problem_that_names_the_field(
    platform: tuple[Server, Engine, httpx.Client],
) -> None:
    server, engine, client = platform
    lat = problem(client.get("/", params={"id": "phone-1", "lat": 95, "lon": 1}), 400)
    assert "lat: 95 is outside -90..90" in lat["detail"]
    problem(client.get("/", params={"lat": 1, "lon": 1}), 400)
    schema = problem(client.post("/v1/devices/gw-1/position", json={"lat": 1, "lon": 200}), 422)
    assert schema["path"] == "$.lon"
    problem(client.post("/v1/devices/gw-1/position", content=b"{not json"), 400)
    problem(client.post("/v1/devices/gw-1/location", json={}), 404)
    problem(client.get("/v1/devices/gw-1/position"), 405)
    problem(client.get("/nowhere"), 404)
    problem(client.put("/", content=b"id=1"), 405)
    problem(client.post("/v1/devices/gw-1/batch", content=b"[" * 2_000_000), 413)
    assert count(engine, "gw-1") == 0 and count(engine, "phone-1") == 0
    schema_doc = client.get("/v1/schema")
    assert schema_doc.status_code == 200 and schema_doc.json()["title"] == "assetwatch message v1"
    assert client.get("/", params={"id": "phone-1", "lat": 1, "lon": 1}).status_code == 200


def test_a_failed_commit_is_a_503_and_the_retry_is_stored(
    platform: tuple[Server, Engine, httpx.Client],
) -> None:
    server, engine, client = platform
    report = {"id": "phone-1", "lat": 1.0, "lon": 2.0, "timestamp": now_s()}
    with failing_commits(engine, "phone-1"):
        failed = client.get("/", params=report)
        assert problem(failed, 503)["title"] == "Not stored"
        assert failed.headers["retry-after"] == "5"
        assert count(engine, "phone-1") == 0
    assert client.get("/", params=report).status_code == 200  # what the phone does next
    assert count(engine, "phone-1") == 1


def test_unknown_devices_are_quarantined(platform: tuple[Server, Engine, httpx.Client]) -> None:
    server, engine, client = platform
    answer = client.get("/", params={"id": "stranger-9", "lat": 1, "lon": 2})
    assert answer.status_code == 200
    assert count(engine, "stranger-9") == 1
    quarantined = server.get("/api/v1/devices", status="quarantined")
    assert [d["key"] for d in quarantined] == ["stranger-9"]


def test_unknown_devices_are_refused_under_the_reject_policy(tmp_path: Path) -> None:
    engine = provision(tmp_path)
    server = start_server(tmp_path, "--unknown-devices", "reject")
    try:
        url = f"http://127.0.0.1:{http_port(server)}"
        refused = httpx.get(url, params={"id": "stranger-9", "lat": 1, "lon": 2}, timeout=10)
        assert problem(refused, 403)["title"] == "Unknown device"
        json_refused = httpx.post(f"{url}/v1/devices/nobody/event", json={"alarms": ["sos"]})
        problem(json_refused, 403)
        assert count(engine, "stranger-9") == 0
    finally:
        engine.dispose()
        assert server.stop() == 0
