"""Encoders: byte-exact against the library-encoder vectors, and argument validation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from assetwatch.protocols.jt808 import (
    LocationReport,
    Registration,
    build_location,
    decode_hex,
    encode_authentication,
    encode_batch,
    encode_body,
    encode_frame,
    encode_header,
    encode_location,
    encode_platform_response,
    encode_registration,
    encode_registration_reply,
    encode_reply,
    encode_terminal_response,
)
from tests.protocols.jt808.jt808_support import load_vectors

VECTORS = {v["id"]: v for v in load_vectors()}
REENCODABLE = {
    "0x0200", "0x0704", "0x0100", "0x0102", "0x0002", "0x0003", "0x0001", "0x8001", "0x8100",
    "0x0201", "0x0500",
}  # fmt: skip
ENCODER_FRAMES = [
    pytest.param(v, id=v["id"])
    for v in VECTORS.values()
    if "hex" in v and v["origin"] == "library_encoder_output" and v["message_id"] in REENCODABLE
]


def _hex(vector_id: str) -> str:
    hex_frame: str = VECTORS[vector_id]["hex"]
    return hex_frame


@pytest.mark.parametrize("vector", ENCODER_FRAMES)
def test_decoded_message_reencodes_byte_exact(vector: dict[str, Any]) -> None:
    message = decode_hex(vector["hex"])
    header = message.header
    body = encode_body(message.body, header.version)
    assert body == message.raw_body
    frame = encode_frame(
        header.msg_id,
        header.phone,
        header.serial,
        body,
        version=header.version,
        protocol_version=header.protocol_version or 1,
    )
    assert frame.hex() == vector["hex"]


def _location_sc000() -> LocationReport:
    return build_location(
        lat=12.222222,
        lon=132.444444,
        time_local=datetime(2018, 10, 15, 10, 10, 10),
        alarm_flags=0x1,
        altitude_m=40,
        speed_kmh=6.0,
        course=0,
        extras=[(0x01, (100).to_bytes(4, "big")), (0x02, (125).to_bytes(2, "big"))],
    )


def test_location_from_values_sc000() -> None:
    frame = encode_frame(0x0200, "123456789012", 126, encode_location(_location_sc000()))
    assert frame.hex() == _hex("JT-SC-000")  # escapes 0x7E in the serial, 0x7D in fuel


def test_location_southern_and_western_hemisphere_bits() -> None:
    report = build_location(lat=-34.895833, lon=-58.5, time_local=None, positioned=False)
    assert report.status & 0b1110 == 0b1100
    assert report.lat == -34.895833
    body = encode_location(report)
    assert body[8:16] == (34895833).to_bytes(4, "big") + (58500000).to_bytes(4, "big")


def test_batch_from_values_sc008() -> None:
    first = build_location(
        lat=12.222222, lon=132.444444, time_local=datetime(2018, 7, 15, 10, 10, 10),
        alarm_flags=0x1, altitude_m=40, speed_kmh=6.0,
        extras=[(0x01, (100).to_bytes(4, "big")), (0x02, (55).to_bytes(2, "big"))],
    )  # fmt: skip
    second = build_location(
        lat=13.333333, lon=132.555555, time_local=datetime(2018, 7, 15, 10, 10, 30),
        alarm_flags=0x2, status=0x1, positioned=False, altitude_m=41, speed_kmh=5.4,
        course=120, extras=[(0x01, (96).to_bytes(4, "big")), (0x02, (66).to_bytes(2, "big"))],
    )  # fmt: skip
    frame = encode_frame(0x0704, "112233445566", 8888, encode_batch([first, second], 0))
    assert frame.hex() == _hex("JT-SC-008")


@pytest.mark.parametrize(
    ("vector_id", "registration", "phone", "serial", "version"),
    [
        (
            "JT-SC-011",
            Registration(
                layout="2013", province_id=40, city_id=50, maker_id="1234",
                model="smallchi123", terminal_id="CHI123", plate_color=1, plate="粤A12345",
            ),
            "000123456789", 10, "2013",
        ),
        (
            "JT-SC-012",
            Registration(
                layout="2011", province_id=40, city_id=50, maker_id="1234", model="tk12345",
                terminal_id="CHI123", plate_color=1, plate="粤A12345",
            ),
            "000123456789", 10, "2011",
        ),
        (
            "JT-SC-013",
            Registration(
                layout="2019", province_id=40, city_id=50, maker_id="1234",
                model="smallchi123", terminal_id="CHI123", plate_color=1, plate="粤A12345",
            ),
            "123456789", 10, "2019",
        ),
        (
            "JT-GO-056",
            Registration(
                layout="2019", province_id=31, city_id=110, maker_id="cd123456789",
                model="www.808.com", terminal_id="7654321", plate_color=1, plate="测A12345678",
            ),
            "12345678901234562019", 1, "2019",
        ),
    ],
)  # fmt: skip
def test_registration_from_values(
    vector_id: str, registration: Registration, phone: str, serial: int, version: str
) -> None:
    body = encode_registration(registration)
    frame = encode_frame(0x0100, phone, serial, body, version=version)
    assert frame.hex() == _hex(vector_id)
    assert decode_hex(_hex(vector_id)).body == registration


def test_authentication_from_values() -> None:
    assert encode_frame(0x0102, "12345678900", 12345, encode_authentication("456121111")).hex() == (
        _hex("JT-SC-015")
    )
    body = encode_authentication("17299841738", "2019", imei="123456789012345", software="3.7.15")
    frame = encode_frame(0x0102, "17299841738", 0, body, version="2019")
    assert frame.hex() == _hex("JT-GO-043")


def test_replies_from_values() -> None:
    phone = "012345678900"
    response = encode_platform_response(100, 0x0200, 0)
    assert encode_frame(0x8001, phone, 10, response).hex() == _hex("JT-SC-020")
    accepted = encode_registration_reply(100, 0, "123456")
    assert encode_frame(0x8100, phone, 10, accepted).hex() == _hex("JT-SC-021")
    refused = encode_registration_reply(100, 4, "not written when refused")
    assert encode_frame(0x8100, phone, 10, refused).hex() == _hex("JT-SC-022")
    ack = encode_terminal_response(1000, 0x0002, 0)
    assert encode_frame(0x0001, phone, 1203, ack).hex() == _hex("JT-SC-019")
    assert encode_frame(0x0002, phone, 10, b"").hex() == _hex("JT-SC-016")


def test_reply_mirrors_the_2019_request_header() -> None:
    request = decode_hex(_hex("JT-GO-054")).header  # 2019 heartbeat, serial 1
    body = encode_platform_response(request.serial, request.msg_id, 0)
    assert encode_reply(request, 0x8001, 1, body).hex() == _hex("JT-GO-055")


def test_reply_mirrors_a_2013_request_header() -> None:
    request = decode_hex(_hex("JT-GO-041")).header
    frame = encode_reply(request, 0x8001, 7, encode_platform_response(0, 0x0002, 0))
    reply = decode_hex(frame.hex()).header
    assert (reply.version, reply.phone, reply.protocol_version) == ("2013", request.phone, None)


def test_checksum_byte_is_escaped() -> None:
    frame = encode_frame(0x0002, "040021679287", 43, b"")
    assert frame.hex() == _hex("JT-SC-017")  # checksum 0x7E travels as 7D 02


def test_subpacket_header() -> None:
    frame = encode_frame(0x1205, "040666575062", 0xEC, b"\x01\x02", packet=(2, 2))
    header = decode_hex(frame.hex()).header
    assert (header.packet_total, header.packet_index, header.header_len) == (2, 2, 16)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: encode_header(0x0200, "1" * 13, 0, 0), "more than 12 digits"),
        (lambda: encode_header(0x0200, "12345x", 0, 0), "not a digit string"),
        (lambda: encode_header(0x0200, "1", 0, 1024), "sub-packets"),
        (lambda: encode_header(0x0200, "1", 0, 0, version="2020"), "unknown"),
        (lambda: encode_authentication("a" * 256, "2019"), "length byte"),
        (lambda: encode_authentication("x", "2019", imei="1" * 16), "imei"),
        (lambda: encode_registration_reply(1, 0, "\u20ac\U0001f600"), "GBK"),
    ],
)
def test_invalid_arguments_raise_value_error(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_invalid_location_fields_raise_value_error() -> None:
    report = _location_sc000()
    with pytest.raises(ValueError, match="altitude"):
        encode_location(build_location(lat=1, lon=1, time_local=None, altitude_m=-1001))
    with pytest.raises(ValueError, match="out of range"):
        encode_location(LocationReport(**{**_fields(report), "course": 70000}))
    with pytest.raises(ValueError, match="2000-2099"):
        encode_location(LocationReport(**{**_fields(report), "time_local": datetime(1999, 1, 1)}))
    with pytest.raises(ValueError, match="does not fit"):
        too_long = {"extra_ids": (1,), "extra_values": (bytes(256),)}
        encode_location(LocationReport(**{**_fields(report), **too_long}))
    with pytest.raises(ValueError, match="model"):
        encode_registration(
            Registration(
                layout="2011", province_id=0, city_id=0, maker_id="", model="123456789",
                terminal_id="", plate_color=0, plate="",
            )
        )  # fmt: skip


def _fields(report: LocationReport) -> dict[str, Any]:
    return {name: getattr(report, name) for name in report.__struct_fields__}
