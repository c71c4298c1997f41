"""The frame splitter: any split of the stream, junk, wrong lengths, limits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetwatch.protocols.gt06 import Frame, FrameSplitter, crc_x25, wrap_frame
from tests.protocols.gt06.gt06_support import load_quirk_frames, load_vectors

FRAMES = [bytes.fromhex(v["hex"]) for v in load_vectors()]
QUIRK = bytes.fromhex(load_quirk_frames()[0]["hex"])
WITH_CRLF_INSIDE = next(bytes.fromhex(v["hex"]) for v in load_vectors() if v["id"] == "GT06-019")


def key(frame: Frame) -> tuple[int, bytes, int, bool]:
    return frame.protocol, frame.content, frame.serial, frame.crc_ok


def test_crc_check_value_and_document_example() -> None:
    assert crc_x25(b"123456789") == 0x906E
    assert crc_x25(bytes.fromhex("0d01012345678901234500 01".replace(" ", ""))) == 0x8CDD


def test_wrap_frame_builds_both_start_variants() -> None:
    login = bytes.fromhex("0123456789012345")
    assert wrap_frame(0x01, login, 1).hex() == "78780d01012345678901234500018cdd0d0a"
    long = wrap_frame(0x94, b"\x00\x00\x00", 744, long=True)
    assert long.hex() == "797900089400000002e852d70d0a"  # vector GT06-052
    with pytest.raises(ValueError, match="needs a 7979 frame"):
        wrap_frame(0x12, bytes(251), 1)


@given(st.lists(st.integers(0, len(b"".join(FRAMES))), max_size=12))
def test_any_split_of_the_stream_yields_the_same_frames(cuts: list[int]) -> None:
    stream = b"".join(FRAMES)
    splitter, frames, last = FrameSplitter(), [], 0
    for cut in sorted(cuts) + [len(stream)]:
        frames += splitter.feed(stream[last:cut])
        last = cut
    assert [key(f) for f in frames] == [key(f) for f in FrameSplitter().feed(stream)]
    assert len(frames) == len(FRAMES)
    assert splitter.junk_bytes == 0 and splitter.pending == 0


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(FRAMES + [QUIRK]),
            st.binary(max_size=12).filter(lambda junk: b"\x78\x78" not in junk),
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(1, 64),
)
def test_junk_between_frames_is_skipped(pieces: list[tuple[bytes, bytes]], chunk: int) -> None:
    """Junk (trailing vendor bytes, line noise) before and after frames costs no frame."""
    stream = b"".join(junk + frame for frame, junk in pieces) + b"\xff\xfe"
    splitter, frames = FrameSplitter(), []
    for at in range(0, len(stream), chunk):
        frames += splitter.feed(stream[at : at + chunk])
    want = [key(f) for frame, _ in pieces for f in FrameSplitter().feed(frame)]
    assert [key(f) for f in frames] == want


def test_a_wrong_length_is_framed_by_the_terminator_even_in_pieces() -> None:
    splitter = FrameSplitter()
    assert splitter.feed(QUIRK[:13]) == []  # the length says 13 bytes: not 0D 0A there
    assert splitter.pending == 13
    (frame,) = splitter.feed(QUIRK[13:] + FRAMES[0])[:1]
    assert (frame.protocol, frame.length_ok, frame.crc_ok) == (0x13, False, True)


def test_crlf_inside_the_content_does_not_cut_a_frame() -> None:
    inner = WITH_CRLF_INSIDE.index(b"\r\n")
    splitter = FrameSplitter()
    assert splitter.feed(WITH_CRLF_INSIDE[: inner + 2]) == []
    (frame,) = splitter.feed(WITH_CRLF_INSIDE[inner + 2 :])
    assert frame.length_ok and frame.content.endswith(b"\r\n")


def test_a_false_start_is_rejected_once_a_real_frame_follows() -> None:
    splitter = FrameSplitter()
    frames = splitter.feed(b"\x78\x78\x03\x01\x02" + FRAMES[0] + FRAMES[1])
    assert [key(f) for f in frames] == [key(f) for f in FrameSplitter().feed(FRAMES[0] + FRAMES[1])]
    assert splitter.rejected_starts == 1 and splitter.junk_bytes == 5


def test_a_bad_crc_is_reported_not_dropped() -> None:
    corrupt = bytearray(FRAMES[0])
    corrupt[5] ^= 0x01
    (frame,) = FrameSplitter().feed(bytes(corrupt))
    assert frame.length_ok and not frame.crc_ok


def test_nothing_longer_than_max_frame_is_buffered() -> None:
    splitter = FrameSplitter(max_frame=64)
    assert splitter.feed(b"\x79\x79\xff\xff" + bytes(100)) == []
    assert splitter.pending == 0 and splitter.rejected_starts == 1
    (frame,) = splitter.feed(FRAMES[0])
    assert key(frame) == key(FrameSplitter().feed(FRAMES[0])[0])


def test_hostile_input_stays_linear() -> None:
    """Thousands of start markers and terminators: bounded work, nothing kept."""
    splitter = FrameSplitter()
    for _ in range(50):
        assert splitter.feed(b"\x78\x78\x0d\x0a" * 1024) == []
    assert splitter.pending <= splitter.max_frame
    frames = splitter.feed(b"\x00" * 4096 + FRAMES[0])
    assert [key(f) for f in frames] == [key(f) for f in FrameSplitter().feed(FRAMES[0])]


def test_half_a_start_marker_waits_for_its_other_half() -> None:
    splitter = FrameSplitter()
    assert splitter.feed(b"\x00\x00" + FRAMES[0][:1]) == []
    assert splitter.pending == 1 and splitter.junk_bytes == 2
    assert len(splitter.feed(FRAMES[0][1:])) == 1


@pytest.mark.parametrize("junk", [b"\x78", b"\x79", b"\x78\x78\x03"])
def test_a_false_start_overlapping_a_wrong_length_frame_costs_nothing(junk: bytes) -> None:
    """Found by hypothesis: junk ending in a start byte, then the quirk frame, byte by byte."""
    splitter, frames = FrameSplitter(), []
    for byte in junk + QUIRK:
        frames += splitter.feed(bytes([byte]))
    assert [(f.protocol, f.serial, f.length_ok) for f in frames] == [(0x13, 0x044D, False)]
    assert splitter.pending == 0
