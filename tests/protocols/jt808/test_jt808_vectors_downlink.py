"""The vectors beyond locations and registration: parameters, control, query, tracking, text,
transparent data, re-send requests, sub-packets and vendor variants (issue 3)."""

from __future__ import annotations

from typing import Any

import pytest

from assetwatch.protocols.jt808 import (
    ElectronicWaybill,
    LocationQuery,
    Parameter,
    ParameterReply,
    QueryAllParameters,
    RawBody,
    Reassembler,
    ResendRequest,
    SetParameters,
    TemporaryTracking,
    TerminalAttributes,
    TerminalControl,
    TextMessage,
    TransparentData,
    VehicleControl,
    decode_frame,
    decode_hex,
    encode_body,
    encode_frame,
    message_to_json,
    unescape,
)
from assetwatch.protocols.jt808.control import parse_vehicle_control
from assetwatch.protocols.jt808.tracking import parse_temporary_tracking
from tests.protocols.jt808.jt808_support import GMT8, load_vectors

VECTORS = {v["id"]: v for v in load_vectors()}
NEW_IDS = {
    "0x0104", "0x8103", "0x8104", "0x8105", "0x8201", "0x8202", "0x8300", "0x8500", "0x8003",
    "0x0900", "0x0701", "0x0107",
}  # fmt: skip


def _frames(*message_ids: str) -> list[Any]:
    return [
        pytest.param(v, id=v["id"])
        for v in VECTORS.values()
        if "hex" in v and v["message_id"] in message_ids
    ]


def _param_values(expected: list[dict[str, Any]]) -> list[Parameter]:
    values = []
    for item in expected:
        value = item.get("dword", item.get("text", bytes.fromhex(item["hex"])))
        values.append(Parameter(int(item["id"], 16), value))
    return values


def test_parameter_reply_sc024() -> None:
    vector = VECTORS["JT-SC-024"]
    body, expected = decode_hex(vector["hex"]).body, vector["body"]
    assert isinstance(body, ParameterReply)
    assert (body.reply_serial, body.count) == (expected["reply_serial"], expected["count"])
    assert list(body.parameters) == _param_values(expected["params"])
    assert [p.name for p in body.parameters] == ["heartbeat_interval", "main_server_address"]
    document = message_to_json(decode_hex(vector["hex"]), tz=GMT8)["body"]
    for got, want in zip(document["params"], expected["params"], strict=True):
        assert {k: got[k] for k in ("id", "len", "hex")} == {
            k: want[k] for k in ("id", "len", "hex")
        }
        assert got["value"] == want.get("dword", want.get("text"))


def test_set_parameters_sc025() -> None:
    vector = VECTORS["JT-SC-025"]
    body = decode_hex(vector["hex"]).body
    assert body == SetParameters(tuple(_param_values(vector["body"]["params"])))
    assert len(vector["body"]["params"]) == vector["body"]["count"]


@pytest.mark.parametrize("vector", _frames("0x8104", "0x8201"))
def test_empty_downlink_bodies(vector: dict[str, Any]) -> None:
    message = decode_hex(vector["hex"])
    assert vector["body"] == {"empty_body": True}
    assert message.raw_body == b""
    kind = QueryAllParameters if vector["message_id"] == "0x8104" else LocationQuery
    assert message.body == kind()
    assert message_to_json(message, tz=GMT8)["body"] == {}


@pytest.mark.parametrize("vector", _frames("0x8105"))
def test_terminal_control(vector: dict[str, Any]) -> None:
    body = decode_hex(vector["hex"]).body
    expected = vector["body"]
    assert isinstance(body, TerminalControl)
    assert body.command == expected["command"]
    # the hand decoder printed each byte as one character (SmallChi puts binary WORDs there)
    assert body.params == expected["params"].encode("latin-1")


@pytest.mark.parametrize("vector", _frames("0x0900"))
def test_transparent_data(vector: dict[str, Any]) -> None:
    message = decode_hex(vector["hex"])
    expected = vector["body"]
    assert message.body == TransparentData(
        int(expected["transparent_type"], 16), bytes.fromhex(expected["content_hex"])
    )
    document = message_to_json(message, tz=GMT8)["body"]
    assert {k: document[k] for k in expected} == expected


def test_transparent_text_sc029() -> None:
    document = message_to_json(decode_hex(VECTORS["JT-SC-029"]["hex"]), tz=GMT8)["body"]
    assert document["text"] == "smallchi"  # what SmallChi asserts as content_text


@pytest.mark.parametrize("vector", _frames("0x8300"))
def test_text_message(vector: dict[str, Any]) -> None:
    message = decode_hex(vector["hex"])
    expected = vector["body"]
    assert message.body == TextMessage(
        expected["flag"], expected["text"], expected.get("text_type")
    )
    assert (message.header.version == "2019") is ("text_type" in expected)
    document = message_to_json(message, tz=GMT8)["body"]
    assert {k: document[k] for k in expected} == expected


