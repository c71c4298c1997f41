"""Framing: escaping, checksum and the incremental splitter on arbitrary streams."""

from __future__ import annotations

import functools
import operator

from hypothesis import given
from hypothesis import strategies as st

from assetwatch.protocols.jt808 import (
    FrameSplitter,
    encode_frame,
    escape,
    unescape,
    wrap_frame,
    xor_checksum,
)
from assetwatch.protocols.jt808.frame import has_bad_escape, length_matches_header

junk = st.binary(max_size=30).map(lambda raw: raw.replace(b"\x7e", b""))


def test_escape_examples_from_the_spec() -> None:
    assert escape(bytes.fromhex("307e087d55")) == bytes.fromhex("307d02087d0155")
    assert unescape(bytes.fromhex("307d02087d0155")) == bytes.fromhex("307e087d55")
    assert wrap_frame(b"\x7e") == bytes.fromhex("7e7d027e")


@given(st.binary(max_size=200))
def test_escape_round_trip(content: bytes) -> None:
    escaped = escape(content)
    assert b"\x7e" not in escaped
    assert not has_bad_escape(escaped)
    assert unescape(escaped) == content


@given(st.binary(max_size=1100))
def test_xor_checksum_matches_a_byte_loop(data: bytes) -> None:
    assert xor_checksum(data) == functools.reduce(operator.xor, data, 0)


def _frame_content(msg_id: int, body: bytes, serial: int = 1, version: str = "2013") -> bytes:
    return unescape(encode_frame(msg_id, "13912345678", serial, body, version=version)[1:-1])


HEARTBEAT = _frame_content(0x0002, b"")
LOCATION = _frame_content(0x0200, bytes(28) + b"\x7e\x7d")


def test_malformed_escape_keeps_the_byte_and_is_counted() -> None:
    splitter = FrameSplitter(check_length=False)
    assert splitter.feed(bytes.fromhex("7e00027d557d017e")) == [bytes.fromhex("00027d557d")]
    assert splitter.bad_escapes == 1
    assert splitter.feed(bytes.fromhex("7e7d7e")) == [b"\x7d"]
    assert splitter.bad_escapes == 2


def test_without_length_check_every_non_empty_piece_is_returned() -> None:
    splitter = FrameSplitter(check_length=False)
    assert splitter.feed(b"junk\x7e\x01\x02") == []
    assert splitter.pending == 2
    assert splitter.feed(b"\x03\x7e\x7e\x04\x7e\x7e\x7e") == [b"\x01\x02\x03", b"\x04"]
    assert splitter.feed(b"\x05\x7ebetween\x7e\x06\x7e") == [b"\x05", b"\x06"]
    assert splitter.junk_bytes == len(b"junk") + len(b"between")


def test_sticky_partial_and_junk() -> None:
    wire_heartbeat, wire_location = wrap_frame(HEARTBEAT), wrap_frame(LOCATION)
    splitter = FrameSplitter()
    assert splitter.feed(b"junk" + wire_heartbeat[:5]) == []
    assert splitter.pending == 4
    sticky = wire_heartbeat[5:] + wire_location + b"\x7e" + wire_heartbeat
    assert splitter.feed(sticky) == [HEARTBEAT, LOCATION, HEARTBEAT]
    assert splitter.feed(b"between" + wire_location) == [LOCATION]
    assert splitter.junk_bytes == len(b"junk") + len(b"between")


def test_stray_delimiter_and_broken_frames_resynchronise() -> None:
    splitter = FrameSplitter()
    stream = (
        wrap_frame(HEARTBEAT) + b"\x7e" + b"garbage" + wrap_frame(LOCATION)  # stray 0x7E + junk
        + wrap_frame(HEARTBEAT[:-3])  # truncated frame: its length does not match its header
        + wrap_frame(LOCATION)
    )  # fmt: skip
    assert splitter.feed(stream) == [HEARTBEAT, LOCATION, LOCATION]
    assert splitter.rejected_pieces == 2


def test_length_check_accepts_both_header_layouts() -> None:
    assert length_matches_header(_frame_content(0x0200, bytes(40), version="2019"))
    assert length_matches_header(_frame_content(0x0200, bytes(40)))
    assert not length_matches_header(_frame_content(0x0200, bytes(40))[:-1])
    flagged_2013 = bytearray(HEARTBEAT)
    flagged_2013[2] |= 0x40  # bit 14 set on a 2013 layout, as real devices do
    assert length_matches_header(bytes(flagged_2013))


@st.composite
def frame_contents(draw: st.DrawFn) -> bytes:
    body = draw(
        st.binary(max_size=60)
        | st.lists(st.sampled_from([0x7E, 0x7D, 1, 2]), max_size=30).map(bytes)
    )
    version = draw(st.sampled_from(["2013", "2019"]))
    return _frame_content(draw(st.integers(0, 0xFFFF)), body, draw(st.integers(0, 0xFFFF)), version)


@given(
    frames=st.lists(frame_contents(), min_size=1, max_size=8),
    gaps=st.lists(junk, min_size=9, max_size=9),
    sticky=st.lists(st.booleans(), min_size=8, max_size=8),
    cuts=st.lists(st.integers(0, 2000), max_size=12),
)
def test_stream_split_anywhere_yields_exactly_the_frames(
    frames: list[bytes], gaps: list[bytes], sticky: list[bool], cuts: list[int]
) -> None:
    stream = b""
    for content, gap, doubled in zip(frames, gaps, sticky, strict=False):
        stream += gap + (b"\x7e" if doubled else b"") + wrap_frame(content)
    stream += gaps[-1]
    points = sorted({cut % (len(stream) + 1) for cut in cuts})
    chunks = [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]
    splitter = FrameSplitter()
    out = [frame for chunk in chunks for frame in splitter.feed(chunk)]
    assert out == frames
    assert splitter.junk_bytes == sum(len(gap) for gap in gaps[: len(frames)]) + len(gaps[-1])
    assert splitter.bad_escapes == splitter.rejected_pieces == 0


@given(chunk=st.integers(1, 300), start_inside=st.booleans())
def test_junk_flood_stays_bounded(chunk: int, start_inside: bool) -> None:
    splitter = FrameSplitter(max_frame=256)
    flood = (b"\x7e" if start_inside else b"") + bytes([0x55]) * 5000
    for at in range(0, len(flood), chunk):
        assert splitter.feed(flood[at : at + chunk]) == []
        assert splitter.pending <= 256
    assert splitter.junk_bytes >= 5000 - 256
    # the splitter recovers: the next complete frame comes out intact
    assert splitter.feed(wrap_frame(LOCATION)) == [LOCATION]


@given(st.lists(st.binary(max_size=64), max_size=20), st.booleans())
def test_feed_never_raises_on_random_bytes(chunks: list[bytes], check_length: bool) -> None:
    splitter = FrameSplitter(max_frame=128, check_length=check_length)
    for data in chunks:
        for frame in splitter.feed(data):
            assert frame
        assert splitter.pending <= 128
