"""Message-id dispatch: one small parser per message id, in one table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from assetwatch.protocols.jt808.attributes import (
    QueryAttributes,
    TerminalAttributes,
    parse_query_attributes,
    parse_terminal_attributes,
)
from assetwatch.protocols.jt808.batch import BatchUpload, parse_batch
from assetwatch.protocols.jt808.control import (
    TerminalControl,
    VehicleControl,
    parse_terminal_control,
    parse_vehicle_control,
)
from assetwatch.protocols.jt808.information import (
    ElectronicWaybill,
    TextMessage,
    TransparentData,
    parse_text_message,
    parse_transparent,
    parse_waybill,
)
from assetwatch.protocols.jt808.location import (
    LocationReply,
    LocationReport,
    parse_location,
    parse_location_reply,
)
from assetwatch.protocols.jt808.parameters import (
    ParameterReply,
    QueryAllParameters,
    QueryParameters,
    SetParameters,
    parse_parameter_reply,
    parse_query_all,
    parse_query_parameters,
    parse_set_parameters,
)
from assetwatch.protocols.jt808.registration import (
    Authentication,
    Registration,
    RegistrationReply,
    parse_authentication,
    parse_registration,
    parse_registration_reply,
)
from assetwatch.protocols.jt808.resend import ResendRequest, parse_resend_request
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
from assetwatch.protocols.jt808.tracking import (
    LocationQuery,
    TemporaryTracking,
    parse_location_query,
    parse_temporary_tracking,
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
    | ResendRequest
    | SetParameters
    | QueryAllParameters
    | QueryParameters
    | ParameterReply
    | TerminalControl
    | QueryAttributes
    | TerminalAttributes
    | LocationQuery
    | TemporaryTracking
    | TextMessage
    | VehicleControl
    | TransparentData
    | ElectronicWaybill
    | RawBody
)
"""Every decoded body type."""

Parser = Callable[[bytes, str], Body]

# terminal -> platform
TERMINAL_RESPONSE: Final = 0x0001
HEARTBEAT: Final = 0x0002
LOGOUT: Final = 0x0003
LOGOUT_2011: Final = 0x0101
REGISTRATION: Final = 0x0100
AUTHENTICATION: Final = 0x0102
PARAMETER_REPLY: Final = 0x0104
ATTRIBUTES_REPLY: Final = 0x0107
LOCATION: Final = 0x0200
LOCATION_QUERY_REPLY: Final = 0x0201
VEHICLE_CONTROL_REPLY: Final = 0x0500
WAYBILL: Final = 0x0701
BATCH_LOCATION: Final = 0x0704
TRANSPARENT_UP: Final = 0x0900
# platform -> terminal
PLATFORM_RESPONSE: Final = 0x8001
RESEND_REQUEST: Final = 0x8003
REGISTRATION_REPLY: Final = 0x8100
SET_PARAMETERS: Final = 0x8103
QUERY_ALL_PARAMETERS: Final = 0x8104
TERMINAL_CONTROL: Final = 0x8105
QUERY_PARAMETERS: Final = 0x8106
QUERY_ATTRIBUTES: Final = 0x8107
LOCATION_QUERY: Final = 0x8201
TEMPORARY_TRACKING: Final = 0x8202
TEXT_MESSAGE: Final = 0x8300
VEHICLE_CONTROL: Final = 0x8500
TRANSPARENT_DOWN: Final = 0x8900

PARSERS: Final[dict[int, Parser]] = {
    TERMINAL_RESPONSE: parse_terminal_response,
    HEARTBEAT: parse_heartbeat,
    LOGOUT: parse_logout,
    LOGOUT_2011: parse_logout,
    REGISTRATION: parse_registration,
    AUTHENTICATION: parse_authentication,
    PARAMETER_REPLY: parse_parameter_reply,
    ATTRIBUTES_REPLY: parse_terminal_attributes,
    LOCATION: parse_location,
    LOCATION_QUERY_REPLY: parse_location_reply,
    VEHICLE_CONTROL_REPLY: parse_location_reply,
    WAYBILL: parse_waybill,
    BATCH_LOCATION: parse_batch,
    TRANSPARENT_UP: parse_transparent,
    PLATFORM_RESPONSE: parse_platform_response,
    RESEND_REQUEST: parse_resend_request,
    REGISTRATION_REPLY: parse_registration_reply,
    SET_PARAMETERS: parse_set_parameters,
    QUERY_ALL_PARAMETERS: parse_query_all,
    TERMINAL_CONTROL: parse_terminal_control,
    QUERY_PARAMETERS: parse_query_parameters,
    QUERY_ATTRIBUTES: parse_query_attributes,
    LOCATION_QUERY: parse_location_query,
    TEMPORARY_TRACKING: parse_temporary_tracking,
    TEXT_MESSAGE: parse_text_message,
    VEHICLE_CONTROL: parse_vehicle_control,
    TRANSPARENT_DOWN: parse_transparent,
}
"""Message id -> body parser ``(body, version) -> Body``. Other ids decode to RawBody."""
