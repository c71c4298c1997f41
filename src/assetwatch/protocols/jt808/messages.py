"""Message-id dispatch: one small parser per message id, in one table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from assetwatch.protocols.jt808.batch import BatchUpload, parse_batch
from assetwatch.protocols.jt808.location import (
    LocationReply,
    LocationReport,
    parse_location,
    parse_location_reply,
)
from assetwatch.protocols.jt808.registration import (
    Authentication,
    Registration,
    RegistrationReply,
    parse_authentication,
    parse_registration,
    parse_registration_reply,
)
from assetwatch.protocols.jt808.responses import (
    Heartbeat,
    Logout,
    PlatformResponse,
    RawBody,
    TerminalResponse,
    parse_heartbeat,
    parse_logout,
    parse_platform_response,
    parse_terminal_response,
)

Body = (
    LocationReport
    | LocationReply
    | BatchUpload
    | Registration
    | RegistrationReply
    | Authentication
    | TerminalResponse
    | PlatformResponse
    | Heartbeat
    | Logout
    | RawBody
)
"""Every decoded body type."""

Parser = Callable[[bytes, str], Body]

TERMINAL_RESPONSE: Final = 0x0001
HEARTBEAT: Final = 0x0002
LOGOUT: Final = 0x0003
LOGOUT_2011: Final = 0x0101
REGISTRATION: Final = 0x0100
AUTHENTICATION: Final = 0x0102
LOCATION: Final = 0x0200
LOCATION_QUERY_REPLY: Final = 0x0201
VEHICLE_CONTROL_REPLY: Final = 0x0500
BATCH_LOCATION: Final = 0x0704
PLATFORM_RESPONSE: Final = 0x8001
REGISTRATION_REPLY: Final = 0x8100

PARSERS: Final[dict[int, Parser]] = {
    TERMINAL_RESPONSE: parse_terminal_response,
    HEARTBEAT: parse_heartbeat,
    LOGOUT: parse_logout,
    LOGOUT_2011: parse_logout,
    REGISTRATION: parse_registration,
    AUTHENTICATION: parse_authentication,
    LOCATION: parse_location,
    LOCATION_QUERY_REPLY: parse_location_reply,
    VEHICLE_CONTROL_REPLY: parse_location_reply,
    BATCH_LOCATION: parse_batch,
    PLATFORM_RESPONSE: parse_platform_response,
    REGISTRATION_REPLY: parse_registration_reply,
}
"""Message id -> body parser ``(body, version) -> Body``. Other ids decode to RawBody."""
