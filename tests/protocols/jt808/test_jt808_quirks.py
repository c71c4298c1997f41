"""The §12 pitfalls and what the codec does about each; the parameter table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path

import pytest

from assetwatch.model.observation import Observation
from assetwatch.protocols.jt808 import (
    PARAMETERS,
    LocationReply,
    Message,
    ParamType,
    Reassembler,
    Registration,
    build_location,
    decode_frame,
    decode_hex,
    decode_lines,
    encode_batch,
    encode_frame,
    encode_location,
    encode_registration,
    encode_reply,
    to_observations,
    unescape,
    xor_checksum,
)
from assetwatch.protocols.jt808.param_table import (
    PARAMETER_BY_ID,
    PARAMETER_BY_NAME,
    markdown_table,
)
from tests.protocols.jt808.jt808_support import GMT8, load_vectors

VECTORS = {v["id"]: v for v in load_vectors()}
LOCAL = datetime(2026, 3, 1, 12, 0, 0)


def _decode(frame: bytes, assume_version: str | None = None) -> Message:
    return decode_frame(unescape(frame[1:-1]), assume_version=assume_version)


def _observe(
    frame: bytes, tz: tzinfo = GMT8, assume_version: str | None = None
) -> list[Observation]:
    return to_observations(_decode(frame, assume_version), device_key="k", tz=tz, server_time_ms=0)


def test_required_parameters_are_in_the_table() -> None:
    D, S, W = ParamType.DWORD, ParamType.STRING, ParamType.WORD
    expected = {
        0x0001: ("heartbeat_interval", D), 0x0013: ("main_server_address", S),
        0x0020: ("report_strategy", D), 0x0021: ("report_scheme", D),
        0x0027: ("sleep_report_interval", D), 0x0028: ("emergency_report_interval", D),
        0x0029: ("default_report_interval", D), 0x002C: ("default_report_distance", D),
        0x0055: ("overspeed_limit", D), 0x0056: ("overspeed_duration", D),
        0x0031: ("geofence_radius", W), 0x0084: ("plate_color", ParamType.BYTE),
        0x0032: ("illegal_driving_window", ParamType.BYTES),
    }  # fmt: skip
    for param_id in range(0x0002, 0x0008):
        assert PARAMETER_BY_ID[param_id].type is ParamType.DWORD
    for param_id, (name, kind) in expected.items():
        spec = PARAMETER_BY_ID[param_id]
        assert (spec.name, spec.type) == (name, kind)
        assert PARAMETER_BY_NAME[name] is spec
    assert len(PARAMETER_BY_ID) == len(PARAMETER_BY_NAME) == len(PARAMETERS)
    for spec in PARAMETERS:
        assert (spec.size is not None) == (spec.type is ParamType.BYTES), spec.name
        assert spec.description and spec.versions <= {"2011", "2013", "2019"}
    assert "2019" not in PARAMETER_BY_ID[0x0018].versions  # the port moved into 0x0013
    assert PARAMETER_BY_ID[0x0023].versions == {"2019"}


def test_version_flag_with_a_2013_header_in_a_subpacket() -> None:
    content = bytearray(unescape(encode_frame(0x0900, "1", 9, b"\x41\x01", packet=(2, 1))[1:-1]))
    content[2] |= 0x40  # bit 14 set, yet the 16-byte 2013 header (with packet fields) follows
    content[-1] = xor_checksum(bytes(content[:-1]))
    message = decode_frame(bytes(content))
    assert message.checksum_ok
    assert message.header.version == "2013" and message.header.version_flag_mismatch
    assert (message.header.packet_total, message.header.packet_index) == (2, 1)
    assert Reassembler().add(message, now_ms=0) is None


def test_2011_devices_use_the_2011_alarm_and_status_layouts() -> None:
    alarms = 1 << 0 | 1 << 13 | 1 << 16 | 1 << 29 | 1 << 31
    status = 0b11 << 8 | 1 << 13 | 1 << 19 | 1 << 22
    report = build_location(lat=1, lon=1, time_local=LOCAL, alarm_flags=alarms, status=status)
    frame = encode_frame(0x0200, "1", 1, encode_location(report))
    (v2011,) = _observe(frame, assume_version="2011")
    (v2013,) = _observe(frame)
    assert v2011.alarms == ("sos",)  # bits 13, 16, 29, 31 are reserved in 2011
    assert v2013.alarms == ("sos", "overspeed_warning", "collision", "illegal_door_open")
    assert "load_state" not in v2011.attributes and "door1_open" not in v2011.attributes
    assert v2013.attributes["load_state"] == 3 and "moving" not in v2013.attributes
    assert v2011.attributes["raw.alarm_flags"] == alarms  # reserved bits are kept raw


def test_registration_padding_is_stripped_but_zeros_are_kept() -> None:
    body = bytearray(encode_registration(Registration(
        layout="2013", province_id=1, city_id=2, maker_id="M", model="X", terminal_id="T",
        plate_color=1, plate="A",
    )))  # fmt: skip
    body[4:9] = b"\x00\x00M1 "  # right-aligned with leading NULs, trailing space
    body[29:36] = b"000T007"  # left-padded with ASCII zeros: kept
    frame = encode_frame(0x0100, "1", 1, bytes(body))
    registration = _decode(frame).body
    assert isinstance(registration, Registration)
    assert (registration.maker_id, registration.terminal_id) == ("M1", "000T007")


def test_device_time_zone_is_honoured_by_every_location_message() -> None:
    report = build_location(lat=30, lon=120, time_local=LOCAL)
    location = encode_location(report)
    frames = [
        encode_frame(0x0200, "1", 1, location),
        encode_frame(0x0201, "1", 1, b"\x00\x05" + location),
        encode_frame(0x0500, "1", 1, b"\x00\x05" + location, version="2019"),
        encode_frame(0x0704, "1", 1, encode_batch([report, report], 1)),
    ]
    beijing = int(LOCAL.replace(tzinfo=GMT8).timestamp() * 1000)
    for frame in frames:
        in_gmt8 = [o.time_ms for o in _observe(frame)]
        in_utc = [o.time_ms for o in _observe(frame, UTC)]
        assert in_gmt8 and all(t == beijing for t in in_gmt8)
        assert all(t == beijing + 8 * 3600_000 for t in in_utc)
    ((document, ok),) = decode_lines([frames[2].hex()], timezone(timedelta(hours=-3)))
    assert ok and document["positions"][0]["time"] == "2026-03-01T15:00:00Z"
    assert isinstance(_decode(frames[2]).body, LocationReply)


def test_non_bcd_phone_digits_survive_decode_and_reply() -> None:
    header = decode_hex(VECTORS["JT-TRC-L397"]["hex"]).header
    assert header.phone == "4eb6fb4ad628"  # kept as hex, never as a number
    reply = _decode(encode_reply(header, 0x8001, 1, b"\x00\x01\x02\x00\x00"))
    assert reply.header.phone == "4eb6fb4ad628"


def test_twos_complement_coordinates_are_read_as_negative() -> None:
    body = bytearray(encode_location(build_location(lat=1, lon=1, time_local=LOCAL)))
    body[8:12] = bytes.fromhex("ff4580f2")  # -12.222222 as SmallChi writes it
    body[12:16] = (0x1_0000_0000 - 58_500_000).to_bytes(4, "big")
    (observation,) = _observe(encode_frame(0x0200, "1", 1, bytes(body)))
    assert (observation.lat, observation.lon) == (-12.222222, -58.5)
    assert observation.valid
    assert observation.attributes["raw.lat"] == 0xFF4580F2 / 1e6  # the unsigned reading
    body[8:12] = (200_000_000).to_bytes(4, "big")  # out of range either way
    (observation,) = _observe(encode_frame(0x0200, "1", 1, bytes(body)))
    assert observation.lat is None and observation.lon is None and not observation.valid


@pytest.mark.parametrize(("word", "metres"), [(0x0028, 40), (0xFFF6, -10), (48243, 48243)])
def test_altitude_sign_is_decided_and_the_raw_word_kept(word: int, metres: int) -> None:
    body = bytearray(encode_location(build_location(lat=1, lon=1, time_local=LOCAL)))
    body[16:18] = word.to_bytes(2, "big")
    (observation,) = _observe(encode_frame(0x0200, "1", 1, bytes(body)))
    assert observation.altitude_m == metres
    assert observation.attributes.get("raw.altitude", word) == word
    assert ("raw.altitude" in observation.attributes) is (metres < 0)


def test_docs_hold_the_parameter_table_generated_from_the_data() -> None:
    docs = Path(__file__).parents[3] / "docs" / "jt808.md"
    assert markdown_table() in docs.read_text("utf-8")
