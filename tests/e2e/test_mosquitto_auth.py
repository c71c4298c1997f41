"""The generated Mosquitto password file and ACL, tested against a dedicated ``mosquitto``
process on a free port: the right token logs in, a wrong one does not, a device cannot
publish under another device's topic, and the platform logs in with its own user."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assetwatch.storage.engine import open_engine, sqlite_url
from tests.e2e.broker_support import assetwatch, free_port, mosquitto, require_mosquitto
from tests.e2e.ingest_support import TENANT, count, provision
from tests.e2e.mqtt_support import MqttClient, unique
from tests.e2e.server import start_server, wait_for

pytestmark = pytest.mark.integration
PLATFORM_PASSWORD = "platform-secret-Ünï"  # noqa: S105 - a test password


@dataclass
class Broker:
    port: int
    prefix: str
    data_dir: Path
    tokens: dict[str, str]

    def client(self, username: str | None, password: str | None) -> MqttClient:
        return MqttClient(self.port, username=username, password=password)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """One broker (and its provisioned data dir) for the tests of this module."""
    require_mosquitto()
    tmp_path = tmp_path_factory.mktemp("mosquitto")
    data_dir, files = tmp_path / "data", tmp_path / "broker"
    provision(data_dir).dispose()
    issued = assetwatch(
        "devices", "token", "sensor-1", "--tenant", TENANT, "--data-dir", str(data_dir)
    )
    tokens = {"sensor-1": issued.splitlines()[1].strip()}
    port, prefix = free_port(), f"{unique('awauth')}/v1"
    platform_url = f"mqtt://platform:{PLATFORM_PASSWORD}@127.0.0.1:{port}"
    out = assetwatch(
        "mqtt", "credentials", "--out", str(files), "--data-dir", str(data_dir),
        "--mqtt-url", platform_url, "--topic-prefix", prefix, "--issue-missing",
    )  # fmt: skip
    for line in out.splitlines():
        if line.startswith("new token "):
            _new, _token, key, value = line.split()
            tokens[key] = value
    assert set(tokens) == {"sensor-1", "sensor-2"}
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\npersistence false\n"
        + (files / "mosquitto-auth.conf").read_text("utf-8")
    )
    with mosquitto(conf, port):
        yield Broker(port, prefix, data_dir, tokens)


def test_passwords_and_topic_acl(broker: Broker) -> None:
    platform = broker.client("platform", PLATFORM_PASSWORD)
    sensor = broker.client("sensor-1", broker.tokens["sensor-1"])
    try:
        assert platform.connect() and sensor.connect()
        platform.subscribe(f"{broker.prefix}/#")
        sensor.publish(f"{broker.prefix}/sensor-2/position", "spoofed")  # the ACL drops it
        sensor.publish(f"{broker.prefix}/sensor-1/position", "own")
        assert platform.next_message() == (f"{broker.prefix}/sensor-1/position", b"own")
        assert platform.received.empty()  # the spoof, published first, never arrived
    finally:
        platform.close()
        sensor.close()
    for username, password in [
        ("sensor-1", "wrong"),
        ("sensor-1", broker.tokens["sensor-2"]),
        ("stranger", "x"),
        (None, None),
    ]:
        refused = broker.client(username, password)
        try:
            assert not refused.connect(), f"{username} logged in"
            assert str(refused.reason) == "Not authorized"
        finally:
            refused.close()


def test_the_platform_ingests_through_the_authenticated_broker(broker: Broker) -> None:
    server = start_server(
        broker.data_dir,
        "--mqtt-url", f"mqtt://platform:{PLATFORM_PASSWORD}@127.0.0.1:{broker.port}",
        "--mqtt-topic-prefix", broker.prefix,
    )  # fmt: skip
    server.tenant = TENANT
    watcher = broker.client("platform", PLATFORM_PASSWORD)
    sensor = broker.client("sensor-2", broker.tokens["sensor-2"])
    try:
        metrics = 'assetwatch_connections{protocol="mqtt"} 1.0'
        wait_for(lambda: metrics in server.get_text("/metrics"))
        assert watcher.connect() and sensor.connect()
        watcher.subscribe(f"{broker.prefix}/deadletter/#")
        sensor.publish(f"{broker.prefix}/sensor-2/reading", json.dumps({"temperature_c": 3.5}))
        sensor.publish(f"{broker.prefix}/sensor-2/reading", "{}")  # a dead letter
        topic, record = watcher.next_message()
        assert topic == f"{broker.prefix}/deadletter/sensor-2/reading"
        assert json.loads(record)["reason"] == "schema"
        engine = open_engine(sqlite_url(broker.data_dir))
        try:
            wait_for(lambda: count(engine, "sensor-2") == 1)
        finally:
            engine.dispose()
    finally:
        watcher.close()
        sensor.close()
        assert server.stop() == 0, "".join(server.output or [])
