"""End to end through the real Mosquitto on 127.0.0.1:1883: QoS 1 messages of every type
reach the API, malformed ones land on the dead-letter topic, and what is published while the
platform is down is ingested when it comes back (persistent session).

Every test uses its own topic prefix and client id, and removes its broker session after."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.e2e.ingest_support import TENANT, batch_failures, count, failing_commits, provision
from tests.e2e.mqtt_support import MqttClient, broker_client, drop_session, unique
from tests.e2e.server import Server, start_server, wait_for

pytestmark = pytest.mark.integration


@dataclass
class Setup:
    data_dir: Path
    engine: Engine
    prefix: str
    client_id: str
    device: MqttClient
    server: Server | None = None

    def start(self) -> Server:
        self.server = start_server(
            self.data_dir,
            "--mqtt-url",
            "mqtt://127.0.0.1:1883",
            "--mqtt-topic-prefix",
            self.prefix,
            "--mqtt-client-id",
            self.client_id,
        )
        self.server.tenant = TENANT
        server = self.server
        wait_for(
            lambda: 'assetwatch_connections{protocol="mqtt"} 1.0' in server.get_text("/metrics")
        )
        return server

    def stop(self) -> None:
        if self.server is not None:
            assert self.server.stop() == 0, "".join(self.server.output or [])
            self.server = None

    def publish(self, kind: str, message: Any, device: str = "sensor-1") -> None:
        payload = message if isinstance(message, str | bytes) else json.dumps(message)
        self.device.publish(f"{self.prefix}/{device}/{kind}", payload)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    device = broker_client()
    prefix = f"{unique('awtest')}/v1"
    state = Setup(tmp_path, provision(tmp_path), prefix, unique("aw-platform"), device)
    try:
        yield state
    finally:
        state.stop()
        device.close()
        state.engine.dispose()
        drop_session(state.client_id)


def track(server: Server, n: int) -> list[dict[str, Any]]:
    def enough() -> list[dict[str, Any]] | None:
        points: list[dict[str, Any]] = server.get("/api/v1/assets/TANK-1/track")
        return points if len(points) >= n else None

    return wait_for(enough)


def ms(seconds_ago: float) -> int:
    return int((time.time() - seconds_ago) * 1000)


def test_every_message_type_over_qos1_reaches_the_api(setup: Setup) -> None:
    server = setup.start()
    first = {"lat": 31.23, "lon": 121.47, "time": ms(40), "msg_id": "p1"}
    setup.publish("position", first)
    setup.publish("reading", {"temperature_c": -18.5, "fuel_level_pct": 40, "time": ms(35)})
    setup.publish("event", {"alarms": ["tamper"], "event": "lid_open", "time": ms(30)})
    items = [
        {"type": "position", "lat": 31.24, "lon": 121.48, "time": ms(25)},
        {"type": "reading", "weight_kg": 950, "time": ms(24)},
        {"type": "position", "lat": 31.25, "lon": 121.49, "time": ms(20)},
    ]
    setup.publish("batch", {"items": items})
    points = track(server, 3)
    assert [(p["lat"], p["lon"]) for p in points] == [
        (31.23, 121.47),
        (31.24, 121.48),
        (31.25, 121.49),
    ]
    wait_for(lambda: count(setup.engine, "sensor-1") == 6)
    alarms = server.get("/api/v1/alarms", asset="TANK-1")
    assert [(a["type"], a["subject"]) for a in alarms] == [("tamper", "sensor-1")]
    setup.publish("position", first)
    setup.publish("position", {"lat": 31.26, "lon": 121.50, "time": ms(10)})
    track(server, 4)
    assert count(setup.engine, "sensor-1") == 7  # the re-sent p1 was stored once
    metrics = server.get_text("/metrics")
    assert 'assetwatch_frames_total{protocol="mqtt",result="ok"} 6.0' in metrics


def test_malformed_messages_go_to_the_dead_letter_topic(setup: Setup) -> None:
    watcher = broker_client()
    try:
        watcher.subscribe(f"{setup.prefix}/deadletter/#")
        server = setup.start()
        setup.publish("position", b"\xffnot json")
        setup.publish("position", {"lat": 95, "lon": 0})
        setup.publish("location", {"lat": 1, "lon": 2})
        setup.publish("position", {"lat": 1, "lon": 2}, device="nobody-knows-me")  # quarantined
        setup.publish("position", {"lat": 1.5, "lon": 2.5})  # still flowing after the garbage
        letters = [watcher.next_message() for _ in range(3)]
        track(server, 1)
    finally:
        watcher.close()
    records = [json.loads(payload) for _topic, payload in letters]
    assert [(topic, r["reason"]) for (topic, _), r in zip(letters, records, strict=True)] == [
        (f"{setup.prefix}/deadletter/sensor-1/position", "json"),
        (f"{setup.prefix}/deadletter/sensor-1/position", "schema"),
        (f"{setup.prefix}/deadletter/sensor-1/location", "topic"),
    ]
    assert (
        records[0]["payload_base64"] and records[0]["topic"] == f"{setup.prefix}/sensor-1/position"
    )
    assert "<= 90" in records[1]["error"] and records[1]["payload"] == '{"lat": 95, "lon": 0}'
    metrics = server.get_text("/metrics")
    assert 'assetwatch_dead_letters_total{protocol="mqtt",reason="json"} 1.0' in metrics
    assert 'assetwatch_dead_letters_total{protocol="mqtt",reason="schema"} 1.0' in metrics
    wait_for(lambda: count(setup.engine, "nobody-knows-me") == 1)
    quarantined = server.get("/api/v1/devices", status="quarantined")
    assert [d["key"] for d in quarantined] == ["nobody-knows-me"]


def test_messages_published_while_the_platform_is_down_arrive_after_restart(
    setup: Setup,
) -> None:
    server = setup.start()
    setup.publish("position", {"lat": 30.0, "lon": 120.0, "time": ms(60)})
    track(server, 1)
    setup.stop()
    setup.publish("position", {"lat": 30.1, "lon": 120.1, "time": ms(50)})
    setup.publish(
        "batch", {"items": [{"type": "position", "lat": 30.2, "lon": 120.2, "time": ms(45)}]}
    )
    assert count(setup.engine, "sensor-1") == 1  # nobody ingested them yet
    restarted = setup.start()
    points = track(restarted, 3)
    assert [(p["lat"], p["lon"]) for p in points] == [(30.0, 120.0), (30.1, 120.1), (30.2, 120.2)]


def test_a_failed_commit_is_not_acked_and_the_broker_delivers_it_again(setup: Setup) -> None:
    server = setup.start()
    with failing_commits(setup.engine, "sensor-1"):
        setup.publish("position", {"lat": 30.5, "lon": 120.5, "time": ms(5)})
        wait_for(lambda: batch_failures(server) >= 1)
        assert count(setup.engine, "sensor-1") == 0
    points = track(server, 1)  # redelivered on the gateway's next connection, now stored
    assert [(p["lat"], p["lon"]) for p in points] == [(30.5, 120.5)]
    assert any("broker delivers again" in line for line in server.output or [])
