"""Sub-packet reassembly and splitting (spec §3), pure: the caller passes the time.

A message longer than one frame travels as pieces with body-properties bit 13 set, each with
``total`` and a 1-based ``index`` and its own serial; the pieces of one message use
consecutive serials. :class:`Reassembler` collects the decoded pieces by
(phone, message id, total, serial of the first piece) and returns the whole message, decoded,
once every piece is there::

    reassembler = Reassembler()
    message = decode_frame(content)
    if message.header.packet_total is not None:
        try:
            whole = reassembler.add(message, now_ms)      # None until complete
        except SubpacketRejected:
            ...                                           # answer the piece with result 1
    for request in reassembler.missing(phone):            # ask for lost pieces (2013+)
        send(0x8003, encode_resend_request(request.first_serial, request.packet_ids))

Limits keep memory bounded: a pending message whose last new piece is older than
``timeout_ms`` is dropped; a device may hold at most ``max_pending_per_device`` pending
messages and ``max_bytes_per_device`` buffered bytes. Duplicate pieces are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, NamedTuple

import msgspec

from assetwatch.errors import ProtocolError
from assetwatch.protocols.jt808.decoder import Message, parse_body
from assetwatch.protocols.jt808.encoder import encode_frame
from assetwatch.protocols.jt808.header import MAX_BODY_LEN, SUBPACKET_FLAG, Header
from assetwatch.protocols.jt808.resend import ResendRequest

DEFAULT_TIMEOUT_MS: Final = 120_000
DEFAULT_MAX_BYTES: Final = 256 * 1024
DEFAULT_MAX_PENDING: Final = 4


class SubpacketRejected(ProtocolError):
    """A piece that cannot be buffered: bad index/total, or a device over its limits."""


class SubpacketKey(NamedTuple):
    """Identity of one sub-packeted message."""

    phone: str
    msg_id: int
    total: int
    first_serial: int


@dataclass(slots=True)
class _Pending:
    header: Header
    started_ms: int
    last_ms: int
    pieces: dict[int, bytes] = field(default_factory=dict)
    size: int = 0
    checksum_ok: bool = True


def piece_key(header: Header) -> SubpacketKey:
    """The key of the message a piece belongs to (its first serial = serial - index + 1)."""
    total, index = header.packet_total or 1, header.packet_index or 1
    first = (header.serial - index + 1) & 0xFFFF
    return SubpacketKey(header.phone, header.msg_id, total, first)


class Reassembler:
    """Collects sub-packet pieces per device until a message is complete (not thread-safe).

    ``timeout_ms``: a pending message is dropped when no new piece came for this long.
    ``max_bytes_per_device`` / ``max_pending_per_device``: limits per phone; a piece over
    them raises :class:`SubpacketRejected` (and, for the byte limit, drops its message).
    """

    def __init__(
        self,
        *,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
        max_bytes_per_device: int = DEFAULT_MAX_BYTES,
        max_pending_per_device: int = DEFAULT_MAX_PENDING,
    ) -> None:
        if timeout_ms <= 0 or max_bytes_per_device <= 0 or max_pending_per_device <= 0:
            raise ValueError("reassembler limits must be positive")
        self.timeout_ms = timeout_ms
        self.max_bytes_per_device = max_bytes_per_device
        self.max_pending_per_device = max_pending_per_device
        self._devices: dict[str, dict[SubpacketKey, _Pending]] = {}

    def add(self, message: Message, now_ms: int) -> Message | None:
        """Buffer one decoded piece; return the whole decoded message when it completes.

        A message that is not a sub-packet is returned as is. Raises
        :class:`SubpacketRejected` for an impossible index/total or a device over its
        limits, and :class:`ProtocolError` when the joined body does not decode.
        """
        header = message.header
        total, index = header.packet_total, header.packet_index
        if total is None or index is None:
            return message
        if not 1 <= index <= total:
            raise SubpacketRejected(f"sub-packet index {index} outside 1..{total}")
        if total == 1:
            return _assembled(header, piece_key(header), [message.raw_body], message.checksum_ok)
        self._expire_device(header.phone, now_ms)
        key = piece_key(header)
        pending = self._pending_for(key, header, now_ms)
        if index in pending.pieces:
            return None  # a duplicate (e.g. re-sent after 0x8003): the first copy counts
        self._check_bytes(key, len(message.raw_body))
        pending.pieces[index] = message.raw_body
        pending.size += len(message.raw_body)
        pending.last_ms = now_ms
        pending.checksum_ok = pending.checksum_ok and message.checksum_ok
        if index == 1:
            pending.header = header
        if len(pending.pieces) < total:
            return None
        self._remove(key)
        bodies = [pending.pieces[i] for i in range(1, total + 1)]
        return _assembled(pending.header, key, bodies, pending.checksum_ok)

    def _pending_for(self, key: SubpacketKey, header: Header, now_ms: int) -> _Pending:
        device = self._devices.setdefault(key.phone, {})
        pending = device.get(key)
        if pending is None:
            if len(device) >= self.max_pending_per_device:
                raise SubpacketRejected(
                    f"device {key.phone} already has {len(device)} pending sub-packeted "
                    f"messages (limit {self.max_pending_per_device})"
                )
            pending = device[key] = _Pending(header, now_ms, now_ms)
        return pending

    def _check_bytes(self, key: SubpacketKey, size: int) -> None:
        buffered = self.buffered_bytes(key.phone)
        if buffered + size > self.max_bytes_per_device:
            self._remove(key)
            raise SubpacketRejected(
                f"device {key.phone} would buffer {buffered + size} sub-packet bytes "
                f"(limit {self.max_bytes_per_device}); message 0x{key.msg_id:04X} "
                f"from serial {key.first_serial} dropped"
            )

    def _remove(self, key: SubpacketKey) -> None:
        device = self._devices.get(key.phone)
        if device is not None:
            device.pop(key, None)
            if not device:
                del self._devices[key.phone]

    def _expire_device(self, phone: str, now_ms: int) -> list[SubpacketKey]:
        device = self._devices.get(phone, {})
        stale = [k for k, p in device.items() if now_ms - p.last_ms > self.timeout_ms]
        for key in stale:
            self._remove(key)
        return stale

    def expire(self, now_ms: int) -> list[SubpacketKey]:
        """Drop every pending message that timed out; return their keys."""
        dropped: list[SubpacketKey] = []
        for phone in list(self._devices):
            dropped.extend(self._expire_device(phone, now_ms))
        return dropped

    def missing(self, phone: str) -> list[ResendRequest]:
        """For each pending message of ``phone``: the pieces still missing (for 0x8003)."""
        requests = []
        for key, pending in self._devices.get(phone, {}).items():
            absent = tuple(i for i in range(1, key.total + 1) if i not in pending.pieces)
            requests.append(ResendRequest(key.first_serial, absent))
        return requests

    def pending(self, phone: str) -> list[SubpacketKey]:
        """Keys of the messages ``phone`` has not completed yet."""
        return list(self._devices.get(phone, {}))

    def buffered_bytes(self, phone: str) -> int:
        return sum(p.size for p in self._devices.get(phone, {}).values())

    def discard(self, phone: str) -> None:
        """Forget everything buffered for ``phone`` (e.g. its connection closed)."""
        self._devices.pop(phone, None)


def _assembled(first: Header, key: SubpacketKey, bodies: list[bytes], checksum_ok: bool) -> Message:
    body = b"".join(bodies)
    header = msgspec.structs.replace(
        first,
        props=first.props & ~SUBPACKET_FLAG,
        serial=key.first_serial,
        packet_total=None,
        packet_index=None,
        body_len=len(body),
    )
    return Message(header, parse_body(header, body), checksum_ok, body)


def split_frames(
    msg_id: int,
    phone: str,
    first_serial: int,
    body: bytes,
    *,
    version: str = "2013",
    protocol_version: int = 1,
    piece_size: int = MAX_BODY_LEN,
) -> list[bytes]:
    """Wire frames of ``body`` cut into pieces of ``piece_size`` bytes, serials counting up
    from ``first_serial``. A body that fits one frame is still sent as one piece (1 of 1).
    """
    if not 1 <= piece_size <= MAX_BODY_LEN:
        raise ValueError(f"piece_size must be 1..{MAX_BODY_LEN}")
    pieces = [body[i : i + piece_size] for i in range(0, len(body), piece_size)] or [b""]
    if len(pieces) > 0xFFFF:
        raise ValueError(f"{len(pieces)} pieces exceed the WORD packet count")
    return [
        encode_frame(
            msg_id, phone, (first_serial + number) & 0xFFFF, piece,
            version=version, protocol_version=protocol_version,
            packet=(len(pieces), number + 1),
        )
        for number, piece in enumerate(pieces)
    ]  # fmt: skip
