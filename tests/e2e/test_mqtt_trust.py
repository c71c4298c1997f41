"""MQTT device trust over real Mosquitto: a revoked device is refused by the broker once the
password file is regenerated (its open session is cut at the reload), and by the platform
when a broker lets its message through anyway (the shared broker on :1883 takes anyone); a
message re-sent with its ``msg_id`` and no time is stored once."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.e2e.broker_support import assetwatch, free_port, mosquitto
from tests.e2e.ingest_support import TENANT, count, provision
from tests.e2e.mqtt_support import MqttClient, broker_client, drop_session, unique
from tests.e2e.server import Server, start_server, wait_for

pytestmark = pytest.mark.integration
PLATFORM_PASSWORD = "platform-pw-Trust"  # noqa: S105 - a test password
CONNECTED = 'assetwatch_connections{protocol="mqtt"} 1.0'


def serve(data_dir: Path, url: str, prefix: str, client_id: str) -> Server:
    server = start_server(
        data_dir, "--mqtt-url", url, "--mqtt-topic-prefix", prefix, "--mqtt-client-id", client_id
    )
    server.tenant = TENANT
    wait_for(lambda: CONNECTED in server.get_text("/metrics"))
    return server


@dataclass
class Shared:
    server: Server
    engine: Engine
    device: MqttClient
    watcher: MqttClient  # subscribed to the dead letters
    prefix: str


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Shared]:
    """The platform on the shared broker, with its own topic prefix and client id."""
    prefix, client_id = f"{unique('awtrust')}/v1", unique("aw-platform")
    device, watcher = broker_client(), broker_client()
    engine = provision(tmp_path)
    try:
        watcher.subscribe(f"{prefix}/deadletter/#")
        server = serve(tmp_path, "mqtt://127.0.0.1:1883", prefix, client_id)
        try:
            yield Shared(server, engine, device, watcher, prefix)
        finally:
            assert server.stop() == 0, "".join(server.output or [])
    finally:
        device.close()
        watcher.close()
        engine.dispose()
        drop_session(client_id)


def test_the_platform_refuses_a_revoked_device_the_broker_let_in(shared: Shared) -> None:
    revoked = shared.server.patch("/api/v1/devices/sensor-2?protocol=mqtt", {"status": "revoked"})
    assert revoked.status_code == 200, revoked.text
    reading = json.dumps({"temperature_c": 3.0, "time": int(time.time() * 1000)})
    shared.device.publish(f"{shared.prefix}/sensor-2/reading", reading)
    topic, record = shared.watcher.next_message()
    assert topic == f"{shared.prefix}/deadletter/sensor-2/reading"
    assert json.loads(record)["reason"] == "revoked_device"
    shared.device.publish(f"{shared.prefix}/sensor-1/reading", reading)  # others still flow
    wait_for(lambda: count(shared.engine, "sensor-1") == 1)
    assert count(shared.engine, "sensor-2") == 0


def test_a_message_sent_again_without_a_time_is_stored_once(shared: Shared) -> None:
    untimed = json.dumps({"temperature_c": 3.0, "msg_id": "t-1"})
    for _copy in range(3):  # a device re-sending after a lost PUBACK
        shared.device.publish(f"{shared.prefix}/sensor-1/reading", untimed)
    shared.device.publish(f"{shared.prefix}/sensor-1/reading", json.dumps({"weight_kg": 1}))
    wait_for(lambda: count(shared.engine, "sensor-1") == 2)
    metrics = shared.server.get_text("/metrics")
    assert "assetwatch_duplicate_observations_total 2.0" in metrics
    assert count(shared.engine, "sensor-1") == 2


def test_the_broker_refuses_a_revoked_device_after_the_files_are_regenerated(
    tmp_path: Path,
) -> None:
    data_dir, files, prefix = tmp_path / "data", tmp_path / "broker", f"{unique('awrev')}/v1"
    provision(data_dir).dispose()
    port = free_port()
    url = f"mqtt://platform:{PLATFORM_PASSWORD}@127.0.0.1:{port}"
    credentials = (
        "mqtt", "credentials", "--out", str(files), "--data-dir", str(data_dir),
        "--mqtt-url", url, "--topic-prefix", prefix,
    )  # fmt: skip
    issued = assetwatch(*credentials, "--issue-missing")
    tokens = dict(line.split()[2:4] for line in issued.splitlines() if line.startswith("new token"))
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\npersistence false\n"
        + (files / "mosquitto-auth.conf").read_text("utf-8")
    )
    with mosquitto(conf, port) as broker:
        server = serve(data_dir, url, prefix, unique("aw-platform"))
        session = MqttClient(port, username="sensor-2", password=tokens["sensor-2"])
        try:
            assert session.connect()  # before the revocation
            revoked = server.patch("/api/v1/devices/sensor-2?protocol=mqtt", {"status": "revoked"})
            assert revoked.status_code == 200, revoked.text
            assert "1 device(s)" in assetwatch(*credentials)  # sensor-1 only
            broker.send_signal(signal.SIGHUP)  # what `systemctl reload mosquitto` does
            wait_for(lambda: not session.client.is_connected(), 10)  # its session is cut
            again = MqttClient(port, username="sensor-2", password=tokens["sensor-2"])
            try:
                assert not again.connect() and str(again.reason) == "Not authorized"
            finally:
                again.close()
            kept = MqttClient(port, username="sensor-1", password=tokens["sensor-1"])
            try:
                assert kept.connect()  # the others are not affected
            finally:
                kept.close()
        finally:
            session.close()
            assert server.stop() == 0, "".join(server.output or [])
