"""GT06 framing: start bytes, length field, CRC-16/X-25 and incremental splitting.

Wire form (spec §1)::

    78 78 | len (1) | protocol | content | serial (2) | crc (2) | 0D 0A     len = 5 + content
    79 79 | len (2) | protocol | content | serial (2) | crc (2) | 0D 0A

The CRC covers the length field(s) through the serial. There is no escaping, so ``0D 0A``
can occur inside the content: a frame is delimited by its length field first. When the
bytes the length points at are not ``0D 0A`` (devices that send a wrong or zero length),
the splitter falls back to the first ``0D 0A`` whose CRC verifies. This module only splits;
it knows nothing of message layouts.
"""

from __future__ import annotations

import binascii
from typing import Final

import msgspec

SHORT_START: Final = b"\x78\x78"
LONG_START: Final = b"\x79\x79"
STOP: Final = b"\r\n"
MIN_LENGTH: Final = 5
"""Smallest length field: protocol (1) + serial (2) + CRC (2), no content."""
MAX_CANDIDATES: Final = 8
"""``0D 0A`` positions tried per start marker when the length field is wrong."""

_REVERSED: Final = bytes(int(f"{byte:08b}"[::-1], 2) for byte in range(256))


def crc_x25(data: bytes) -> int:
    """CRC-16/X-25 (the "CRC-ITU" of the GT06 documents) of ``data``.

    Reflected polynomial 0x1021, init 0xFFFF, final XOR 0xFFFF; ``crc_x25(b"123456789")``
    is 0x906E. Computed as the mirror image of the non-reflected CCITT CRC that
    :func:`binascii.crc_hqx` implements in C: bit-reversed input, bit-reversed result.
    """
    crc = binascii.crc_hqx(data.translate(_REVERSED), 0xFFFF)
    return (_REVERSED[crc & 0xFF] << 8 | _REVERSED[crc >> 8]) ^ 0xFFFF


class Frame(msgspec.Struct, frozen=True):
    """One delimited frame, split into its fields (no interpretation of the content).

    ``length_ok`` is False for a frame found by scanning for ``0D 0A`` because its length
    field was wrong (``length_field`` keeps what the device sent). ``crc_ok`` is the CRC
    verdict; a frame with a bad CRC is still returned, so the caller decides.
    """

    long: bool
    protocol: int
    content: bytes
    serial: int
    crc: int
    crc_ok: bool
    length_field: int
    length_ok: bool = True

    @property
    def start(self) -> str:
        """``"7878"`` or ``"7979"``."""
        return "7979" if self.long else "7878"


def wrap_frame(protocol: int, content: bytes, serial: int, *, long: bool = False) -> bytes:
    """A complete frame: start, length, ``protocol``, ``content``, ``serial``, CRC, stop.

    ``long`` selects the ``7979`` start with a 2-byte length (needed for content over
    250 bytes; some messages such as 0x94 and 0x21 always use it).
    """
    length = len(content) + MIN_LENGTH
    if long:
        if length > 0xFFFF:
            raise ValueError(f"content of {len(content)} bytes does not fit a 7979 frame")
        head = length.to_bytes(2, "big")
    else:
        if length > 0xFF:
            raise ValueError(f"content of {len(content)} bytes needs a 7979 frame")
        head = bytes((length,))
    body = head + bytes((protocol,)) + content + (serial & 0xFFFF).to_bytes(2, "big")
    return (LONG_START if long else SHORT_START) + body + crc_x25(body).to_bytes(2, "big") + STOP


def split_frame(data: bytes, *, length_ok: bool = True) -> Frame:
    """The fields of one complete frame ``data`` (start through ``0D 0A``), unchecked."""
    end = len(data)
    stored = data[end - 4] << 8 | data[end - 3]
    ok = crc_x25(data[2 : end - 4]) == stored
    serial = data[end - 6] << 8 | data[end - 5]
    if data[0] == 0x79:
        length = data[2] << 8 | data[3]
        return Frame(True, data[4], data[5 : end - 6], serial, stored, ok, length, length_ok)
    return Frame(False, data[3], data[4 : end - 6], serial, stored, ok, data[2], length_ok)


def _crc_matches(buf: bytes, start: int, end: int) -> bool:
    """True if the frame ``buf[start:end]`` (ending in 0D 0A) carries a valid CRC."""
    return crc_x25(buf[start + 2 : end - 4]) == (buf[end - 4] << 8 | buf[end - 3])


