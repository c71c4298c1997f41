"""TLS termination as documented (docs/security-devices.md), run from the example files in
``docs/examples``: a throwaway CA made by ``tls-test-ca.sh``, Mosquitto with the TLS
listener of ``mosquitto-tls.conf``, and ``assetwatch serve`` with ``assetwatch-tls.env``:
HTTPS on the API and HTTP ingestion ports, MQTT over TLS for the platform and a device.
Plain-text and unverified clients are refused."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.e2e.broker_support import assetwatch, free_port, mosquitto
from tests.e2e.ingest_support import TENANT, count, http_port, provision
from tests.e2e.mqtt_support import MqttClient, unique
from tests.e2e.server import Server, start_server, wait_for

pytestmark = pytest.mark.integration
EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
PLATFORM_PASSWORD = "platform-pw-TLS"  # noqa: S105 - a test password
MQTT_CONNECT = b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00"  # 3.1.1, empty client id


@dataclass
class Tls:
    server: Server
    certs: Path
    mqtt_port: int
    prefix: str
    tokens: dict[str, str]
    engine: Engine

    @property
    def ca(self) -> Path:
        return self.certs / "ca.crt"


def make_certificates(directory: Path) -> Path:
    if shutil.which("openssl") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the openssl command is required when CI=true")
        pytest.skip("no openssl command")
    subprocess.run(
        ["/bin/sh", str(EXAMPLES / "tls-test-ca.sh"), str(directory), "DNS:localhost,IP:127.0.0.1"],
        check=True,
        timeout=60,
    )
    return directory


def broker_conf(certs: Path, files: Path, plain_port: int, tls_port: int) -> str:
    """``mosquitto-tls.conf`` with this test's paths and ports, and no persistence."""
    text = (EXAMPLES / "mosquitto-tls.conf").read_text("utf-8")
    text = text.replace("/etc/mosquitto/certs/", f"{certs}/")
    text = text.replace("/etc/mosquitto/assetwatch/", f"{files}/")
    text = text.replace("listener 1883 127.0.0.1", f"listener {plain_port} 127.0.0.1")
    text = text.replace("listener 8883", f"listener {tls_port} 127.0.0.1")
    text = text.replace("persistence true", "persistence false")
    return re.sub(r"(?m)^persistence_location .*$", "", text)


def platform_env(certs: Path, tls_port: int) -> dict[str, str]:
    """``assetwatch-tls.env`` with this test's certificate paths and broker."""
    env: dict[str, str] = {}
    for line in (EXAMPLES / "assetwatch-tls.env").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            value = value.replace("/etc/assetwatch/tls/", f"{certs}/")
            value = value.replace(
                "CHANGE-ME@mqtt.example.net:8883", f"{PLATFORM_PASSWORD}@127.0.0.1:{tls_port}"
            )
            env[name] = value
    return env


@pytest.fixture
def tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Tls]:
    certs = make_certificates(tmp_path / "tls")
    data_dir, files = tmp_path / "data", tmp_path / "broker"
    engine = provision(data_dir)
    plain_port, tls_port, prefix = free_port(), free_port(), f"{unique('awtls')}/v1"
    issued = assetwatch(
        "mqtt", "credentials", "--out", str(files), "--data-dir", str(data_dir),
        "--mqtt-url", f"mqtt://platform:{PLATFORM_PASSWORD}@x", "--topic-prefix", prefix,
        "--issue-missing",
    )  # fmt: skip
    tokens = dict(line.split()[2:4] for line in issued.splitlines() if line.startswith("new token"))
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(broker_conf(certs, files, plain_port, tls_port), "utf-8")
    with mosquitto(conf, tls_port):
        for name, value in platform_env(certs, tls_port).items():
            monkeypatch.setenv(name, value)
        server = start_server(data_dir, "--mqtt-topic-prefix", prefix)
        server.tenant = TENANT
        try:
            yield Tls(server, certs, tls_port, prefix, tokens, engine)
        finally:
            engine.dispose()
            assert server.stop() == 0, "".join(server.output or [])


def test_the_api_and_http_ingestion_speak_https_only(tls: Tls) -> None:
    api = f"https://127.0.0.1:{tls.server.api_port}"
    with httpx.Client(verify=ssl.create_default_context(cafile=str(tls.ca)), timeout=10) as client:
        assert client.get(f"{api}/healthz").json()["status"] == "ok"
        ingest = f"https://localhost:{http_port(tls.server)}"
        stored = client.get(ingest, params={"id": "phone-1", "lat": 22.5, "lon": 114.0})
        assert stored.status_code == 200 and count(tls.engine, "phone-1") == 1
        track = client.get(
            f"{api}/api/v1/assets/CAR-PHONE-1/track", headers={"X-Assetwatch-Tenant": TENANT}
        )
        assert [(p["lat"], p["lon"]) for p in track.json()] == [(22.5, 114.0)]
    with pytest.raises(httpx.ConnectError):  # not signed by a CA the system trusts
        httpx.get(f"{api}/healthz", timeout=10)
    with pytest.raises(httpx.RemoteProtocolError):  # plain HTTP on the TLS port
        httpx.get(f"http://127.0.0.1:{tls.server.api_port}/healthz", timeout=10)


def test_the_platform_and_a_device_use_mqtt_over_tls(tls: Tls) -> None:
    wait_for(lambda: 'assetwatch_connections{protocol="mqtt"} 1.0' in _metrics(tls))
    device = MqttClient(
        tls.mqtt_port, username="sensor-1", password=tls.tokens["sensor-1"], tls_ca=tls.ca
    )
    try:
        assert device.connect()
        reading = {"temperature_c": 5.5, "time": int(time.time() * 1000)}
        device.publish(f"{tls.prefix}/sensor-1/reading", json.dumps(reading))
    finally:
        device.close()
    wait_for(lambda: count(tls.engine, "sensor-1") == 1)
    with socket.create_connection(("127.0.0.1", tls.mqtt_port), timeout=10) as plain:
        plain.sendall(MQTT_CONNECT)  # plain MQTT on the TLS port: no CONNACK, a hang-up
        assert _read_all(plain) == b""
    with (
        socket.create_connection(("127.0.0.1", tls.mqtt_port), timeout=10) as raw,
        pytest.raises(ssl.SSLCertVerificationError),  # the system CAs do not know our CA
    ):
        ssl.create_default_context().wrap_socket(raw, server_hostname="127.0.0.1")


def _metrics(tls: Tls) -> str:
    with httpx.Client(verify=ssl.create_default_context(cafile=str(tls.ca)), timeout=10) as client:
        return client.get(f"https://127.0.0.1:{tls.server.api_port}/metrics").text


def _read_all(sock: socket.socket) -> bytes:
    received = b""
    with contextlib.suppress(ConnectionResetError):
        while data := sock.recv(4096):
            received += data
    return received
