"""The GT06 (Concox family) TCP gateway.

One :class:`Gt06Connection` per tracker socket. The login (0x01) is the only packet that
names the device: it is answered at once (echoing its serial) when the IMEI is known, or
quarantined under ``unknown_devices = quarantine``; under ``reject`` the connection is
closed without an answer. Later packets belong to that IMEI.

Acknowledgements follow the protocol: status/heartbeat (0x13) and alarms (0x16/0x26/0x27/
0xA4) are answered **only after the processor has committed them** (a tracker that gets no
answer resends); locations and cell reports need no answer and are simply published, in
order, on the same partition. 0x8A is answered with the server's UTC time. Commands go out
as 0x80 with a fresh server flag; the 0x15/0x21 answer is reported to the sessions registry
as a :class:`~assetwatch.model.commands.CommandOutcome`. Bad frames are counted and skipped;
a connection is closed only after repeated garbage, never the server.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal, cast

from assetwatch.errors import ProtocolError
from assetwatch.gateways.backpressure import BackPressure
from assetwatch.gateways.sessions import Sessions
from assetwatch.gateways.tcp import ConnectionGuard, TcpLimits
from assetwatch.model.commands import CommandKind
from assetwatch.observability import Metrics
from assetwatch.pipeline.bus import Ack, Bus, Envelope
from assetwatch.pipeline.directory import DeviceDirectory, DeviceInfo
from assetwatch.protocols import gt06

log = logging.getLogger(__name__)

UnknownPolicy = Literal["quarantine", "reject"]
PROTOCOL = "gt06"
MAX_GARBAGE = 20
MAX_FRAME = 2048  # the longest 0x7979 packet real trackers send (0x94 information) fits
_REPORTS = (gt06.Location, gt06.Alarm, gt06.Status, gt06.CellScan, gt06.Information)


class Gt06Connection(asyncio.Protocol):
    def __init__(self, gateway: Gt06Gateway):
        self.gw = gateway
        self.splitter = gt06.FrameSplitter(
            max_frame=min(MAX_FRAME, gateway.guard.limits.max_frame_bytes)
        )
        self.last_frame_at = 0.0
        self.partial_since: float | None = None
        self.transport: asyncio.Transport | None = None
        self.device: DeviceInfo | None = None
        self.login_zone: tzinfo | None = None
        self.serial = 0  # of the frames this server originates (0x80 commands)
        self.garbage = 0
        self._outbox: list[bytes] = []
        self._online = False  # registered in the gateway's sessions

    # -- DeviceLink ------------------------------------------------------------------------
    protocol = PROTOCOL

    @property
    def device_key(self) -> str:
        return self.device.key if self.device is not None else ""

    def send_command(self, kind: CommandKind, params: dict[str, Any]) -> int:
        """Write ``kind`` as a 0x80 command; returns the server flag the answer will echo."""
        if self.transport is None or self.transport.is_closing():
            raise ConnectionError(f"GT06 connection of {self.device_key or '?'} is closing")
        text = gt06.command_text(kind, params)  # CommandNotSupported / ValidationError
        flag = self.gw.next_server_flag()
        self.serial = (self.serial + 1) & 0xFFFF
        self._send(gt06.encode_server_command(text, flag, self.serial))
        return flag

    # -- asyncio.Protocol -------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        if not self.gw.guard.admit(self, self.transport):
            return
        self.gw.metrics.connections.labels(PROTOCOL).inc()

    def connection_lost(self, exc: Exception | None) -> None:
        if self not in self.gw.guard.connections:
            return  # refused at admission
        self.gw.guard.release(self)
        if self._online:
            self.gw.sessions.offline(self)
            self._online = False
        self.gw.metrics.connections.labels(PROTOCOL).dec()
        if self.transport is not None:
            self.gw.backpressure.forget(self.transport)

    def data_received(self, data: bytes) -> None:
        junk = self.splitter.junk_bytes
        frames = self.splitter.feed(data)
        now = time.monotonic()
        if frames:
            self.last_frame_at = now
        if not self.splitter.pending:
            self.partial_since = None
        elif self.partial_since is None or frames:
            self.partial_since = now
        for frame in frames:
            try:
                self._handle(frame)
            except ProtocolError as err:
                self._bad_frame(f"undecodable frame: {err}")
            except Exception:  # a bug in one message must not kill the connection
                log.exception("GT06 message handling failed")
                self.gw.metrics.frames.labels(PROTOCOL, "error").inc()
        if self.splitter.junk_bytes > junk:
            self._garbage(f"{self.splitter.junk_bytes - junk} bytes outside frames")
        if self.transport is not None:
            self.gw.backpressure.check(self.transport)

    # -- dispatch ---------------------------------------------------------------------------
    def _bad_frame(self, why: str) -> None:
        self.gw.metrics.frames.labels(PROTOCOL, "bad").inc()
        self._garbage(why)

    def _garbage(self, why: str) -> None:
        self.garbage += 1
        log.debug("gt06 %s", why)
        if self.garbage > MAX_GARBAGE and self.transport is not None:
            log.warning("closing GT06 connection after %d bad inputs", self.garbage)
            self.transport.close()

    def _handle(self, frame: gt06.Frame) -> None:
        if not frame.crc_ok:
            self._bad_frame(f"bad CRC in protocol 0x{frame.protocol:02X}")
            return
        message = gt06.decode_frame(frame)
        body = message.body
        if isinstance(body, gt06.Login):
            self._on_login(message, body)
            return
        if self.device is None:
            self._bad_frame(f"protocol 0x{frame.protocol:02X} before login")
            return
        self.garbage = 0  # only consecutive garbage closes a connection
        if isinstance(body, _REPORTS):
            self._on_report(message)
        elif isinstance(body, gt06.CommandReply):
            self._on_reply(message, body)
        elif isinstance(body, gt06.Empty) and frame.protocol == gt06.TIME:
            self._reply_time(message)
        elif not isinstance(body, gt06.Empty):  # server-side packets, vendor extensions
            self.gw.metrics.frames.labels(PROTOCOL, "unsupported").inc()
            log.debug("gt06 %s: protocol 0x%02X not handled", self.device.key, frame.protocol)
            return
        self.gw.frames_ok.inc()

    def _on_login(self, message: gt06.Message, login: gt06.Login) -> None:
        directory, imei = self.gw.directory, login.imei
        device = directory.get(PROTOCOL, imei)
        if device is None and self.gw.unknown_policy == "quarantine":
            device = directory.quarantine(PROTOCOL, imei, self.gw.clock())
        if device is None or device.status == "revoked":
            self.gw.metrics.frames.labels(PROTOCOL, "bad").inc()
            log.warning("GT06 login of %s refused (%s)", imei, "revoked" if device else "unknown")
            if self.transport is not None:
                self.transport.close()
            return
        self.gw.frames_ok.inc()
        self.garbage = 0
        if self._online and self.device is not None and self.device.key != imei:
            self.gw.sessions.offline(self)  # another IMEI on the same socket: the old one left
            self._online = False
        self.device = device
        self.login_zone = login.zone
        self._send(gt06.encode_login_ack(message.serial))
        self._went_online()

    def _went_online(self) -> None:
        """The device on this connection is identified and accepted: it can get commands."""
        if not self._online and self.device is not None and not self.device.quarantined:
            self._online = True
            self.gw.sessions.online(self)

    def _current_device(self) -> DeviceInfo:
        """The directory's latest view of this connection's device (a claimed quarantined
        device, a changed time zone), or the one seen at login."""
        assert self.device is not None
        latest = self.gw.directory.get(PROTOCOL, self.device.key)
        if latest is not None:
            self.device = latest
        return self.device

    def _on_report(self, message: gt06.Message) -> None:
        device = self._current_device()
        self._went_online()
        observations = gt06.to_observations(
            message,
            device_key=device.key,
            tz=device.tz,
            server_time_ms=self.gw.clock(),
            login_zone=self.login_zone,
        )
        protocol, serial = message.protocol, message.serial
        needs_ack = protocol in gt06.NEEDS_ACK
        if not observations:
            if needs_ack:
                self._send(gt06.encode_ack(protocol, serial))
            return
        ack = None
        if needs_ack:

            def acknowledge(ok: bool) -> None:
                if ok:
                    self._send(gt06.encode_ack(protocol, serial))

            ack = Ack(len(observations), acknowledge)
        for observation in observations:
            self.gw.bus.publish(Envelope(observation, ack))

    def _on_reply(self, message: gt06.Message, reply: gt06.CommandReply) -> None:
        device = self._current_device()
        self.gw.sessions.outcome(PROTOCOL, device.key, gt06.command_outcome(reply))
        self._on_report(message)  # a WHERE# answer spells out a position worth keeping

    def _reply_time(self, message: gt06.Message) -> None:
        now = datetime.fromtimestamp(self.gw.clock() / 1000, UTC)
        self._send(gt06.encode_time_reply(now, message.serial))

    # -- replies ----------------------------------------------------------------------------
    def _send(self, frame: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        if not self._outbox:  # one write per connection per loop iteration
            asyncio.get_running_loop().call_soon(self._flush)
        self._outbox.append(frame)

    def _flush(self) -> None:
        frames, self._outbox = self._outbox, []
        if frames and self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(frames))


class Gt06Gateway:
    def __init__(
        self,
        bus: Bus,
        directory: DeviceDirectory,
        metrics: Metrics,
        clock: Callable[[], int],
        *,
        unknown_policy: UnknownPolicy = "quarantine",
        sessions: Sessions | None = None,
        limits: TcpLimits | None = None,
    ):
        self.bus, self.directory, self.metrics, self.clock = bus, directory, metrics, clock
        self.unknown_policy = unknown_policy
        self.sessions = sessions if sessions is not None else Sessions()
        self.backpressure = BackPressure(bus)
        self.frames_ok = metrics.frames.labels(PROTOCOL, "ok")  # bound once: hot path
        self.guard = ConnectionGuard(limits or TcpLimits(), metrics, PROTOCOL)
        self._server: asyncio.Server | None = None
        # server flags count on from the start time, so a restart does not reuse the flags
        # of commands still waiting for an answer; 0 is never used (devices send it unasked)
        self._flag = (clock() // 1000) % 0xFFFFFFFF

    def next_server_flag(self) -> int:
        """A fresh 32-bit server flag (1 … 2³²−1) to correlate a command with its answer."""
        self._flag = self._flag % 0xFFFFFFFF + 1
        return self._flag

    async def start(self, host: str, port: int) -> int:
        """Listen; returns the bound port (useful when ``port`` is 0)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: Gt06Connection(self), host, port)
        self.guard.start()
        sock = self._server.sockets[0]
        return int(sock.getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self.guard.stop()
            for conn in list(self.guard.connections):
                if conn.transport is not None:
                    conn.transport.close()
            await self._server.wait_closed()
