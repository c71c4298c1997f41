"""Protocol-number dispatch: one small parser per packet type, in one table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from assetwatch.protocols.gt06.alarm import Alarm, Status, parse_alarm, parse_status
from assetwatch.protocols.gt06.info import Information, parse_information
from assetwatch.protocols.gt06.lbs import CellScan, parse_cell_scan
from assetwatch.protocols.gt06.location import (
    Location,
    parse_gps_lbs,
    parse_gps_lbs_acc,
    parse_gps_only,
    parse_gps_phone,
)
from assetwatch.protocols.gt06.session import (
    Empty,
    Login,
    RawBody,
    TimeReply,
    parse_login,
    parse_time,
)
from assetwatch.protocols.gt06.text import (
    CommandReply,
    ServerCommand,
    parse_command_reply,
    parse_server_command,
)

Body = (
    Login
    | Location
    | Status
    | Alarm
    | CellScan
    | Information
    | CommandReply
    | ServerCommand
    | TimeReply
    | Empty
    | RawBody
)
"""Every decoded body type."""

Parser = Callable[[int, bytes], Body]

LOGIN: Final = 0x01
GPS: Final = 0x10
GPS_LBS: Final = 0x12
STATUS: Final = 0x13
COMMAND_REPLY: Final = 0x15
ALARM: Final = 0x16
GPS_PHONE: Final = 0x1A
COMMAND_REPLY_LONG: Final = 0x21
GPS_LBS_ACC: Final = 0x22
ALARM_UTC: Final = 0x26
ALARM_FENCES: Final = 0x27
LBS_MULTI: Final = 0x28
ADDRESS_REQUEST: Final = 0x2A
SERVER_COMMAND: Final = 0x80
TIME: Final = 0x8A
INFORMATION: Final = 0x94
GPS_LBS_4G: Final = 0xA0
LBS_MULTI_4G: Final = 0xA1
ALARM_FENCES_4G: Final = 0xA4

PARSERS: Final[dict[int, Parser]] = {
    LOGIN: parse_login,
    GPS: parse_gps_only,
    GPS_LBS: parse_gps_lbs,
    STATUS: parse_status,
    COMMAND_REPLY: parse_command_reply,
    ALARM: parse_alarm,
    GPS_PHONE: parse_gps_phone,
    COMMAND_REPLY_LONG: parse_command_reply,
    GPS_LBS_ACC: parse_gps_lbs_acc,
    ALARM_UTC: parse_alarm,
    ALARM_FENCES: parse_alarm,
    LBS_MULTI: parse_cell_scan,
    ADDRESS_REQUEST: parse_gps_phone,
    SERVER_COMMAND: parse_server_command,
    TIME: parse_time,
    INFORMATION: parse_information,
    GPS_LBS_4G: parse_gps_lbs_acc,
    LBS_MULTI_4G: parse_cell_scan,
    ALARM_FENCES_4G: parse_alarm,
}
"""Protocol number -> content parser ``(protocol, content) -> Body``. Empty content decodes
to :class:`Empty` whatever the number; numbers without a parser to :class:`RawBody`."""

NEEDS_ACK: Final = frozenset({LOGIN, STATUS, ALARM, ALARM_UTC, ALARM_FENCES, ALARM_FENCES_4G})
"""Terminal packets the device waits for an acknowledgement of (and resends without one)."""

UTC_PACKETS: Final = frozenset(
    {GPS_LBS_ACC, ALARM_UTC, ALARM_FENCES, LBS_MULTI, ADDRESS_REQUEST, GPS_LBS_4G,
     LBS_MULTI_4G, ALARM_FENCES_4G}
)  # fmt: skip
"""Packets whose date/time the JM-VL03 document defines as UTC: a time-zone word from the
login does not apply to them (only the device's own configured zone does)."""