def test_resend_request_go052() -> None:
    vector = VECTORS["JT-GO-052"]
    body, expected = decode_hex(vector["hex"]).body, vector["body"]
    assert body == ResendRequest(expected["orig_serial"], tuple(expected["ids"]))
    assert len(expected["ids"]) == expected["count"]
    document = message_to_json(decode_hex(vector["hex"]), tz=GMT8)["body"]
    assert {k: document[k] for k in expected} == expected


def test_vehicle_control_2013_frame_yz067() -> None:
    vector = VECTORS["JT-YZ-067"]
    body = decode_hex(vector["hex"]).body
    assert body == VehicleControl("2013", flag=vector["body"]["control_flag"])
    assert isinstance(body, VehicleControl)
    assert body.door_lock is vector["body"]["door_lock"] is True


def test_vehicle_control_2019_without_count_yz068() -> None:
    vector = VECTORS["JT-YZ-068"]
    message = decode_hex(vector["hex"])
    expected = vector["body"]["as_yezhihao_2019_layout"]
    assert message.raw_body.hex() == vector["body"]["raw_body_hex"]
    assert isinstance(message.body, VehicleControl)
    assert message.body.layout == "2019_no_count"
    (item,) = message.body.items
    assert (f"0x{item.control_type:04x}", item.param) == (
        expected["control_type_id"],
        bytes((expected["param"],)),
    )
    assert encode_body(message.body, "2019") == message.raw_body


def test_vehicle_control_bodies_sc034_sc035() -> None:
    v2013, v2019 = VECTORS["JT-SC-034"], VECTORS["JT-SC-035"]
    body = parse_vehicle_control(bytes.fromhex(v2013["body_hex"]), "2013")
    assert body.flag == v2013["body"]["control_flag"]
    assert body.door_lock is v2013["body"]["bit0_door_lock"] is False
    body = parse_vehicle_control(bytes.fromhex(v2019["body_hex"]), "2019")
    expected = v2019["body"]
    assert body.layout == "2019" and len(body.items) == expected["control_count"]
    assert [(f"0x{i.control_type:04x}", i.param[0]) for i in body.items] == [
        (item["type_id"], item["param"]) for item in expected["items"]
    ]
    assert body.door_lock is True  # door type 0x0001 param 0 = lock (inverted against 2013)
    assert encode_body(body).hex() == v2019["body_hex"]


def test_temporary_tracking_yz069_sc036() -> None:
    frame, body_only = VECTORS["JT-YZ-069"], VECTORS["JT-SC-036"]
    assert decode_hex(frame["hex"]).body == TemporaryTracking(**frame["body"])
    body = parse_temporary_tracking(bytes.fromhex(body_only["body_hex"]))
    assert body == TemporaryTracking(**body_only["body"])
    assert encode_body(body).hex() == body_only["body_hex"]


def test_subpacket_sc033_waits_for_piece_1_and_asks_for_it() -> None:
    second = decode_hex(VECTORS["JT-SC-033"]["hex"])  # piece 2 of 2, serial 0x00EC
    assert second.body == RawBody(second.raw_body.hex(), "sub-packet 2 of 2")
    header = second.header
    piece_1_body = bytes(range(40))
    first = decode_frame(unescape(
        encode_frame(0x1205, header.phone, 0xEB, piece_1_body, packet=(2, 1))[1:-1]
    ))  # fmt: skip
    for pieces in ((first, second), (second, first)):
        reassembler = Reassembler()
        assert reassembler.add(pieces[0], now_ms=0) is None
        missing_index = 2 if pieces[0] is first else 1
        assert reassembler.missing(header.phone) == [ResendRequest(0xEB, (missing_index,))]
        assert reassembler.missing(header.phone)[0].serials == (0xEA + missing_index,)
        whole = reassembler.add(pieces[1], now_ms=10)
        assert whole is not None
        assert whole.raw_body == piece_1_body + second.raw_body
        assert (whole.header.serial, whole.header.packet_total, whole.header.msg_id) == (
            0xEB,
            None,
            0x1205,
        )
        assert whole.body == RawBody(whole.raw_body.hex(), "message id not decoded by this codec")
        assert reassembler.pending(header.phone) == []


def test_vendor_variants_decode_to_the_documented_fields() -> None:
    assert VECTORS["JT-TRC-L041"]["body"] == {}  # 0x0702 driver identity: kept raw
    assert isinstance(decode_hex(VECTORS["JT-TRC-L041"]["hex"]).body, RawBody)
    waybill = decode_hex(VECTORS["JT-TRC-L081"]["hex"]).body
    assert waybill == ElectronicWaybill(17, b"MD,SET CONFIG OK!")  # traccar's result
    attributes = decode_hex(VECTORS["JT-TRC-L372"]["hex"]).body
    assert isinstance(attributes, TerminalAttributes)
    assert attributes.iccid == "89883030000131882455"  # traccar's ICCID assertion
    assert (attributes.model, attributes.firmware_version) == ("C5L", "C5L_V2.6 2026/06/04 15:31")


@pytest.mark.parametrize("vector", _frames(*NEW_IDS))
def test_new_bodies_reencode_byte_exact(vector: dict[str, Any]) -> None:
    message = decode_hex(vector["hex"])
    assert not isinstance(message.body, RawBody)
    assert encode_body(message.body, message.header.version) == message.raw_body