class FrameSplitter:
    """Incremental splitter for a GT06 byte stream (one per TCP connection).

    :meth:`feed` takes any chunk of received bytes and returns every :class:`Frame`
    completed by it, keeping a partial frame for the next call. Bytes outside frames (junk
    before or between frames, trailing vendor bytes after ``0D 0A``) are dropped and
    counted in :attr:`junk_bytes`; a start marker that begins no frame is counted in
    :attr:`rejected_starts`. Frames found through the ``0D 0A`` fallback are counted in
    :attr:`length_mismatches`. Nothing longer than ``max_frame`` bytes is buffered.

    Example::

        >>> splitter = FrameSplitter()
        >>> splitter.feed(bytes.fromhex("ff78780d010123456789012345"))
        []
        >>> [f.serial for f in splitter.feed(bytes.fromhex("00018cdd0d0a"))]
        [1]
    """

    __slots__ = (
        "max_frame", "junk_bytes", "rejected_starts", "length_mismatches", "_buf", "_later",
    )  # fmt: skip

    def __init__(self, max_frame: int = 4096) -> None:
        if max_frame < 10:
            raise ValueError("max_frame must be at least 10 bytes")
        self.max_frame = max_frame
        self.junk_bytes = 0
        self.rejected_starts = 0
        self.length_mismatches = 0
        self._buf = b""
        self._later: tuple[bytes, int, int] = (b"", 0, -1)

    @property
    def pending(self) -> int:
        """Bytes of an unfinished frame held for the next :meth:`feed`."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Frame]:
        """Add received bytes; return each frame they complete, in order."""
        buf = self._buf + data if self._buf else bytes(data)
        frames: list[Frame] = []
        pos = 0
        size = len(buf)
        while pos < size:
            if buf[pos] == 0x78 and pos + 3 <= size and buf[pos + 1] == 0x78:  # fast path
                end = pos + 5 + buf[pos + 2]
                if end <= size and buf[end - 2] == 0x0D and buf[end - 1] == 0x0A:
                    if buf[pos + 2] >= MIN_LENGTH:
                        frames.append(split_frame(buf[pos:end]))
                        pos = end
                        continue
            start = _find_start(buf, pos)
            if start < 0:
                keep = 1 if buf[-1] in (0x78, 0x79) else 0  # maybe half a start marker
                self.junk_bytes += size - pos - keep
                pos = size - keep
                break
            self.junk_bytes += start - pos
            end, length_ok, resume = self._frame_end(buf, start)
            if end > 0:
                frames.append(split_frame(buf[start:end], length_ok=length_ok))
                self.length_mismatches += not length_ok
                pos = end
            elif resume < 0:  # need more bytes
                pos = start
                break
            else:  # this start marker begins no frame: resynchronise at the next frame
                self.rejected_starts += 1
                self.junk_bytes += resume - start
                pos = resume
        rest = buf[pos:]
        if len(rest) > self.max_frame:
            self.junk_bytes += len(rest)
            self.rejected_starts += 1
            rest = b""
        self._buf = rest
        return frames

    def _frame_end(self, buf: bytes, start: int) -> tuple[int, bool, int]:
        """``(end, length_ok, resume)`` for the frame at ``start``: ``end > 0`` is a frame;
        otherwise ``resume`` is where to look for the next frame when the bytes at
        ``start`` are junk, or -1 when more bytes are needed to decide."""
        available = len(buf) - start
        head = 4 if buf[start] == 0x79 else 3
        if available < head:
            return 0, True, -1
        length = int.from_bytes(buf[start + 2 : start + head], "big")
        end = start + head + length + 2
        plausible = length >= MIN_LENGTH and end - start <= self.max_frame
        if plausible and end <= len(buf) and buf[end - 2 : end] == STOP:
            return end, True, -1
        scanned = _scan(buf, start, head, min(len(buf), start + self.max_frame), MAX_CANDIDATES)
        if scanned:
            return scanned, False, -1
        later = self._later_frame(buf, start + 1)
        if later >= 0:
            return 0, True, later
        if available >= self.max_frame:
            return 0, True, start + 2
        return 0, True, -1

    def _later_frame(self, buf: bytes, pos: int) -> int:
        """Start of the first complete frame with a valid CRC at or after ``pos`` (see
        :func:`_first_complete_frame`), or -1. When there is one, the bytes before it are
        junk, not the beginning of a frame still arriving. Answers are cached per buffer, so
        a run of false starts costs one pass, not one pass each."""
        cached_buf, searched_from, found = self._later
        if cached_buf is buf and searched_from <= pos and (found < 0 or found >= pos):
            return found
        found = _first_complete_frame(buf, pos)
        self._later = (buf, pos, found)
        return found


def _scan(buf: bytes, start: int, head: int, limit: int, candidates: int) -> int:
    """End of the first of the next ``candidates`` ``0D 0A`` in ``buf[start:limit]`` that
    closes the frame at ``start`` with a valid CRC (the fallback for a wrong length field),
    or 0. Bounded, so hostile input stays linear."""
    at = buf.find(STOP, start + head + MIN_LENGTH - 2, limit)
    for _ in range(candidates):
        if at < 0:
            break
        end = at + 2
        if end <= limit and _crc_matches(buf, start, end):
            return end
        at = buf.find(STOP, at + 1, limit)
    return 0


def _find_start(buf: bytes, pos: int) -> int:
    """Index of the next ``78 78`` or ``79 79`` at or after ``pos``; -1 if none."""
    if buf[pos : pos + 2] in (SHORT_START, LONG_START):
        return pos
    short = buf.find(SHORT_START, pos)
    long = buf.find(LONG_START, pos)
    if short < 0:
        return long
    return short if long < 0 else min(short, long)


def _first_complete_frame(buf: bytes, pos: int) -> int:
    """Start of the first complete frame at or after ``pos`` with a valid CRC: complete by
    its length field, or (a wrong length) ended by the first ``0D 0A`` after its header;
    -1 if there is none."""
    start = _find_start(buf, pos)
    while start >= 0:
        head = 4 if buf[start] == 0x79 else 3
        length = int.from_bytes(buf[start + 2 : start + head], "big")
        end = start + head + length + 2
        if length >= MIN_LENGTH and end <= len(buf) and buf[end - 2 : end] == STOP:
            if _crc_matches(buf, start, end):
                return start
        elif _scan(buf, start, head, len(buf), 1):
            return start
        start = _find_start(buf, start + 1)
    return -1
