"""The JT/T 808 TCP gateway.

One :class:`Jt808Connection` per terminal socket: it splits frames, decodes them, answers
registration and authentication, and publishes locations to the bus. The 0x8001 general
response for a location or batch is written **only after the processor has committed it**;
a terminal that gets no answer retransmits. Bad frames are counted and skipped; a connection
is closed only after repeated garbage, never the server.

Trust (docs/security-devices.md): a terminal that holds an auth code must authenticate on
its connection before its data is accepted; a wrong code is refused (and the connection
closed after :data:`MAX_AUTH_FAILURES`); a revoked terminal is refused and hung up on.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Callable
from typing import Any

import msgspec

from assetwatch.errors import CommandNotSupported, ProtocolError
from assetwatch.gateways.device_tcp import DeviceConnection, DeviceGateway
from assetwatch.model.commands import CommandKind
from assetwatch.model.observation import Observation, ObservationKind
from assetwatch.pipeline.bus import Ack, Envelope
from assetwatch.pipeline.directory import DeviceInfo, UnknownPolicy
from assetwatch.protocols import jt808

log = logging.getLogger(__name__)

__all__ = ["Jt808Connection", "Jt808Gateway", "UnknownPolicy"]

REGISTER, AUTHENTICATE, HEARTBEAT, LOGOUT, LOGOUT_2011 = 0x0100, 0x0102, 0x0002, 0x0003, 0x0101
LOCATION, BATCH, TERMINAL_RESPONSE = 0x0200, 0x0704, 0x0001
PARAMETER_REPLY, LOCATION_QUERY_REPLY, VEHICLE_CONTROL_REPLY = 0x0104, 0x0201, 0x0500
PLATFORM_RESPONSE, REGISTRATION_REPLY, RESEND_REQUEST = 0x8001, 0x8100, 0x8003
MAX_BODY_LEN = 0x3FF
OK, FAILURE, NOT_SUPPORTED = 0, 1, 3
REG_NO_SUCH_TERMINAL = 4
MAX_GARBAGE = 20
MAX_AUTH_FAILURES = 3
SUBPACKET_SWEEP_S = 10.0


class Jt808Connection(DeviceConnection["Jt808Gateway"]):
    protocol = "jt808"

    def __init__(self, gateway: Jt808Gateway):
        super().__init__(gateway)
        self.splitter = jt808.FrameSplitter(gateway.guard.limits.max_frame_bytes)
        self.serial = 0
        self.authenticated = False  # the terminal of self.device presented its code here
        self.auth_failures = 0
        self._last_header: jt808.Header | None = None  # version and id to answer with

    # -- DeviceLink ------------------------------------------------------------------------
    def send_command(self, kind: CommandKind, params: dict[str, Any]) -> int:
        """Write the command in the terminal's own header version; returns its serial, which
        the terminal echoes as the reply serial of 0x0001/0x0104/0x0201/0x0500."""
        header = self._last_header
        if header is None or self.transport is None or self.transport.is_closing():
            raise ConnectionError("JT/T 808 connection is closing")
        msg_id, body = jt808.encode_command(kind, params, version=header.version)
        if len(body) > MAX_BODY_LEN:
            raise CommandNotSupported(
                f"{kind} body is {len(body)} bytes, more than one JT/T 808 frame holds"
            )
        return self._send_to(header, msg_id, body)

    # -- asyncio.Protocol -------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        frames = self.splitter.feed(data)
        self.stamp(len(frames), self.splitter.pending)
        now = time.monotonic()
        for content in frames:
            if not self.allow_frame(now):
                continue
            try:
                self._handle(content)
            except ProtocolError as err:
                self._garbage(f"undecodable frame: {err}")
            except Exception:  # a bug in one message must not kill the connection
                log.exception("JT/T 808 message handling failed")
                self.gw.metrics.frames.labels("jt808", "error").inc()
        if self.transport is not None:
            self.gw.backpressure.check(self.transport)

    # -- dispatch ---------------------------------------------------------------------------
    def _garbage(self, why: str) -> None:
        self.gw.metrics.frames.labels("jt808", "bad").inc()
        self.garbage += 1
        log.debug("jt808 %s", why)
        if self.garbage > MAX_GARBAGE and self.transport is not None:
            log.warning("closing JT/T 808 connection after %d bad frames", self.garbage)
            self.transport.close()

    def _handle(self, content: bytes) -> None:
        message = jt808.decode_frame(content)
        if not message.checksum_ok:
            self._garbage("bad checksum")
            return
        self.gw.frames_ok.inc()
        self.garbage = 0  # only consecutive garbage closes a connection
        self._last_header = message.header
        if message.header.packet_total is not None and message.header.packet_total > 1:
            whole = self._reassemble(message)
            if whole is None:
                return
            message = whole
        header = message.header
        handler = self._handlers.get(header.msg_id)
        if handler is None:
            self._respond(message, NOT_SUPPORTED)
            return
        handler(self, message)

    def _reassemble(self, piece: jt808.Message) -> jt808.Message | None:
        """Hold a sub-packet piece; the whole message once the last piece is in.

        Held pieces are not answered: the spec allows "one 0x8001 for the whole set", and it
        is the only answer that keeps ack-after-commit. The completing piece is answered like
        any message of its kind, after the whole was committed; a terminal that re-sends
        pieces meanwhile is harmless (duplicates are ignored), and pieces still missing are
        asked for with 0x8003.
        """
        if self._trusted(piece) is None:  # refused: hold nothing for it
            self._respond(piece, FAILURE)
            return None
        try:
            whole = self.gw.reassembler.add(piece, self.gw.clock())
        except jt808.SubpacketRejected as err:
            log.warning("jt808 %s: sub-packet refused: %s", piece.header.phone, err)
            self._respond(piece, FAILURE)
            return None
        if whole is None:
            return None
        return msgspec.structs.replace(whole, header=piece.header)

    def request_missing_pieces(self) -> int:
        """Send 0x8003 for the pieces still missing of this terminal's pending messages."""
        header = self._last_header
        if header is None or header.version == "2011":
            return 0  # 2011 has no re-send request
        requests = self.gw.reassembler.missing(header.phone)
        for request in requests:
            body = jt808.encode_resend_request(request.first_serial, request.packet_ids)
            self._send_to(header, RESEND_REQUEST, body)
        return len(requests)

    def _device_for(self, message: Any) -> DeviceInfo | None:
        phone = message.header.phone
        if self.device is not None and self.device.key == phone:
            return self.current_device()
        device = self.find_device(phone)
        self.went_offline()  # another terminal id on the same socket: the old one left
        self.device = device
        self.authenticated = False  # ... and the new one authenticates for itself
        return device

    def _trusted(self, message: Any) -> DeviceInfo | None:
        """The device of a data message if it may send data here: known (or quarantined),
        not revoked, and authenticated on this connection when it holds an auth code. A
        revoked terminal is hung up on after the answer."""
        device = self._device_for(message)
        phone = message.header.phone
        if device is None:
            self.refuse("unknown", phone)
        elif device.status == "revoked":
            self.refuse("revoked", phone)
            asyncio.get_running_loop().call_soon(self.hang_up)  # with the failure answer
        elif device.auth_code is not None and not self.authenticated:
            self.refuse("not_authenticated", phone)
        else:
            return device
        return None

    def _on_register(self, message: Any) -> None:
        device = self._device_for(message)
        if device is None or device.status == "revoked":
            if device is not None:
                self.refuse("revoked", device.key)
            self._send(
                REGISTRATION_REPLY,
                message,
                jt808.encode_registration_reply(message.header.serial, REG_NO_SUCH_TERMINAL, ""),
            )
            return
        code = device.auth_code or self.gw.directory.issue_auth_code(device)
        self._send(
            REGISTRATION_REPLY,
            message,
            jt808.encode_registration_reply(message.header.serial, OK, code),
        )

    def _on_authenticate(self, message: Any) -> None:
        device = self._device_for(message)
        code = getattr(message.body, "auth_code", None) or getattr(message.body, "code", "")
        refusal = _authentication_refusal(device, str(code))
        self._respond(message, OK if refusal is None else FAILURE)
        if refusal is not None:
            self.auth_failures += 1
            self.refuse(refusal, message.header.phone)
            if refusal == "revoked" or self.auth_failures >= MAX_AUTH_FAILURES:
                self.hang_up()
            return
        self.authenticated = True
        self.went_online()

    def _on_heartbeat(self, message: Any) -> None:
        device = self._trusted(message)
        if device is not None:
            now = self.gw.clock()
            self.gw.bus.publish(
                Envelope(
                    Observation(
                        device_key=device.key,
                        protocol="jt808",
                        time_ms=now,
                        server_time_ms=now,
                        kind=ObservationKind.HEARTBEAT,
                    )
                )
            )
            self.went_online()
        self._respond(message, OK if device is not None else FAILURE)

    def _on_logout(self, message: Any) -> None:
        self._respond(message, OK)
        self.hang_up()  # the answer goes out before the close

    def _on_location(self, message: Any) -> None:
        device = self._trusted(message)
        if device is None:
            self._respond(message, FAILURE)
            return
        if isinstance(message.body, jt808.RawBody):
            # sub-packets (reassembly comes with the full JT/T 808 issue) and encrypted bodies:
            # never say OK for data that was not stored
            self.gw.metrics.frames.labels("jt808", "unsupported").inc()
            log.warning(
                "jt808 %s: %s not stored: %s",
                device.key,
                hex(message.header.msg_id),
                message.body.reason,
            )
            self._respond(message, NOT_SUPPORTED)
            return
        self.went_online()
        observations = jt808.to_observations(
            message, device_key=device.key, tz=device.tz, server_time_ms=self.gw.clock()
        )
        if not observations:
            self._respond(message, OK)
            return

        def acknowledge(ok: bool) -> None:
            if ok:
                self._respond(message, OK)

        ack = Ack(len(observations), acknowledge)
        for obs in observations:
            self.gw.bus.publish(Envelope(obs, ack))

    def _on_command_reply(self, message: Any) -> None:
        """0x0001/0x0104/0x0201/0x0500: settle the command; keep any location it carries."""
        device = self._trusted(message)
        if device is None:
            return
        if message.header.msg_id in (LOCATION_QUERY_REPLY, VEHICLE_CONTROL_REPLY):
            observations = jt808.to_observations(
                message, device_key=device.key, tz=device.tz, server_time_ms=self.gw.clock()
            )
            for obs in observations:
                self.gw.bus.publish(Envelope(obs))
        outcome = jt808.command_outcome(message, tz=device.tz)
        if outcome is not None and "awaits" not in outcome.details:  # 0x8500: wait for 0x0500
            self.gw.sessions.outcome("jt808", device.key, outcome)

    _handlers: dict[int, Callable[[Jt808Connection, Any], None]] = {
        REGISTER: _on_register,
        AUTHENTICATE: _on_authenticate,
        HEARTBEAT: _on_heartbeat,
        LOGOUT: _on_logout,
        LOGOUT_2011: _on_logout,
        LOCATION: _on_location,
        BATCH: _on_location,
        TERMINAL_RESPONSE: _on_command_reply,
        PARAMETER_REPLY: _on_command_reply,
        LOCATION_QUERY_REPLY: _on_command_reply,
        VEHICLE_CONTROL_REPLY: _on_command_reply,
    }

    # -- replies ----------------------------------------------------------------------------
    def _respond(self, message: Any, result: int) -> None:
        body = jt808.encode_platform_response(message.header.serial, message.header.msg_id, result)
        self._send(PLATFORM_RESPONSE, message, body)

    def _send(self, msg_id: int, message: Any, body: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self._send_to(message.header, msg_id, body)

    def _send_to(self, header: jt808.Header, msg_id: int, body: bytes) -> int:
        """Queue one frame to the terminal of ``header`` (its id and version); its serial."""
        self.serial = (self.serial + 1) & 0xFFFF
        frame = jt808.encode_frame(
            msg_id,
            header.phone,
            self.serial,
            body,
            version=header.version,
            protocol_version=header.protocol_version or 1,
        )
        self.queue(frame)
        return self.serial


def _authentication_refusal(device: DeviceInfo | None, code: str) -> str | None:
    """Why a 0x0102 with ``code`` is refused, or ``None``. A device that never registered
    has no code yet: any code is accepted (its code is issued at its first 0x0100)."""
    if device is None:
        return "unknown"
    if device.status == "revoked":
        return "revoked"
    if device.auth_code is not None and not hmac.compare_digest(
        device.auth_code.encode(), code.encode()
    ):
        return "wrong_auth_code"
    return None


class Jt808Gateway(DeviceGateway):
    protocol = "jt808"

    def setup(self) -> None:
        self.reassembler = jt808.Reassembler()

    def new_connection(self) -> Jt808Connection:
        return Jt808Connection(self)

    def background(self) -> list[Callable[[], Any]]:
        return [self._sweep_subpackets]

    async def _sweep_subpackets(self, every_s: float = SUBPACKET_SWEEP_S) -> None:
        """Drop timed-out sub-packeted messages; ask terminals for the pieces still missing."""
        while True:
            await asyncio.sleep(every_s)
            self.reassembler.expire(self.clock())
            for conn in list(self.guard.connections):
                if isinstance(conn, Jt808Connection):
                    conn.request_missing_pieces()
