"""JT/T 808 (2011/2013/2019) codec: framing, typed messages, encoders, Observation mapping,
sub-packet reassembly and the command downlink.

Typical gateway use::

    splitter = FrameSplitter()
    reassembler = Reassembler()
    for content in splitter.feed(chunk):
        message = decode_frame(content)            # ProtocolError if undecodable
        if message.header.packet_total is not None:
            message = reassembler.add(message, now_ms)   # None until all pieces are in
        observations = to_observations(
            message, device_key=key, tz=device_tz, server_time_ms=now_ms
        )
        outcome = command_outcome(message, tz=device_tz)  # answers to our commands
        reply = encode_reply(
            message.header, PLATFORM_RESPONSE, my_serial,
            encode_platform_response(message.header.serial, message.header.msg_id, 0),
        )
    msg_id, body = encode_command("set_report_interval", {"seconds": 30}, version="2013")

Modules: ``frame`` (delimiters, escaping, checksum, splitter), ``header``, one module per
message family (``location``, ``batch``, ``registration``, ``responses``, ``parameters``,
``control``, ``tracking``, ``information``, ``attributes``, ``resend``) dispatched by
``messages.PARSERS``, field tables as data (``extras``, ``alarms``, ``param_table``),
``decoder``, ``encoder``, ``subpackets``, ``commands``/``outcomes``, ``observations`` and
``json_output``.
"""

from assetwatch.protocols.jt808.alarms import (
    ALARM_BITS,
    STATUS_FIELDS,
    AlarmBit,
    StatusField,
    alarm_codes,
    alarm_names,
    status_attributes,
)
from assetwatch.protocols.jt808.attributes import (
    QueryAttributes,
    TerminalAttributes,
    encode_terminal_attributes,
)
from assetwatch.protocols.jt808.batch import BATCH_BACKFILL, BATCH_NORMAL, BatchUpload
from assetwatch.protocols.jt808.commands import command_outcome, encode_command
from assetwatch.protocols.jt808.control import (
    TERMINAL_COMMANDS,
    ControlItem,
    TerminalControl,
    VehicleControl,
    encode_terminal_control,
    encode_vehicle_control,
)
from assetwatch.protocols.jt808.decoder import (
    Message,
    decode_frame,
    decode_hex,
    frames_from_hex,
    parse_body,
)
from assetwatch.protocols.jt808.encoder import (
    build_location,
    encode_authentication,
    encode_batch,
    encode_body,
    encode_extras,
    encode_frame,
    encode_location,
    encode_platform_response,
    encode_registration,
    encode_registration_reply,
    encode_reply,
    encode_terminal_response,
)
from assetwatch.protocols.jt808.extras import (
    EXTRA_ITEMS,
    ExtraField,
    ExtraItem,
    decode_extra,
    describe_extras,
)
from assetwatch.protocols.jt808.frame import (
    FrameSplitter,
    escape,
    unescape,
    wrap_frame,
    xor_checksum,
)
from assetwatch.protocols.jt808.header import Header, decode_header, encode_header
from assetwatch.protocols.jt808.information import (
    ElectronicWaybill,
    TextMessage,
    TransparentData,
    encode_text_message,
    encode_transparent,
    encode_waybill,
)
from assetwatch.protocols.jt808.json_output import body_to_json, decode_lines, message_to_json
from assetwatch.protocols.jt808.location import (
    LocationReply,
    LocationReport,
    parse_location,
)
from assetwatch.protocols.jt808.messages import (
    ATTRIBUTES_REPLY,
    AUTHENTICATION,
    BATCH_LOCATION,
    HEARTBEAT,
    LOCATION,
    LOCATION_QUERY,
    LOCATION_QUERY_REPLY,
    LOGOUT,
    PARAMETER_REPLY,
    PARSERS,
    PLATFORM_RESPONSE,
    QUERY_ALL_PARAMETERS,
    QUERY_ATTRIBUTES,
    QUERY_PARAMETERS,
    REGISTRATION,
    REGISTRATION_REPLY,
    RESEND_REQUEST,
    SET_PARAMETERS,
    TEMPORARY_TRACKING,
    TERMINAL_CONTROL,
    TERMINAL_RESPONSE,
    TEXT_MESSAGE,
    TRANSPARENT_DOWN,
    TRANSPARENT_UP,
    VEHICLE_CONTROL,
    VEHICLE_CONTROL_REPLY,
    WAYBILL,
    Body,
)
from assetwatch.protocols.jt808.observations import PROTOCOL, location_idem, to_observations
from assetwatch.protocols.jt808.outcomes import location_details
from assetwatch.protocols.jt808.param_table import PARAMETERS, ParameterSpec, ParamType
from assetwatch.protocols.jt808.parameters import (
    Parameter,
    ParameterReply,
    QueryAllParameters,
    QueryParameters,
    SetParameters,
    encode_parameter_reply,
    encode_query_parameters,
    encode_set_parameters,
    parameter,
    parameter_values,
    parameters_from,
)
from assetwatch.protocols.jt808.registration import (
    Authentication,
    Registration,
    RegistrationReply,
)
from assetwatch.protocols.jt808.resend import ResendRequest, encode_resend_request
from assetwatch.protocols.jt808.responses import (
    Heartbeat,
    Logout,
    PlatformResponse,
    RawBody,
    TerminalResponse,
)
from assetwatch.protocols.jt808.subpackets import (
    Reassembler,
    SubpacketKey,
    SubpacketRejected,
    split_frames,
)
from assetwatch.protocols.jt808.tracking import (
    LocationQuery,
    TemporaryTracking,
    encode_temporary_tracking,
)

