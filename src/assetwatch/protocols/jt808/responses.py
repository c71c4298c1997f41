"""General responses (0x0001, 0x8001), empty bodies and undecoded bodies (spec §4, §5.1)."""

from __future__ import annotations

import struct
from typing import Final

import msgspec

from assetwatch.errors import ProtocolError

_GENERAL = struct.Struct(">HHB")

RESULT_OK: Final = 0
RESULT_FAILURE: Final = 1
RESULT_MESSAGE_ERROR: Final = 2
RESULT_NOT_SUPPORTED: Final = 3
RESULT_ALARM_CONFIRMED: Final = 4
"""0x8001 only: alarm handling confirmed."""


class TerminalResponse(msgspec.Struct, frozen=True):
    """0x0001 terminal general response to a platform message."""

    reply_serial: int
    reply_msg_id: int
    result: int


class PlatformResponse(msgspec.Struct, frozen=True):
    """0x8001 platform general response to a terminal message."""

    reply_serial: int
    reply_msg_id: int
    result: int


class Heartbeat(msgspec.Struct, frozen=True):
    """0x0002 terminal heartbeat (empty body)."""


class Logout(msgspec.Struct, frozen=True):
    """0x0003 terminal logout (empty body; 0x0101 in the 2011 appendix)."""


class RawBody(msgspec.Struct, frozen=True):
    """A body this codec does not decode: ``hex`` of the bytes and why (``reason``)."""

    hex: str
    reason: str = ""


def _general(body: bytes, name: str) -> tuple[int, int, int]:
    if len(body) < _GENERAL.size:
        raise ProtocolError(f"{name} too short: {len(body)} bytes, needs 5")
    serial, msg_id, result = _GENERAL.unpack_from(body)
    return serial, msg_id, result


def parse_terminal_response(body: bytes, version: str = "2013") -> TerminalResponse:
    return TerminalResponse(*_general(body, "terminal response"))


def parse_platform_response(body: bytes, version: str = "2013") -> PlatformResponse:
    return PlatformResponse(*_general(body, "platform response"))


def parse_heartbeat(body: bytes, version: str = "2013") -> Heartbeat:
    return Heartbeat()


def parse_logout(body: bytes, version: str = "2013") -> Logout:
    return Logout()
