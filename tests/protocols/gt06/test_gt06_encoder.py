"""Encoders, byte-exact against the vector frames, and the command mapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from assetwatch.errors import CommandNotSupported, ValidationError
from assetwatch.model.commands import CommandKind, CommandResult
from assetwatch.protocols.gt06 import (
    COMMAND_TEXTS,
    CommandReply,
    command_outcome,
    command_text,
    decode_hex,
    encode_ack,
    encode_command,
    encode_login_ack,
    encode_server_command,
    encode_time_reply,
)
from tests.protocols.gt06.gt06_support import load_vectors

HEX = {v["id"]: v["hex"] for v in load_vectors()}


@pytest.mark.parametrize(
    ("frame", "vector"),
    [
        (encode_login_ack(5), "GT06-086"),
        (encode_login_ack(1), "GT06-099"),
        (encode_ack(0x13, 0x0100), "GT06-088"),
        (encode_ack(0x13, 0x0001), "GT06-101"),
        (encode_ack(0x26, 0x001C), "GT06-093"),
        (encode_time_reply(datetime(2015, 12, 29, 0, 0, 21, tzinfo=UTC), 6), "GT06-097"),
        (encode_server_command("sos#", 0, 1), "GT06-095"),
        (encode_server_command("Relay,1#", 0, 0), "GT06-110"),
        (encode_command(CommandKind.CUT_OIL, {}, server_flag=0, serial=0), "GT06-110"),
    ],
)
def test_server_frames_are_byte_exact(frame: bytes, vector: str) -> None:
    assert frame.hex() == HEX[vector]


def test_time_reply_is_utc_whatever_zone_it_is_given() -> None:
    beijing = datetime(2015, 12, 29, 8, 0, 21, tzinfo=timezone(timedelta(hours=8)))
    assert encode_time_reply(beijing, 6).hex() == HEX["GT06-097"]
    assert encode_time_reply(datetime(2015, 12, 29, 0, 0, 21), 6).hex() == HEX["GT06-097"]


def test_server_command_with_language_word_and_flag() -> None:
    frame = encode_server_command("WHERE#", 0x01020304, 7, language=2)
    message = decode_hex(frame.hex())
    assert frame[:4].hex() == "78781280"  # length 0x12: 1 + (1 + 4 + 6 + 2) + 2 + 2
    assert message.body.server_flag == 0x01020304  # type: ignore[union-attr]
    assert (message.body.text, message.body.language) == ("WHERE#", 2)  # type: ignore[union-attr]
    assert message.serial == 7 and message.checksum_ok


def test_long_commands_use_a_7979_frame_and_too_long_ones_are_refused() -> None:
    frame = encode_server_command("X" * 248 + "#", 9, 1)
    assert frame[:2] == b"\x79\x79"
    assert decode_hex(frame.hex()).body.text == "X" * 248 + "#"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="longer than 251"):
        encode_server_command("X" * 252, 9, 1)


@pytest.mark.parametrize(
    ("kind", "params", "text"),
    [
        (CommandKind.CUT_OIL, {}, "Relay,1#"),
        (CommandKind.RESTORE_OIL, {}, "Relay,0#"),
        (CommandKind.CUT_OIL, {"style": "dyd"}, "DYD,123456#"),
        (CommandKind.RESTORE_OIL, {"style": "dyd", "password": "654321"}, "HFYD,654321#"),
        (CommandKind.SET_REPORT_INTERVAL, {"seconds": 30}, "TIMER,30#"),
        (CommandKind.SET_HEARTBEAT_INTERVAL, {"seconds": 180}, "HBT,3#"),
        (CommandKind.QUERY_LOCATION, {}, "WHERE#"),
        (CommandKind.QUERY_PARAMETERS, {}, "PARAM#"),
        (CommandKind.REBOOT, {}, "RESET#"),
        (CommandKind.RAW, {"text": "GMT,E,8,0#"}, "GMT,E,8,0#"),
        ("query_location", {}, "WHERE#"),
    ],
)
def test_canonical_commands_become_these_texts(
    kind: CommandKind | str, params: dict[str, object], text: str
) -> None:
    assert command_text(kind, params) == text
    frame = encode_command(kind, params, server_flag=0xABCDEF01, serial=3)
    body = decode_hex(frame.hex()).body
    assert (body.text, body.server_flag) == (text, 0xABCDEF01)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "kind",
    [
        CommandKind.SET_SLEEP_INTERVAL,
        CommandKind.SET_PARAMETERS,
        CommandKind.TEMPORARY_TRACKING,
        CommandKind.TEXT,
        "no_such_kind",
    ],
)
def test_kinds_gt06_cannot_express_are_refused(kind: CommandKind | str) -> None:
    with pytest.raises(CommandNotSupported, match="GT06"):
        encode_command(kind, {"seconds": 60}, server_flag=1, serial=1)


def test_every_kind_is_either_mapped_or_refused() -> None:
    refused = {k for k in CommandKind if k not in COMMAND_TEXTS}
    assert refused == {
        CommandKind.SET_SLEEP_INTERVAL,
        CommandKind.SET_PARAMETERS,
        CommandKind.TEMPORARY_TRACKING,
        CommandKind.TEXT,
    }


@pytest.mark.parametrize(
    ("kind", "params", "reason"),
    [
        (CommandKind.SET_REPORT_INTERVAL, {"seconds": 2}, "outside 5"),
        (CommandKind.SET_REPORT_INTERVAL, {"seconds": "30"}, "must be an integer"),
        (CommandKind.SET_REPORT_INTERVAL, {"seconds": True}, "must be an integer"),
        (CommandKind.SET_HEARTBEAT_INTERVAL, {"seconds": 90}, "whole minutes"),
        (CommandKind.CUT_OIL, {"style": "sms"}, "style"),
        (CommandKind.CUT_OIL, {"style": "dyd", "password": "12 34#"}, "password"),
        (CommandKind.RAW, {"text": ""}, "non-empty ASCII"),
        (CommandKind.RAW, {"text": "断油#"}, "non-empty ASCII"),
    ],
)
def test_bad_parameters_are_refused_with_a_reason(
    kind: CommandKind, params: dict[str, object], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        command_text(kind, params)


def test_query_parameters_by_name_is_not_supported() -> None:
    with pytest.raises(CommandNotSupported, match="PARAM#"):
        command_text(CommandKind.QUERY_PARAMETERS, {"names": ["heartbeat"]})


def test_answers_become_outcomes_correlated_by_the_server_flag() -> None:
    success = decode_hex(HEX["GT06-056"]).body
    assert isinstance(success, CommandReply)
    outcome = command_outcome(success)
    assert (outcome.correlation, outcome.result) == (0, CommandResult.OK)
    assert outcome.details == {"text": "Cut off the fuel supply: Success!"}
    where = command_outcome(decode_hex(HEX["GT06-049"]).body)  # type: ignore[arg-type]
    assert where.details["position"] == {"lat": 54.739332, "lon": 25.27327}
    failed = command_outcome(CommandReply(77, "Relay command failed: no GPS"))
    assert (failed.correlation, failed.result) == (77, CommandResult.FAILED)
    assert command_outcome(CommandReply(5, "Invalid command!")).result is CommandResult.FAILED
