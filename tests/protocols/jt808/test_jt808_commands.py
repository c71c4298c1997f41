"""Canonical commands -> JT/T 808 messages, and terminal answers -> CommandOutcome."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from assetwatch.errors import CommandNotSupported, ValidationError
from assetwatch.model.commands import CommandKind, CommandOutcome, CommandResult
from assetwatch.protocols.jt808 import (
    PARSERS,
    LocationQuery,
    Parameter,
    QueryAllParameters,
    QueryParameters,
    SetParameters,
    TemporaryTracking,
    TerminalControl,
    TextMessage,
    VehicleControl,
    build_location,
    command_outcome,
    decode_frame,
    decode_hex,
    encode_command,
    encode_frame,
    encode_location,
    encode_terminal_response,
    unescape,
)
from tests.protocols.jt808.jt808_support import GMT8, load_vectors

VECTORS = {v["id"]: v for v in load_vectors()}


def _decoded(kind: str, params: dict[str, Any], version: str) -> tuple[int, Any]:
    msg_id, body = encode_command(kind, params, version=version)
    return msg_id, PARSERS[msg_id](body, version)


@pytest.mark.parametrize("version", ["2011", "2013", "2019"])
def test_interval_commands_set_one_parameter(version: str) -> None:
    for kind, param_id in (
        ("set_report_interval", 0x0029),
        ("set_sleep_interval", 0x0027),
        ("set_heartbeat_interval", 0x0001),
    ):
        msg_id, body = _decoded(kind, {"seconds": 45}, version)
        assert msg_id == 0x8103
        packet_count = 1 if version == "2011" else None
        assert body == SetParameters((Parameter(param_id, 45),), packet_count)


def test_heartbeat_command_is_the_sc025_body() -> None:
    msg_id, body = encode_command("set_heartbeat_interval", {"seconds": 10}, version="2013")
    assert (msg_id, body) == (0x8103, decode_hex(VECTORS["JT-SC-025"]["hex"]).raw_body)


def test_set_and_query_parameters() -> None:
    values = {"default_report_interval": 30, "0x0013": "gw.example.com:6808", "plate_color": 1}
    msg_id, body = _decoded("set_parameters", {"values": values}, "2019")
    assert msg_id == 0x8103
    assert body == SetParameters(
        (Parameter(0x29, 30), Parameter(0x13, "gw.example.com:6808"), Parameter(0x84, 1))
    )
    assert encode_command("query_parameters", {}, version="2013") == (0x8104, b"")
    assert _decoded("query_parameters", {"names": []}, "2011")[1] == QueryAllParameters()
    names = {"names": ["heartbeat_interval", "0x0013", 0xF001]}
    assert _decoded("query_parameters", names, "2013") == (
        0x8106,
        QueryParameters((0x0001, 0x0013, 0xF001)),
    )
    with pytest.raises(CommandNotSupported, match="2011"):
        encode_command("query_parameters", names, version="2011")


def test_location_tracking_text_and_reboot() -> None:
    assert _decoded("query_location", {}, "2013") == (0x8201, LocationQuery())
    tracking = {"interval_s": 5, "duration_s": 600}
    msg_id, body = encode_command("temporary_tracking", tracking, version="2013")
    assert (msg_id, body) == (0x8202, decode_hex(VECTORS["JT-YZ-069"]["hex"]).raw_body)
    assert _decoded("temporary_tracking", {"interval_s": 0}, "2019")[1] == TemporaryTracking(0, 0)
    assert _decoded("text", {"text": "请回电"}, "2013") == (0x8300, TextMessage(0x0C, "请回电"))
    assert _decoded("text", {"text": "hi"}, "2019") == (0x8300, TextMessage(0x0D, "hi", 1))
    custom = {"text": "RELAY,1#", "flag": 1}
    assert _decoded("text", custom, "2013")[1] == TextMessage(1, "RELAY,1#")
    assert _decoded("reboot", {}, "2013") == (0x8105, TerminalControl(4))
    assert encode_command("raw", {"msg_id": 0x8105, "body_hex": "f0"}, version="2013") == (
        0x8105,
        b"\xf0",
    )  # traccar's engine stop (JT-TRE-075)
    assert encode_command("raw", {"msg_id": "0x8900", "body_hex": "f1"}, version="2019")[0] == (
        0x8900
    )


def test_oil_cut_and_restore_per_layout() -> None:
    assert encode_command("cut_oil", {}, version="2013") == (0x8500, b"\x01")  # bit 0 = lock
    assert encode_command("restore_oil", {}, version="2011") == (0x8500, b"\x00")
    cut = encode_command("cut_oil", {}, version="2019")
    assert cut == (0x8500, bytes.fromhex("0001000100"))  # door type, 0 = lock
    assert encode_command(CommandKind.RESTORE_OIL, {}, version="2019")[1].hex() == "0001000101"
    vendor = encode_command("cut_oil", {"control_type": 0xF001}, version="2019")
    assert vendor[1].hex() == "0001f00101"
    decoded = PARSERS[0x8500](cut[1], "2019")
    assert isinstance(decoded, VehicleControl) and decoded.door_lock is True
    for version in ("2013", "2019"):
        restored = PARSERS[0x8500](encode_command("restore_oil", {}, version=version)[1], version)
        assert isinstance(restored, VehicleControl) and restored.door_lock is False


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("set_report_interval", {}),
        ("set_report_interval", {"seconds": 0}),
        ("set_report_interval", {"seconds": True}),
        ("set_report_interval", {"seconds": 2**32}),
        ("set_parameters", {"values": {}}),
        ("set_parameters", {"values": {"no_such_parameter": 1}}),
        ("set_parameters", {"values": {"heartbeat_interval": "ten"}}),
        ("query_parameters", {"names": "heartbeat_interval"}),
        ("temporary_tracking", {"interval_s": 5}),
        ("temporary_tracking", {"interval_s": 70000, "duration_s": 1}),
        ("text", {"text": ""}),
        ("text", {"text": "x", "flag": "urgent"}),
        ("cut_oil", {"control_type": -1}),  # a 2019 control type (2013 has none)
        ("raw", {"msg_id": 0x10000}),
        ("raw", {"msg_id": 0x8105, "body_hex": "zz"}),
    ],
)
def test_invalid_params_raise_validation_error(kind: str, params: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match=kind):
        encode_command(kind, params, version="2019")


def test_unknown_kinds_and_versions() -> None:
    with pytest.raises(CommandNotSupported):
        encode_command("self_destruct", {}, version="2013")
    with pytest.raises(ValueError, match="version"):
        encode_command("reboot", {}, version="2020")
    for kind in CommandKind:  # every canonical kind has a JT/T 808 message
        params = {"seconds": 1, "text": "x", "msg_id": 1, "values": {"plate": "A"}}
        params |= {"interval_s": 1, "duration_s": 1}
        assert encode_command(kind, params, version="2013")[0] > 0


def _message(msg_id: int, body: bytes, version: str = "2013") -> Any:
    return decode_frame(
        unescape(encode_frame(msg_id, "13800001111", 7, body, version=version)[1:-1])
    )


@pytest.mark.parametrize(
    ("result", "expected", "name"),
    [
        (0, CommandResult.OK, "ok"),
        (1, CommandResult.FAILED, "failed"),
        (2, CommandResult.FAILED, "message_error"),
        (3, CommandResult.UNSUPPORTED, "unsupported"),
        (9, CommandResult.FAILED, "result_9"),
    ],
)
def test_general_response_outcome(result: int, expected: CommandResult, name: str) -> None:
    outcome = command_outcome(_message(0x0001, encode_terminal_response(321, 0x8103, result)))
    assert outcome == CommandOutcome(
        correlation=321,
        result=expected,
        details={
            "message_id": "0x0001",
            "reply_msg_id": "0x8103",
            "result_code": result,
            "result_name": name,
        },
    )


def test_vehicle_control_ack_awaits_the_0500() -> None:
    outcome = command_outcome(_message(0x0001, encode_terminal_response(5, 0x8500, 0)))
    assert outcome is not None and outcome.details["awaits"] == "0x0500"


def test_parameter_reply_outcome_sc024() -> None:
    outcome = command_outcome(decode_hex(VECTORS["JT-SC-024"]["hex"]))
    assert outcome is not None
    assert (outcome.correlation, outcome.result) == (20, CommandResult.OK)
    assert outcome.details["parameters"] == {
        "heartbeat_interval": 10,
        "main_server_address": "www.baidu.com",
    }


def test_location_query_outcome_honours_the_time_zone() -> None:
    message = decode_hex(VECTORS["JT-GO-050"]["hex"])
    local = command_outcome(message)
    beijing = command_outcome(message, tz=GMT8)
    utc = command_outcome(message, tz=UTC)
    assert local is not None and beijing is not None and utc is not None
    assert local.correlation == 26722 and local.result is CommandResult.OK
    assert local.details["location"]["time_local"] == "2020-05-12 12:12:59"
    assert "time" not in local.details["location"]
    assert beijing.details["location"]["time"] == "2020-05-12T04:12:59Z"
    assert utc.details["location"]["time"] == "2020-05-12T12:12:59Z"


@pytest.mark.parametrize("version", ["2013", "2019"])
def test_vehicle_control_reply_outcome_reports_the_cut(version: str) -> None:
    report = build_location(
        lat=31.2, lon=121.5, time_local=datetime(2026, 1, 2, 3, 4, 5), status=0x1C01
    )
    body = (77).to_bytes(2, "big") + encode_location(report)
    outcome = command_outcome(_message(0x0500, body, version), tz=GMT8)
    assert outcome is not None and outcome.correlation == 77
    details = outcome.details
    assert (details["oil_cut"], details["circuit_cut"], details["door_locked"]) == (True,) * 3
    assert details["location"]["lat"] == 31.2 and details["location"]["alarms"] == []
    assert details["location"]["time"] == "2026-01-01T19:04:05Z"
    restored = command_outcome(decode_hex(VECTORS["JT-SC-010"]["hex"]))
    assert restored is not None and restored.correlation == 1000
    assert restored.details["oil_cut"] is False


def test_messages_that_answer_no_command() -> None:
    assert command_outcome(decode_hex(VECTORS["JT-SC-000"]["hex"])) is None  # 0x0200
    assert command_outcome(decode_hex(VECTORS["JT-SC-016"]["hex"])) is None  # heartbeat
