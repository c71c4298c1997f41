"""Malformed input never raises anything but ProtocolError, and says why."""

from __future__ import annotations

from datetime import UTC

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetwatch.errors import ProtocolError
from assetwatch.protocols.jt808 import (
    RawBody,
    decode_frame,
    decode_hex,
    decode_lines,
    encode_frame,
    message_to_json,
    to_observations,
    unescape,
)
from tests.protocols.jt808.jt808_support import GMT8, load_vectors

CONTENTS = [unescape(bytes.fromhex(v["hex"])[1:-1]) for v in load_vectors() if "hex" in v]


def _decode_everything(content: bytes) -> None:
    try:
        message = decode_frame(content)
    except ProtocolError as err:
        assert str(err)
        return
    to_observations(message, device_key="k", tz=UTC, server_time_ms=0)
    message_to_json(message, tz=GMT8)


@given(st.binary(max_size=300))
def test_random_bytes(content: bytes) -> None:
    _decode_everything(content)


@given(
    st.sampled_from(CONTENTS),
    st.integers(0, 1100),
    st.integers(0, 255),
    st.sampled_from(["truncate", "flip", "insert", "props"]),
)
def test_mutated_real_frames(content: bytes, at: int, value: int, how: str) -> None:
    at %= len(content)
    if how == "truncate":
        mutated = content[:at]
    elif how == "flip":
        mutated = content[:at] + bytes([content[at] ^ (value or 1)]) + content[at + 1 :]
    elif how == "insert":
        mutated = content[:at] + bytes([value]) + content[at:]
    else:  # rewrite the body-length/flags byte so the header lies about the body
        mutated = content[:2] + bytes([value]) + content[3:]
    _decode_everything(mutated)


@given(st.text(max_size=80))
def test_random_hex_text(text: str) -> None:
    try:
        decode_hex(text)
    except ProtocolError:
        pass


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("7e0200zz7e", "invalid hex"),
        ("7e7e", "no frame"),
        ("", "no frame"),
        ("7e0002000001234567890100008a7e7e0002000001234567890100008a7e", "2 frames"),
        ("7e00020000012345678901008a7e", "frame too short"),
        ("7e0200001c0123456789010000000004000000087e", "truncated body"),
        ("7e0200000401234567890100000000000417", "location body too short"),
        ("7e0704000601234567890100000201001c0000f6", "batch truncated"),
        ("7e0100400a0100000000000123456789000a0000000000000000000000", "registration body"),
        ("7e8001000201234567890100000000f6", "platform response too short"),
    ],
)
def test_clear_reasons(text: str, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        decode_hex(text)


def test_whitespace_prefix_and_missing_delimiters_are_tolerated() -> None:
    frame = "7e 0002 0000 012345678901 0000 8a 7e"
    assert decode_hex(frame).header.msg_id == 0x0002
    assert decode_hex("0x0002000001234567890100008a\n").checksum_ok
    assert decode_hex("7e0002000001234567890100008a").header.serial == 0


def test_bad_checksum_is_reported_not_raised() -> None:
    message = decode_hex("7e0002000001234567890100008b7e")
    assert message.checksum_ok is False


def test_encrypted_and_subpacket_bodies_stay_raw() -> None:
    encrypted = bytearray(unescape(encode_frame(0x0200, "1", 1, bytes(28))[1:-1]))
    encrypted[2] |= 0x04  # body properties bit 10: RSA
    message = decode_frame(bytes(encrypted))
    assert message.header.encrypted
    assert message.body == RawBody(bytes(28).hex(), "encrypted body")
    piece = decode_frame(unescape(encode_frame(0x0704, "1", 1, b"\x00", packet=(2, 1))[1:-1]))
    assert piece.body == RawBody("00", "sub-packet 1 of 2")


def test_unknown_message_ids_keep_the_body() -> None:
    message = decode_frame(unescape(encode_frame(0x0702, "1", 1, b"\xf0\x01")[1:-1]))
    assert message.body == RawBody("f001", "message id not decoded by this codec")


def test_invalid_time_does_not_drop_the_position() -> None:
    body = bytes(8) + (1).to_bytes(4, "big") * 2 + bytes(6) + bytes.fromhex("231399250000")
    message = decode_frame(unescape(encode_frame(0x0200, "1", 1, body)[1:-1]))
    (observation,) = to_observations(message, device_key="k", tz=GMT8, server_time_ms=1234)
    assert observation.time_ms == 1234
    assert observation.attributes["raw.time_bcd"] == "231399250000"
    assert message_to_json(message, tz=GMT8)["positions"][0]["time"] is None


def test_decode_lines_reports_each_failure_and_goes_on() -> None:
    lines = [
        "# a comment",
        "7e0002000001234567890100008a7e",
        "",
        "not hex",
        "7e00020000012345678901008a7e 7e0002000001234567890100008a7e",
    ]
    results = list(decode_lines(lines, GMT8))
    assert [ok for _, ok in results] == [True, False, False, True]
    assert set(results[1][0]) == {"error"}
    assert results[1][0]["error"].startswith("line 4: invalid hex")
    assert results[2][0]["error"].startswith("line 5: frame too short")
