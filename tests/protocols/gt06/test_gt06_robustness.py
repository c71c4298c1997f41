"""Malformed input never raises anything but ProtocolError, and says why."""

from __future__ import annotations

from datetime import UTC

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetwatch.errors import ProtocolError
from assetwatch.protocols.gt06 import (
    PARSERS,
    FrameSplitter,
    RawBody,
    decode_frame,
    decode_hex,
    decode_lines,
    message_to_json,
    parse_content,
    to_observations,
    wrap_frame,
)
from tests.protocols.gt06.gt06_support import FROZEN_NOW_MS, assert_observation_invariants
from tests.protocols.gt06.gt06_support import load_vectors as _vectors

CONTENTS = [
    (int(v["protocol_number"], 16), bytes.fromhex(v["expected"]["content_hex"]))
    for v in _vectors()
    if v["expected"]["content_hex"]
]
FRAMES = [bytes.fromhex(v["hex"]) for v in _vectors()]


def _decode_everything(protocol: int, content: bytes) -> None:
    try:
        body = parse_content(protocol, content)
    except ProtocolError as err:
        assert str(err).startswith(f"protocol 0x{protocol:02X}: ")
        return
    message = decode_frame(FrameSplitter().feed(wrap_frame(protocol, content, 1, long=True))[0])
    assert message.body == body
    for observation in to_observations(
        message, device_key="k", tz=UTC, server_time_ms=FROZEN_NOW_MS
    ):
        assert_observation_invariants(observation)
    message_to_json(message, tz=UTC)


@given(st.sampled_from(sorted(PARSERS) + [0x69, 0xFF]), st.binary(max_size=120))
def test_random_content_for_every_protocol_number(protocol: int, content: bytes) -> None:
    _decode_everything(protocol, content)


@given(
    st.sampled_from(CONTENTS),
    st.integers(0, 200),
    st.integers(0, 255),
    st.sampled_from(["truncate", "flip", "insert", "drop"]),
)
def test_mutated_real_contents(item: tuple[int, bytes], at: int, value: int, how: str) -> None:
    protocol, content = item
    at %= len(content)
    if how == "truncate":
        mutated = content[:at]
    elif how == "flip":
        mutated = content[:at] + bytes([content[at] ^ (value or 1)]) + content[at + 1 :]
    elif how == "insert":
        mutated = content[:at] + bytes([value]) + content[at:]
    else:
        mutated = content[:at] + content[at + 1 :]
    _decode_everything(protocol, mutated)


@given(st.lists(st.sampled_from(FRAMES) | st.binary(max_size=40), max_size=10), st.integers(1, 50))
def test_random_streams_never_raise(pieces: list[bytes], chunk: int) -> None:
    stream = b"".join(pieces)
    splitter = FrameSplitter(max_frame=512)
    for at in range(0, len(stream), chunk):
        for frame in splitter.feed(stream[at : at + chunk]):
            try:
                decode_frame(frame)
            except ProtocolError:
                pass
    assert splitter.pending <= 512


@given(st.text(max_size=80))
def test_random_hex_text(text: str) -> None:
    try:
        decode_hex(text)
    except ProtocolError as err:
        assert str(err)


def _hex(protocol: int, content: str) -> str:
    return wrap_frame(protocol, bytes.fromhex(content), 1).hex()


LOGIN_ACK = "7878050100059ff80d0a"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("7878zz", "invalid hex"),
        ("", "no frame"),
        ("ffff", "no complete frame"),
        ("78780d0101234567890123450001", "incomplete frame"),
        (LOGIN_ACK + LOGIN_ACK[:8], "incomplete frame"),
        (LOGIN_ACK + LOGIN_ACK, "2 frames"),
        (_hex(0x01, "01020304"), "login terminal id truncated"),
        (_hex(0x12, "0102030405"), "GPS block truncated"),
        (_hex(0x13, "4004"), "status truncated"),
        (_hex(0x15, "0000"), "command text truncated"),
        (_hex(0x8A, "0f0d"), "time reply truncated"),
        (_hex(0x8A, "0f0d1d000015"), "no valid date/time"),
        (_hex(0x16, "0f0c1d030b26c9027ac8180c465860000400" + "09"), "cell MCC truncated"),
        (_hex(0x16, "0f0c1d030b26c9027ac8180c465860000400" + "0901cc00"), "cell tower truncated"),
    ],
)
def test_clear_reasons(text: str, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        decode_hex(text)


def test_unknown_protocol_numbers_keep_the_content() -> None:
    message = decode_hex(wrap_frame(0x69, b"\x01\x02", 3).hex())
    assert message.body == RawBody("0102", "protocol number not decoded by this codec")
    assert message_to_json(message, tz=UTC)["body"]["content_hex"] == "0102"


def test_decode_lines_reports_each_failure_and_goes_on() -> None:
    good = FRAMES[0].hex()
    lines = ["# a comment", good, "", "not hex", f"{good} {good}", "78780d01"]
    results = list(decode_lines(lines, UTC))
    assert [ok for _, ok in results] == [True, False, True, True, False]
    assert results[1][0] == {"error": results[1][0]["error"]}
    assert results[1][0]["error"].startswith("line 4: invalid hex")
    assert results[4][0]["error"].startswith("line 6: ")
