"""Property tests for the issue-3 messages: decode(encode(x)) == x, and every parser fails
only with ProtocolError on arbitrary bodies."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from assetwatch.errors import ProtocolError
from assetwatch.protocols.jt808 import (
    PARAMETERS,
    PARSERS,
    ControlItem,
    ElectronicWaybill,
    Parameter,
    ParameterReply,
    ParamType,
    QueryParameters,
    ResendRequest,
    SetParameters,
    TemporaryTracking,
    TerminalAttributes,
    TerminalControl,
    TextMessage,
    TransparentData,
    VehicleControl,
    body_to_json,
    decode_frame,
    encode_body,
    encode_frame,
    parameter,
    unescape,
)

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
versions = st.sampled_from(["2011", "2013", "2019"])
gbk_text = st.text(st.sampled_from("abcXYZ019 ;:,.#@-_测试车辆粤京"), max_size=40)
TABLE_IDS = {spec.param_id for spec in PARAMETERS}
_INT_MAX = {ParamType.BYTE: 0xFF, ParamType.WORD: 0xFFFF, ParamType.DWORD: 0xFFFFFFFF}


@st.composite
def parameters(draw: st.DrawFn) -> Parameter:
    """Any parameter, in the canonical form a reply decodes to."""
    if draw(st.booleans()):
        unknown = (st.integers(0xF000, 0xFFFF) | u32).filter(lambda pid: pid not in TABLE_IDS)
        return Parameter(draw(unknown), draw(st.binary(max_size=20)))
    spec = draw(st.sampled_from(PARAMETERS))
    if spec.type in _INT_MAX:
        return parameter(spec.param_id, draw(st.integers(0, _INT_MAX[spec.type])))
    if spec.type is ParamType.STRING:
        return parameter(spec.param_id, draw(gbk_text))
    return parameter(spec.param_id, draw(st.binary(min_size=spec.size, max_size=spec.size)))


@st.composite
def set_parameters(draw: st.DrawFn, version: str) -> SetParameters:
    items = tuple(draw(st.lists(parameters(), max_size=8)))
    return SetParameters(items, len(items) if version == "2011" else None)


@st.composite
def vehicle_controls(draw: st.DrawFn) -> VehicleControl:
    if draw(st.booleans()):
        return VehicleControl("2013", flag=draw(u8))
    door = st.builds(lambda p: ControlItem(0x0001, bytes((p,))), u8)
    vendor = st.builds(lambda t, p: ControlItem(t, bytes((p,))), st.integers(0xF001, 0xFFFF), u8)
    items = draw(st.lists(door | vendor, max_size=4))
    last_vendor = st.builds(ControlItem, st.integers(0xF001, 0xFFFF), st.binary(max_size=6))
    items += draw(st.lists(last_vendor, max_size=1))
    return VehicleControl("2019", items=tuple(items))


def _round_trip(body: Any, msg_id: int, version: str) -> None:
    raw = encode_body(body, version)
    assert PARSERS[msg_id](raw, version) == body
    frame = encode_frame(msg_id, "13800001111", 1, raw, version=version)
    assume = None if version == "2019" else version
    assert decode_frame(unescape(frame[1:-1]), assume_version=assume).body == body


@given(st.data(), versions)
def test_set_parameters_round_trip(data: st.DataObject, version: str) -> None:
    _round_trip(data.draw(set_parameters(version)), 0x8103, version)


@given(u16, u8, st.lists(parameters(), max_size=8), versions)
def test_parameter_reply_round_trip(
    serial: int, count: int, items: list[Parameter], version: str
) -> None:
    _round_trip(ParameterReply(serial, count, tuple(items)), 0x0104, version)


@given(st.lists(u32, min_size=1, max_size=30))
def test_query_parameters_round_trip(ids: list[int]) -> None:
    _round_trip(QueryParameters(tuple(ids)), 0x8106, "2013")


@given(vehicle_controls())
def test_vehicle_control_round_trip_both_layouts(control: VehicleControl) -> None:
    _round_trip(control, 0x8500, control.layout)


@given(u16, u32 | st.none())
def test_temporary_tracking_round_trip(interval: int, validity: int | None) -> None:
    _round_trip(TemporaryTracking(interval, validity), 0x8202, "2013")


@given(u8, gbk_text, st.none() | u8)
def test_text_message_round_trip(flag: int, text: str, text_type: int | None) -> None:
    version = "2013" if text_type is None else "2019"
    _round_trip(TextMessage(flag, text, text_type), 0x8300, version)


@given(u8, st.binary(max_size=60), versions)
def test_terminal_control_and_transparent_round_trip(
    command: int, data: bytes, version: str
) -> None:
    _round_trip(TerminalControl(command, data), 0x8105, version)
    for msg_id in (0x0900, 0x8900):
        _round_trip(TransparentData(command, data), msg_id, version)
    _round_trip(ElectronicWaybill(len(data), data), 0x0701, version)


@given(u16, st.lists(u16, max_size=40))
def test_resend_request_round_trip(serial: int, ids: list[int]) -> None:
    _round_trip(ResendRequest(serial, tuple(ids)), 0x8003, "2013")


@given(
    version=st.sampled_from(["2013", "2019"]),
    terminal_type=u16,
    text=gbk_text.map(lambda t: t.strip(" ")).filter(lambda t: len(t.encode("gbk")) <= 5),
    iccid=st.text("0123456789", min_size=20, max_size=20),
    gnss=u8,
)
def test_terminal_attributes_round_trip(
    version: str, terminal_type: int, text: str, iccid: str, gnss: int
) -> None:
    attributes = TerminalAttributes(
        terminal_type=terminal_type, maker_id=text, model=text, terminal_id=text, iccid=iccid,
        hardware_version=text, firmware_version=text, gnss_properties=gnss, comm_properties=1,
    )  # fmt: skip
    _round_trip(attributes, 0x0107, version)


@given(st.sampled_from(sorted(PARSERS)), st.binary(max_size=80), versions)
def test_every_parser_fails_only_with_protocol_error(
    msg_id: int, body: bytes, version: str
) -> None:
    try:
        decoded = PARSERS[msg_id](body, version)
    except ProtocolError as err:
        assert str(err)
        return
    json.dumps(body_to_json(decoded, version), ensure_ascii=False)
    try:  # undecodable GBK text was replaced by U+FFFD, which cannot be encoded back
        encode_body(decoded, version)
    except ValueError as err:
        assert "GBK" in str(err)