__all__ = [
    "ALARM_BITS",
    "ATTRIBUTES_REPLY",
    "AUTHENTICATION",
    "BATCH_BACKFILL",
    "BATCH_LOCATION",
    "BATCH_NORMAL",
    "EXTRA_ITEMS",
    "HEARTBEAT",
    "LOCATION",
    "LOCATION_QUERY",
    "LOCATION_QUERY_REPLY",
    "LOGOUT",
    "PARAMETERS",
    "PARAMETER_REPLY",
    "PARSERS",
    "PLATFORM_RESPONSE",
    "PROTOCOL",
    "QUERY_ALL_PARAMETERS",
    "QUERY_ATTRIBUTES",
    "QUERY_PARAMETERS",
    "REGISTRATION",
    "REGISTRATION_REPLY",
    "RESEND_REQUEST",
    "SET_PARAMETERS",
    "STATUS_FIELDS",
    "TEMPORARY_TRACKING",
    "TERMINAL_COMMANDS",
    "TERMINAL_CONTROL",
    "TERMINAL_RESPONSE",
    "TEXT_MESSAGE",
    "TRANSPARENT_DOWN",
    "TRANSPARENT_UP",
    "VEHICLE_CONTROL",
    "VEHICLE_CONTROL_REPLY",
    "WAYBILL",
    "AlarmBit",
    "Authentication",
    "BatchUpload",
    "Body",
    "ControlItem",
    "ElectronicWaybill",
    "ExtraField",
    "ExtraItem",
    "FrameSplitter",
    "Header",
    "Heartbeat",
    "LocationQuery",
    "LocationReply",
    "LocationReport",
    "Logout",
    "Message",
    "ParamType",
    "Parameter",
    "ParameterReply",
    "ParameterSpec",
    "PlatformResponse",
    "QueryAllParameters",
    "QueryAttributes",
    "QueryParameters",
    "RawBody",
    "Reassembler",
    "Registration",
    "RegistrationReply",
    "ResendRequest",
    "SetParameters",
    "StatusField",
    "SubpacketKey",
    "SubpacketRejected",
    "TemporaryTracking",
    "TerminalAttributes",
    "TerminalControl",
    "TerminalResponse",
    "TextMessage",
    "TransparentData",
    "VehicleControl",
    "alarm_codes",
    "alarm_names",
    "body_to_json",
    "build_location",
    "command_outcome",
    "decode_extra",
    "decode_frame",
    "decode_header",
    "decode_hex",
    "decode_lines",
    "describe_extras",
    "encode_authentication",
    "encode_batch",
    "encode_body",
    "encode_command",
    "encode_extras",
    "encode_frame",
    "encode_header",
    "encode_location",
    "encode_parameter_reply",
    "encode_platform_response",
    "encode_query_parameters",
    "encode_registration",
    "encode_registration_reply",
    "encode_reply",
    "encode_resend_request",
    "encode_set_parameters",
    "encode_temporary_tracking",
    "encode_terminal_attributes",
    "encode_terminal_control",
    "encode_terminal_response",
    "encode_text_message",
    "encode_transparent",
    "encode_vehicle_control",
    "encode_waybill",
    "escape",
    "frames_from_hex",
    "location_details",
    "location_idem",
    "message_to_json",
    "parameter",
    "parameter_values",
    "parameters_from",
    "parse_body",
    "parse_location",
    "split_frames",
    "status_attributes",
    "to_observations",
    "unescape",
    "wrap_frame",
    "xor_checksum",
]
