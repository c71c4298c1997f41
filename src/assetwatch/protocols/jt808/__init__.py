"""JT/T 808 (2011/2013/2019) codec: framing, typed messages, encoders, Observation mapping.

Typical gateway use::

    splitter = FrameSplitter()
    for content in splitter.feed(chunk):
        message = decode_frame(content)            # ProtocolError if undecodable
        observations = to_observations(
            message, device_key=key, tz=device_tz, server_time_ms=now_ms
        )
        reply = encode_reply(
            message.header, PLATFORM_RESPONSE, my_serial,
            encode_platform_response(message.header.serial, message.header.msg_id, 0),
        )

Modules: ``frame`` (delimiters, escaping, checksum, splitter), ``header``, one module per
message family (``location``, ``batch``, ``registration``, ``responses``) dispatched by
``messages.PARSERS``, ``extras`` and ``alarms`` (field tables as data), ``decoder``,
``encoder``, ``observations`` and ``json_output``.
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
from assetwatch.protocols.jt808.batch import BATCH_BACKFILL, BATCH_NORMAL, BatchUpload
from assetwatch.protocols.jt808.decoder import (
    Message,
    decode_frame,
    decode_hex,
    frames_from_hex,
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
from assetwatch.protocols.jt808.json_output import body_to_json, decode_lines, message_to_json
from assetwatch.protocols.jt808.location import (
    LocationReply,
    LocationReport,
    parse_location,
)
from assetwatch.protocols.jt808.messages import (
    AUTHENTICATION,
    BATCH_LOCATION,
    HEARTBEAT,
    LOCATION,
    LOCATION_QUERY_REPLY,
    LOGOUT,
    PARSERS,
    PLATFORM_RESPONSE,
    REGISTRATION,
    REGISTRATION_REPLY,
    TERMINAL_RESPONSE,
    VEHICLE_CONTROL_REPLY,
    Body,
)
from assetwatch.protocols.jt808.observations import PROTOCOL, location_idem, to_observations
from assetwatch.protocols.jt808.registration import (
    Authentication,
    Registration,
    RegistrationReply,
)
from assetwatch.protocols.jt808.responses import (
    Heartbeat,
    Logout,
    PlatformResponse,
    RawBody,
    TerminalResponse,
)

__all__ = [
    "ALARM_BITS",
    "AUTHENTICATION",
    "BATCH_BACKFILL",
    "BATCH_LOCATION",
    "BATCH_NORMAL",
    "EXTRA_ITEMS",
    "HEARTBEAT",
    "LOCATION",
    "LOCATION_QUERY_REPLY",
    "LOGOUT",
    "PARSERS",
    "PLATFORM_RESPONSE",
    "PROTOCOL",
    "REGISTRATION",
    "REGISTRATION_REPLY",
    "STATUS_FIELDS",
    "TERMINAL_RESPONSE",
    "VEHICLE_CONTROL_REPLY",
    "AlarmBit",
    "Authentication",
    "BatchUpload",
    "Body",
    "ExtraField",
    "ExtraItem",
    "FrameSplitter",
    "Header",
    "Heartbeat",
    "LocationReply",
    "LocationReport",
    "Logout",
    "Message",
    "PlatformResponse",
    "RawBody",
    "Registration",
    "RegistrationReply",
    "StatusField",
    "TerminalResponse",
    "alarm_codes",
    "alarm_names",
    "body_to_json",
    "build_location",
    "decode_extra",
    "decode_frame",
    "decode_header",
    "decode_hex",
    "decode_lines",
    "describe_extras",
    "encode_authentication",
    "encode_batch",
    "encode_body",
    "encode_extras",
    "encode_frame",
    "encode_header",
    "encode_location",
    "encode_platform_response",
    "encode_registration",
    "encode_registration_reply",
    "encode_reply",
    "encode_terminal_response",
    "escape",
    "frames_from_hex",
    "location_idem",
    "message_to_json",
    "parse_location",
    "status_attributes",
    "to_observations",
    "unescape",
    "wrap_frame",
    "xor_checksum",
]
