"""The GT06 (Concox family) TCP gateway.

One :class:`Gt06Connection` per tracker socket. The login (0x01) is the only packet that
names the device: it is answered at once (echoing its serial) when the IMEI is known, or
quarantined under ``unknown_devices = quarantine``; under ``reject`` the connection is
closed without an answer; so is a revoked device's, and a device revoked while connected is
hung up on at its next packet. Later packets belong to that IMEI.

Acknowledgements follow the protocol: status/heartbeat (0x13) and alarms (0x16/0x26/0x27/
0xA4) are answered **only after the processor has committed them** (a tracker that gets no
answer resends); locations and cell reports need no answer and are simply published, in
order, on the same partition. 0x8A is answered with the server's UTC time. Commands go out
as 0x80 with a fresh server flag; the 0x15/0x21 answer is reported to the sessions registry
as a :class:`~assetwatch.model.commands.CommandOutcome`. Bad frames are counted and skipped;
a connection is closed only after repeated garbage, never the server.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, tzinfo
from typing import Any

from assetwatch.errors import ProtocolError
from assetwatch.gateways.device_tcp import DeviceConnection, DeviceGateway
from assetwatch.model.commands import CommandKind
from assetwatch.pipeline.bus import Ack, Envelope
from assetwatch.pipeline.directory import UnknownPolicy
from assetwatch.protocols import gt06

log = logging.getLogger(__name__)

__all__ = ["Gt06Connection", "Gt06Gateway", "UnknownPolicy"]
PROTOCOL = "gt06"
MAX_GARBAGE = 20
MAX_FRAME = 2048  # the longest 0x7979 packet real trackers send (0x94 information) fits
_REPORTS = (gt06.Location, gt06.Alarm, gt06.Status, gt06.CellScan, gt06.Information)


class Gt06Connection(DeviceConnection["Gt06Gateway"]):
    protocol = PROTOCOL

    def __init__(self, gateway: Gt06Gateway):
        super().__init__(gateway)
        self.splitter = gt06.FrameSplitter(
            max_frame=min(MAX_FRAME, gateway.guard.limits.max_frame_bytes)
        )
        self.login_zone: tzinfo | None = None
        self.serial = 0  # of the frames this server originates (0x80 commands)

    # -- DeviceLink ------------------------------------------------------------------------
    def send_command(self, kind: CommandKind, params: dict[str, Any]) -> int:
        """Write ``kind`` as a 0x80 command; returns the server flag the answer will echo."""
        if self.transport is None or self.transport.is_closing():
            raise ConnectionError(f"GT06 connection of {self.device_key or '?'} is closing")
        text = gt06.command_text(kind, params)  # CommandNotSupported / ValidationError
        flag = self.gw.next_server_flag()
        self.serial = (self.serial + 1) & 0xFFFF
        self.queue(gt06.encode_server_command(text, flag, self.serial))
        return flag

    # -- asyncio.Protocol -------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        junk = self.splitter.junk_bytes
        frames = self.splitter.feed(data)
        self.stamp(len(frames), self.splitter.pending)
        now = time.monotonic()
        for frame in frames:
            if not self.allow_frame(now):
                continue
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
        device = self.current_device()
        if device is None:
            self._bad_frame(f"protocol 0x{frame.protocol:02X} before login")
            return
        if device.status == "revoked":
            self.refuse("revoked", device.key)
            self.hang_up()
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
            log.debug("gt06 %s: protocol 0x%02X not handled", device.key, frame.protocol)
            return
        self.gw.frames_ok.inc()

    def _on_login(self, message: gt06.Message, login: gt06.Login) -> None:
        imei = login.imei
        device = self.find_device(imei)
        if device is None or device.status == "revoked":
            self.gw.metrics.frames.labels(PROTOCOL, "bad").inc()
            self.refuse("revoked" if device else "unknown", imei)
            if self.transport is not None:
                self.transport.close()
            return
        self.gw.frames_ok.inc()
        self.garbage = 0
        if self.device is not None and self.device.key != imei:
            self.went_offline()  # another IMEI on the same socket: the old one left
        self.device = device
        self.login_zone = login.zone
        self.queue(gt06.encode_login_ack(message.serial))
        self.went_online()

    def _on_report(self, message: gt06.Message) -> None:
        device = self.device  # refreshed from the directory by _handle
        assert device is not None
        self.went_online()
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
                self.queue(gt06.encode_ack(protocol, serial))
            return
        ack = None
        if needs_ack:

            def acknowledge(ok: bool) -> None:
                if ok:
                    self.queue(gt06.encode_ack(protocol, serial))

            ack = Ack(len(observations), acknowledge)
        for observation in observations:
            self.gw.bus.publish(Envelope(observation, ack))

    def _on_reply(self, message: gt06.Message, reply: gt06.CommandReply) -> None:
        self.gw.sessions.outcome(PROTOCOL, self.device_key, gt06.command_outcome(reply))
        self._on_report(message)  # a WHERE# answer spells out a position worth keeping

    def _reply_time(self, message: gt06.Message) -> None:
        now = datetime.fromtimestamp(self.gw.clock() / 1000, UTC)
        self.queue(gt06.encode_time_reply(now, message.serial))


class Gt06Gateway(DeviceGateway):
    protocol = PROTOCOL

    def setup(self) -> None:
        # server flags count on from the start time, so a restart does not reuse the flags
        # of commands still waiting for an answer; 0 is never used (devices send it unasked)
        self._flag = (self.clock() // 1000) % 0xFFFFFFFF

    def new_connection(self) -> Gt06Connection:
        return Gt06Connection(self)

    def next_server_flag(self) -> int:
        """A fresh 32-bit server flag (1 … 2³²−1) to correlate a command with its answer."""
        self._flag = self._flag % 0xFFFFFFFF + 1
        return self._flag
