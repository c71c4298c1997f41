"""The MQTT ingestion gateway: the platform subscribes to a broker (Mosquitto) for devices.

- It subscribes to ``{prefix}/#`` at QoS 1 with a **persistent session** (MQTT 3.1.1,
  ``clean_session=False``) under a stable client id, so what devices publish while the
  platform is down is queued by the broker and delivered when it comes back.
- Acknowledgement is manual (paho-mqtt's ``manual_ack``): the PUBACK of a message is sent
  **only after the processor committed** its observations. When a commit fails the gateway
  drops the connection, so the broker delivers the un-acked messages again (duplicates are
  stored once: see :attr:`Observation.idem`).
- A payload that cannot be stored (not JSON, schema violation, unknown topic, unknown or
  revoked device) is republished to the dead-letter topic with the reason, counted in
  ``assetwatch_dead_letters_total``, and acked so it is not redelivered forever.
- paho's socket runs on the platform's event loop (reader/writer callbacks); only the
  blocking TCP connect runs in a worker thread. Reconnects back off exponentially.

Devices are authenticated by the broker (password file and ACL: docs/mqtt.md); the gateway
also checks that the topic's device is known (``unknown_devices`` policy).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

from assetwatch.errors import ConfigurationError
from assetwatch.gateways.admission import Refused, admit
from assetwatch.gateways.mqtt_topics import (
    MAX_PAYLOAD_BYTES,
    UnknownTopic,
    dead_letter_record,
    dead_letter_topic,
    parse_topic,
)
from assetwatch.observability import Metrics
from assetwatch.pipeline.bus import Ack, Bus, Envelope
from assetwatch.pipeline.directory import DeviceDirectory, UnknownPolicy
from assetwatch.protocols import jsonmsg
from assetwatch.settings import Settings

log = logging.getLogger(__name__)

PROTOCOL = "mqtt"


@dataclass(frozen=True, slots=True)
class MqttSettings:
    host: str
    port: int = 1883
    username: str | None = None
    password: str | None = None
    tls: bool = False
    ca_file: str | None = None  # CA of the broker's certificate; None: the system's
    topic_prefix: str = "assetwatch/v1"
    client_id: str = "assetwatch-platform"
    unknown_policy: UnknownPolicy = "quarantine"
    keepalive_s: int = 30
    min_backoff_s: float = 0.5
    max_backoff_s: float = 30.0

    @classmethod
    def of(cls, settings: Settings) -> MqttSettings:
        """From ``mqtt_url`` (``mqtt://user:pass@host:1883``, ``mqtts://`` for TLS)."""
        url = urlsplit(settings.mqtt_url or "")
        if url.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not url.hostname:
            raise ConfigurationError(
                f"mqtt_url {settings.mqtt_url!r}: expected mqtt://[user:pass@]host[:port]"
                " or mqtts://..."
            )
        tls = url.scheme in ("mqtts", "ssl")
        try:
            port = url.port or (8883 if tls else 1883)
        except ValueError as err:
            raise ConfigurationError(f"mqtt_url: {err}") from None
        return cls(
            host=url.hostname,
            port=port,
            username=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            tls=tls,
            ca_file=str(settings.mqtt_tls_ca_file) if settings.mqtt_tls_ca_file else None,
            topic_prefix=settings.mqtt_topic_prefix,
            client_id=settings.mqtt_client_id,
            unknown_policy=settings.unknown_devices,
        )


class MqttGateway:
    def __init__(
        self,
        bus: Bus,
        directory: DeviceDirectory,
        metrics: Metrics,
        clock: Callable[[], int],
        settings: MqttSettings,
    ):
        self.bus, self.directory, self.metrics, self.clock = bus, directory, metrics, clock
        self.settings = settings
        self.client = self._new_client()
        self.connected = asyncio.Event()  # set while subscribed (tests and health wait on it)
        self._generation = 0  # one per broker connection: acks never cross connections
        self._stopping = False
        self._subscribed_once = False  # this connection got its CONNACK
        self._attached: Any = None  # the socket registered with the event loop
        self._disconnected = asyncio.Event()
        self._idle = asyncio.Event()  # no message waits for its commit
        self._idle.set()
        self._waiting = 0
        self._dead_letter_acks: dict[int, Callable[[], None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0

    def _new_client(self) -> paho.Client:
        s = self.settings
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=s.client_id,
            clean_session=False,
            protocol=paho.MQTTv311,
            manual_ack=True,
        )
        if s.username is not None:
            client.username_pw_set(s.username, s.password)
        if s.tls:
            client.tls_set_context(ssl.create_default_context(cafile=s.ca_file))
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        client.on_subscribe = self._on_subscribe
        client.on_socket_close = self._on_socket_close
        client.on_socket_register_write = self._on_register_write
        client.on_socket_unregister_write = self._on_unregister_write
        return client

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        """Connect in the background (and keep reconnecting) until :meth:`stop`."""
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._task = asyncio.create_task(self._run())

    async def stop(self, drain_s: float = 5.0) -> None:
        """Stop taking messages, send the acks of those being committed, disconnect."""
        self._stopping = True
        if self._attached is not None:
            self._loop_or_die().remove_reader(self._attached)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), drain_s)
        if self._attached is not None:
            self.client.disconnect()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._disconnected.wait(), 2.0)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._detach()
        if self.client.socket() is not None:  # stopped while connecting: close it anyway
            with contextlib.suppress(Exception):
                self.client.disconnect()
                self.client.loop_write()

    async def _run(self) -> None:
        s = self.settings
        backoff = s.min_backoff_s
        while not self._stopping:
            self._disconnected.clear()
            self._subscribed_once = False
            try:
                await asyncio.to_thread(self.client.connect, s.host, s.port, s.keepalive_s)
            except (OSError, ValueError) as err:
                log.warning("MQTT broker %s:%d unreachable: %s", s.host, s.port, err)
            else:
                self._attach()
                misc = asyncio.create_task(self._keepalive())
                await self._disconnected.wait()
                misc.cancel()
                self._detach()
                if self._subscribed_once:
                    backoff = s.min_backoff_s
            if self._stopping:
                break
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, s.max_backoff_s)

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.client.loop_misc()

    # -- the socket on the event loop -------------------------------------------------------
    def _loop_or_die(self) -> asyncio.AbstractEventLoop:
        assert self._loop is not None, "start() first"
        return self._loop

    def _attach(self) -> None:
        sock = self.client.socket()
        if sock is None:
            self._disconnected.set()
            return
        self._attached = sock
        loop = self._loop_or_die()
        loop.add_reader(sock, self._read)
        if self.client.want_write():
            loop.add_writer(sock, self._write)

    def _detach(self) -> None:
        sock, self._attached = self._attached, None
        if sock is not None:
            loop = self._loop_or_die()
            loop.remove_reader(sock)
            loop.remove_writer(sock)

    def _read(self) -> None:
        self.client.loop_read()
        sock = self._attached
        if isinstance(sock, ssl.SSLSocket) and sock.pending():
            self._loop_or_die().call_soon(self._read)  # TLS-buffered bytes select() misses

    def _write(self) -> None:
        self.client.loop_write()

    def _on_loop_thread(self) -> bool:
        return threading.get_ident() == self._loop_thread

    def _on_register_write(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        if self._on_loop_thread() and sock is self._attached:
            self._loop_or_die().add_writer(sock, self._write)

    def _on_unregister_write(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        if self._on_loop_thread() and sock is self._attached:
            self._loop_or_die().remove_writer(sock)

    def _on_socket_close(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        if self._on_loop_thread() and sock is self._attached:
            self._detach()

    # -- MQTT callbacks ---------------------------------------------------------------------
    def _on_connect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if reason.is_failure:
            log.error("MQTT broker refused the connection: %s", reason)
            return
        self._generation += 1
        self._subscribed_once = True
        log.info("MQTT connected (session present: %s)", flags.session_present)
        client.subscribe(f"{self.settings.topic_prefix}/#", qos=1)

    def _on_subscribe(
        self, client: paho.Client, userdata: Any, mid: int, reasons: Any, properties: Any
    ) -> None:
        if any(r.is_failure for r in reasons):
            log.error("MQTT subscription to %s/# refused", self.settings.topic_prefix)
            return
        self.metrics.connections.labels(PROTOCOL).set(1)
        self.connected.set()

    def _on_disconnect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if not self._stopping:
            log.warning("MQTT connection lost: %s", reason)
        self.metrics.connections.labels(PROTOCOL).set(0)
        self.connected.clear()
        self._dead_letter_acks.clear()  # their originals come again on the next connection
        self._disconnected.set()

    def _on_publish(
        self, client: paho.Client, userdata: Any, mid: int, reason: Any, properties: Any
    ) -> None:
        ack = self._dead_letter_acks.pop(mid, None)
        if ack is not None:
            ack()

    def _on_message(self, client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        try:
            self._ingest(message)
        except Exception:  # a bug in one message must not stop the subscription
            log.exception("MQTT message handling failed")
            self.metrics.frames.labels(PROTOCOL, "error").inc()
            with contextlib.suppress(Exception):
                self._dead_letter(message, "internal_error", "the platform could not handle it")

    # -- messages ---------------------------------------------------------------------------
    def _ingest(self, message: paho.MQTTMessage) -> None:
        try:
            topic = message.topic
        except UnicodeDecodeError:
            self._settle(message, self._generation, True)  # cannot even be republished
            return
        prefix, payload = self.settings.topic_prefix, message.payload
        try:
            route = parse_topic(prefix, topic)
            if route is None:  # one of our own dead letters
                self._settle(message, self._generation, True)
                return
            key, kind = route
            if len(payload) > MAX_PAYLOAD_BYTES:
                raise jsonmsg.InvalidMessage("payload larger than 1 MiB", reason="too_large")
            decoded = jsonmsg.decode(payload, kind)
            admit(
                self.directory, PROTOCOL, key, policy=self.settings.unknown_policy, clock=self.clock
            )
        except UnknownTopic as err:
            self._dead_letter(message, "topic", str(err))
            return
        except jsonmsg.InvalidMessage as err:
            self._dead_letter(message, err.reason, str(err))
            return
        except Refused as refused:
            self._dead_letter(message, refused.reason, refused.detail)
            return
        observations = jsonmsg.to_observations(
            decoded, device_key=key, protocol=PROTOCOL, server_time_ms=self.clock()
        )
        generation = self._generation
        self._waiting += 1
        self._idle.clear()
        ack = Ack(len(observations), lambda ok: self._committed(message, generation, ok))
        for observation in observations:
            self.bus.publish(Envelope(observation, ack))
        self.metrics.frames.labels(PROTOCOL, "ok").inc()

    def _committed(self, message: paho.MQTTMessage, generation: int, ok: bool) -> None:
        self._waiting -= 1
        if self._waiting == 0:
            self._idle.set()
        if not ok and generation == self._generation:
            log.warning("commit failed: reconnecting so that the broker delivers again")
            self._generation += 1  # no ack of this connection goes out any more
            self.client.disconnect()
            return
        self._settle(message, generation, ok)

    def _settle(self, message: paho.MQTTMessage, generation: int, ok: bool) -> None:
        """PUBACK, unless the connection it came on is gone (then the broker sends it again)."""
        if ok and message.qos > 0 and generation == self._generation:
            self.client.ack(message.mid, message.qos)

    def _dead_letter(self, message: paho.MQTTMessage, reason: str, error: str) -> None:
        self.metrics.dead_letters.labels(PROTOCOL, reason).inc()
        self.metrics.frames.labels(PROTOCOL, "bad").inc()
        topic = message.topic
        log.info("MQTT dead letter from %s: %s: %s", topic, reason, error)
        record = dead_letter_record(topic, message.payload, reason, error, self.clock())
        info = self.client.publish(
            dead_letter_topic(self.settings.topic_prefix, topic), record, qos=1
        )
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            return  # not queued: no ack, the broker delivers the original again
        generation = self._generation
        self._dead_letter_acks[info.mid] = lambda: self._settle(message, generation, True)
