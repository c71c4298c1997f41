"""Encoders of issue 3, byte-exact against the library-encoder vectors."""

from __future__ import annotations

import functools
import operator
from typing import Any

import pytest

from assetwatch.protocols.jt808 import (
    ControlItem,
    TemporaryTracking,
    TextMessage,
    VehicleControl,
    encode_frame,
    encode_parameter_reply,
    encode_query_parameters,
    encode_resend_request,
    encode_set_parameters,
    encode_temporary_tracking,
    encode_terminal_control,
    encode_text_message,
    encode_transparent,
    encode_vehicle_control,
    encode_waybill,
    parameter,
    split_frames,
)
from assetwatch.protocols.jt808.parameters import parse_set_parameters
from tests.protocols.jt808.jt808_support import load_vectors

VECTORS = {v["id"]: v for v in load_vectors()}

CASES: list[tuple[str, int, str, int, bytes, str]] = [
    # vector, msg id, phone, serial, body, version
    ("JT-SC-025", 0x8103, "000123456789", 10, encode_set_parameters([parameter("heartbeat_interval", 10)]), "2013"),  # noqa: E501
    ("JT-SC-024", 0x0104, "000123456789", 10, encode_parameter_reply(
        20, [parameter(0x0001, 10), parameter("main_server_address", "www.baidu.com")]
    ), "2013"),
    ("JT-SC-026", 0x8104, "012345678900", 1, b"", "2013"),
    ("JT-GO-049", 0x8104, "14419999999", 3, b"", "2019"),
    ("JT-SC-027", 0x8105, "012345678900", 1, encode_terminal_control(5), "2013"),
    ("JT-YZ-071", 0x8105, "012345678901", 0x7FFF, encode_terminal_control(
        0x7B, ["as", "123", "zxc", "123", ""]
    ), "2013"),
    ("JT-TRE-075", 0x8105, "0b3a73ce2ff2", 0, encode_terminal_control(0xF0), "2013"),
    ("JT-GO-051", 0x8201, "001256256927", 15, b"", "2013"),
    ("JT-YZ-069", 0x8202, "012345678901", 0x7FFF, encode_temporary_tracking(
        TemporaryTracking(5, 600)
    ), "2013"),
    ("JT-SC-030", 0x8300, "012345678900", 1, encode_text_message(
        TextMessage(5, "smallchi 518")
    ), "2013"),
    ("JT-SC-031", 0x8300, "12345678900", 1, encode_text_message(
        TextMessage(5, "smallchi 518", 1)
    ), "2019"),
    ("JT-GO-053", 0x8300, "001256256927", 4360, encode_text_message(
        TextMessage(0xFF, "测试123@456#abc+结束")
    ), "2013"),
    ("JT-YZ-070", 0x8300, "17299841738", 0xFFFF, encode_text_message(
        TextMessage(0x3F, "测试123@456#abc!...结束", 1)
    ), "2019"),
    ("JT-TRE-076", 0x8300, "0b3a73ce2ff2", 0, encode_text_message(
        TextMessage(1, "Test, Command, 123#")
    ), "2013"),
    ("JT-YZ-067", 0x8500, "012345678901", 0x7FFF, encode_vehicle_control(
        VehicleControl("2013", flag=0x7B)
    ), "2013"),
    ("JT-YZ-068", 0x8500, "17299841738", 0xFFFF, encode_vehicle_control(
        VehicleControl("2019_no_count", items=(ControlItem(0x007B, b"\x00"),))
    ), "2019"),
    ("JT-GO-052", 0x8003, "012345678901", 0x7FFF, encode_resend_request(4249, range(1, 10)), "2013"),  # noqa: E501
    ("JT-SC-029", 0x0900, "000123456789", 10, encode_transparent(0x83, b"smallchi"), "2013"),
    ("JT-YZ-072", 0x0900, "012345678901", 0x7FFF, encode_transparent(
        0x00, b"asdzxcqwe12335"
    ), "2013"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("vector_id", "msg_id", "phone", "serial", "body", "version"),
    [pytest.param(*case, id=case[0]) for case in CASES],
)
def test_encoder_matches_vector(
    vector_id: str, msg_id: int, phone: str, serial: int, body: bytes, version: str
) -> None:
    frame = encode_frame(msg_id, phone, serial, body, version=version)
    assert frame.hex() == VECTORS[vector_id]["hex"]


def test_vehicle_control_2019_list_body_sc035() -> None:
    control = VehicleControl(
        "2019", items=(ControlItem(0x0001, b"\x00"), ControlItem(0xF001, b"\x01"))
    )
    assert encode_vehicle_control(control).hex() == VECTORS["JT-SC-035"]["body_hex"]
    assert encode_vehicle_control(VehicleControl("2013", flag=0x0C)).hex() == "0c"  # JT-SC-034


def test_temporary_tracking_body_sc036_and_stop() -> None:
    body = encode_temporary_tracking(TemporaryTracking(69, 123))
    assert body.hex() == VECTORS["JT-SC-036"]["body_hex"]
    assert encode_temporary_tracking(TemporaryTracking(0)) == b"\x00\x00"


def test_set_parameters_2011_adds_the_packet_count_byte() -> None:
    items = [parameter("default_report_interval", 30), parameter("plate", "粤A12345")]
    body_2013 = encode_set_parameters(items)
    body_2011 = encode_set_parameters(items, "2011")
    assert body_2011 == b"\x02\x02" + body_2013[1:]
    assert body_2013[:1] == b"\x02"
    assert body_2013[1:10].hex() == "000000290400" + "00001e"
    assert parse_set_parameters(body_2011, "2011").packet_count == 2
    assert parse_set_parameters(body_2011, "2011").parameters == tuple(items)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: parameter("no_such_parameter", 1), "unknown"),
        (lambda: parameter("heartbeat_interval", -1), "does not fit"),
        (lambda: parameter("heartbeat_interval", 2**32), "does not fit"),
        (lambda: parameter("geofence_radius", 70000), "does not fit"),
        (lambda: parameter("plate_color", "blue"), "not text"),
        (lambda: parameter("plate", 1), "not a number"),
        (lambda: parameter("illegal_driving_window", "0800"), "takes 4 bytes"),
        (lambda: parameter(0x1_0000_0000, 1), "DWORD"),
        (lambda: parameter("plate", "\U0001f600"), "GBK"),
        (lambda: parameter(0xF001, b"x" * 256), "exceed 255"),
        (lambda: parameter("heartbeat_interval", 1.5), "unsupported"),
        (lambda: encode_set_parameters([parameter(1, 1)] * 256), "count byte"),
        (lambda: encode_resend_request(1, range(256)), "count byte"),
        (lambda: encode_terminal_control(256), "BYTE"),
        (lambda: encode_temporary_tracking(TemporaryTracking(70000, 1)), "WORD"),
        (lambda: encode_text_message(TextMessage(256, "x")), "BYTE"),
        (lambda: encode_vehicle_control(VehicleControl("2013", flag=256)), "BYTE"),
        (lambda: encode_vehicle_control(VehicleControl("1999")), "layout"),
        (
            lambda: encode_vehicle_control(
                VehicleControl("2019", items=(ControlItem(0x0001, b""),))
            ),
            "takes 1 byte",
        ),
    ],
)
def test_invalid_arguments_raise_value_error(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_parameter_values_are_typed_by_the_table() -> None:
    assert parameter("0x0029", 30).value == 30
    assert parameter("illegal_driving_window", "08001800").value == bytes.fromhex("08001800")
    assert parameter(0xF001, 5).value == b"\x00\x00\x00\x05"  # unknown id: raw, sent as DWORD
    assert parameter(0xF002, "RELAY,1#").value == b"RELAY,1#"
    assert parameter("plate_color", 1).value == 1


def test_query_parameters_and_waybill_bodies() -> None:
    assert encode_query_parameters([0x0001, 0x0013]).hex() == "020000000100000013"
    frame = encode_frame(0x0701, "012076463279", 8, encode_waybill(b"MD,SET CONFIG OK!"))
    assert frame.hex() == VECTORS["JT-TRC-L081"]["hex"]


def test_split_frames_headers() -> None:
    first, second = split_frames(0x0900, "040666575062", 0xEB, bytes(5), piece_size=3)
    # 0x0900, props 0x2003 (sub-packet + 3 bytes), phone, serial 0x00EB, total 2, index 1
    content = bytes.fromhex("0900 2003 040666575062 00eb 0002 0001 000000")
    checksum = functools.reduce(operator.xor, content)
    assert first == b"\x7e" + content + bytes((checksum,)) + b"\x7e"
    assert second.hex()[2:34] == "0900200204066657506200ec00020002"
