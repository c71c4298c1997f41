"""Sub-packet reassembly: order, duplicates, time-outs and memory limits (explicit clock)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetwatch.errors import ProtocolError
from assetwatch.protocols.jt808 import (
    BatchUpload,
    Message,
    Reassembler,
    ResendRequest,
    SubpacketKey,
    SubpacketRejected,
    build_location,
    decode_frame,
    encode_batch,
    split_frames,
    to_observations,
    unescape,
)
from tests.protocols.jt808.jt808_support import GMT8

PHONE = "013800001111"


def _pieces(
    body: bytes,
    *,
    first_serial: int = 100,
    size: int = 100,
    msg_id: int = 0x0900,
    phone: str = PHONE,
) -> list[Message]:
    frames = split_frames(msg_id, phone, first_serial, body, piece_size=size)
    return [decode_frame(unescape(frame[1:-1])) for frame in frames]


@given(
    body=st.binary(min_size=1, max_size=3000),
    size=st.integers(1, 1023),
    first_serial=st.integers(0, 0xFFFF),
    version=st.sampled_from(["2013", "2019"]),
    data=st.data(),
)
def test_split_then_reassembled_in_any_order_equals_the_original(
    body: bytes, size: int, first_serial: int, version: str, data: st.DataObject
) -> None:
    frames = split_frames(0x0900, PHONE, first_serial, body, version=version, piece_size=size)
    pieces = [decode_frame(unescape(frame[1:-1])) for frame in frames]
    assert all(piece.checksum_ok for piece in pieces)
    order = data.draw(st.permutations(pieces))
    duplicates = data.draw(st.lists(st.sampled_from(pieces), max_size=3))
    reassembler = Reassembler(max_bytes_per_device=len(body))
    results = [reassembler.add(piece, now_ms=i) for i, piece in enumerate(order[:-1])]
    results += [reassembler.add(piece, now_ms=50) for piece in duplicates if piece != order[-1]]
    assert results == [None] * len(results) or len(pieces) == 1
    whole = reassembler.add(order[-1], now_ms=99)
    assert whole is not None and whole.raw_body == body
    assert whole.header.serial == first_serial and whole.header.version == version
    assert whole.header.body_len == len(body) and whole.header.packet_total is None
    assert reassembler.pending(PHONE) == [] and reassembler.buffered_bytes(PHONE) == 0


def test_a_reassembled_batch_yields_its_locations() -> None:
    reports = [build_location(lat=30 + i / 100, lon=120, time_local=None) for i in range(60)]
    body = encode_batch(reports, 1)
    assert len(body) > 1023  # needs sub-packets
    pieces = _pieces(body, msg_id=0x0704, size=1000)
    reassembler = Reassembler()
    assert reassembler.add(pieces[0], now_ms=0) is None
    whole = reassembler.add(pieces[1], now_ms=1)
    assert whole is not None and isinstance(whole.body, BatchUpload)
    observations = to_observations(whole, device_key="k", tz=GMT8, server_time_ms=1)
    assert [o.lat for o in observations] == [r.lat for r in reports]


def test_missing_pieces_and_their_serials() -> None:
    pieces = _pieces(bytes(450), first_serial=0xFFFE)  # serials wrap: FFFE FFFF 0 1 2
    reassembler = Reassembler()
    reassembler.add(pieces[1], now_ms=0)
    reassembler.add(pieces[3], now_ms=0)
    (request,) = reassembler.missing(PHONE)
    assert request == ResendRequest(0xFFFE, (1, 3, 5))
    assert request.serials == (0xFFFE, 0x0000, 0x0002)
    assert reassembler.pending(PHONE) == [SubpacketKey(PHONE, 0x0900, 5, 0xFFFE)]
    assert reassembler.missing("other phone") == []


def test_pending_messages_time_out() -> None:
    pieces = _pieces(bytes(300))
    reassembler = Reassembler(timeout_ms=1000)
    reassembler.add(pieces[0], now_ms=0)
    reassembler.add(pieces[1], now_ms=900)  # a new piece keeps the message alive
    assert reassembler.expire(now_ms=1900) == []
    assert reassembler.expire(now_ms=1901) == [SubpacketKey(PHONE, 0x0900, 3, 100)]
    assert reassembler.pending(PHONE) == [] and reassembler.buffered_bytes(PHONE) == 0
    # after the time-out the last piece alone starts a new, incomplete message
    assert reassembler.add(pieces[2], now_ms=2000) is None
    assert reassembler.missing(PHONE) == [ResendRequest(100, (1, 2))]


def test_a_stale_message_is_dropped_when_the_device_sends_again() -> None:
    reassembler = Reassembler(timeout_ms=1000)
    reassembler.add(_pieces(bytes(300), first_serial=1)[0], now_ms=0)
    reassembler.add(_pieces(bytes(300), first_serial=50)[0], now_ms=5000)
    assert [key.first_serial for key in reassembler.pending(PHONE)] == [50]


def test_duplicates_do_not_extend_the_time_out_or_the_buffer() -> None:
    pieces = _pieces(bytes(300))
    reassembler = Reassembler(timeout_ms=1000)
    reassembler.add(pieces[0], now_ms=0)
    assert reassembler.add(pieces[0], now_ms=800) is None
    assert reassembler.buffered_bytes(PHONE) == 100
    assert reassembler.expire(now_ms=1001) == [SubpacketKey(PHONE, 0x0900, 3, 100)]


def test_byte_limit_per_device_rejects_and_frees_the_message() -> None:
    reassembler = Reassembler(max_bytes_per_device=250)
    small = _pieces(bytes(200), first_serial=10)
    big = _pieces(bytes(300), first_serial=20)
    reassembler.add(small[0], now_ms=0)
    reassembler.add(big[0], now_ms=0)
    assert reassembler.buffered_bytes(PHONE) == 200
    with pytest.raises(SubpacketRejected, match="limit 250"):
        reassembler.add(big[1], now_ms=0)
    assert [key.first_serial for key in reassembler.pending(PHONE)] == [10]
    assert reassembler.buffered_bytes(PHONE) == 100
    other = _pieces(bytes(300), phone="013800002222")  # other devices have their own budget
    reassembler.add(other[0], now_ms=0)
    assert reassembler.add(small[1], now_ms=0) is not None


def test_pending_message_limit_per_device() -> None:
    reassembler = Reassembler(max_pending_per_device=2)
    for serial in (1, 10):
        reassembler.add(_pieces(bytes(200), first_serial=serial)[0], now_ms=0)
    with pytest.raises(SubpacketRejected, match="2 pending"):
        reassembler.add(_pieces(bytes(200), first_serial=20)[0], now_ms=0)
    assert len(reassembler.pending(PHONE)) == 2
    reassembler.discard(PHONE)
    assert reassembler.pending(PHONE) == []
    assert reassembler.add(_pieces(bytes(200), first_serial=20)[0], now_ms=0) is None


def test_impossible_pieces_and_plain_messages() -> None:
    reassembler = Reassembler()
    (piece,) = _pieces(b"\x01\x02")  # one piece: complete at once
    whole = reassembler.add(piece, now_ms=0)
    assert whole is not None and whole.raw_body == b"\x01\x02" and whole.header.packet_total is None
    frame = split_frames(0x0900, PHONE, 5, b"\x01")[0]
    content = bytearray(unescape(frame[1:-1]))
    content[14:16] = (3).to_bytes(2, "big")  # index 3 of 1
    content[-1] = 0
    bad = decode_frame(bytes(content))
    with pytest.raises(SubpacketRejected, match="index 3 outside 1..1"):
        reassembler.add(bad, now_ms=0)
    plain = decode_frame(unescape(bytes.fromhex("7e0002000001234567890100008a7e")[1:-1]))
    assert reassembler.add(plain, now_ms=0) is plain


def test_an_undecodable_joined_body_raises_protocol_error() -> None:
    pieces = _pieces(bytes(20), msg_id=0x0200, size=10)  # 20 bytes: not a location
    reassembler = Reassembler()
    reassembler.add(pieces[0], now_ms=0)
    with pytest.raises(ProtocolError, match="location body too short"):
        reassembler.add(pieces[1], now_ms=0)
    assert reassembler.pending(PHONE) == []


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Reassembler(timeout_ms=0)
    with pytest.raises(ValueError, match="piece_size"):
        split_frames(0x0900, PHONE, 0, b"x", piece_size=1024)
