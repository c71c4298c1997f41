"""A small MQTT test client (paho, its own network thread) for the ingestion tests."""

from __future__ import annotations

import os
import queue
import ssl
import threading
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

BROKER = ("127.0.0.1", 1883)


def unique(name: str) -> str:
    """A name no other test (or engineer) uses at the same time on the shared broker."""
    return f"{name}-{uuid.uuid4().hex[:10]}"


class MqttClient:
    """Connects (or refuses to), publishes at QoS 1 and waits for the PUBACK, collects what
    it subscribed to."""

    def __init__(
        self,
        port: int = BROKER[1],
        *,
        client_id: str | None = None,
        username: str | None = None,
        password: str | None = None,
        clean_session: bool = True,
        tls_ca: Path | None = None,
    ):
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or unique("test"),
            clean_session=clean_session,
            protocol=paho.MQTTv311,
        )
        if username is not None:
            self.client.username_pw_set(username, password)
        if tls_ca is not None:  # MQTT over TLS, trusting this CA only
            self.client.tls_set_context(ssl.create_default_context(cafile=str(tls_ca)))
        self.port = port
        self.received: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self._connack = threading.Event()
        self._subscribed = threading.Event()
        self.reason: Any = None
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *_args: self._subscribed.set()
        self.client.on_message = lambda _c, _u, m: self.received.put((m.topic, m.payload))

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        self.reason = reason
        self._connack.set()

    def connect(self, timeout_s: float = 10.0) -> bool:
        """True when the broker accepted the connection."""
        self.client.connect(BROKER[0], self.port, keepalive=30)
        self.client.loop_start()
        assert self._connack.wait(timeout_s), "no CONNACK"
        return not self.reason.is_failure

    def subscribe(self, topic: str, timeout_s: float = 10.0) -> None:
        self._subscribed.clear()
        self.client.subscribe(topic, qos=1)
        assert self._subscribed.wait(timeout_s), f"no SUBACK for {topic}"

    def publish(self, topic: str, payload: bytes | str, timeout_s: float = 10.0) -> None:
        info = self.client.publish(topic, payload, qos=1)
        info.wait_for_publish(timeout_s)
        assert info.is_published(), f"no PUBACK for {topic}"

    def next_message(self, timeout_s: float = 15.0) -> tuple[str, bytes]:
        return self.received.get(timeout=timeout_s)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def broker_client(**kwargs: Any) -> MqttClient:
    """A connected client of the shared broker; skips (fails under CI=true) without one."""
    client = MqttClient(**kwargs)
    try:
        accepted = client.connect()
    except OSError as err:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Mosquitto on 127.0.0.1:1883 is required when CI=true: {err}")
        pytest.skip(f"no MQTT broker on 127.0.0.1:1883: {err}")
    assert accepted, f"the broker refused the test client: {client.reason}"
    return client


def drop_session(client_id: str) -> None:
    """Remove the broker's persistent session of ``client_id`` (a clean connect does)."""
    cleaner = MqttClient(client_id=client_id, clean_session=True)
    assert cleaner.connect()
    cleaner.close()
