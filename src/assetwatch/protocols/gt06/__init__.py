"""GT06 / Concox codec: framing, typed messages, encoders, commands, Observation mapping.

Typical gateway use::

    splitter = FrameSplitter()
    for frame in splitter.feed(chunk):
        message = decode_frame(frame)              # ProtocolError if undecodable
        observations = to_observations(
            message, device_key=imei, tz=device_tz, server_time_ms=now_ms,
            login_zone=zone_from_login,
        )
        reply = encode_ack(message.protocol, message.serial)   # login, status, alarms

Modules: ``frame`` (start bytes, length, CRC-16/X-25, splitter), ``wire`` (date/time, GPS
block, cells), one module per packet family (``session``, ``location``, ``alarm``, ``lbs``,
``info``, ``text``) dispatched by ``messages.PARSERS``, ``status`` (alarm and status
tables as data), ``decoder``, ``encoder``, ``commands`` (canonical commands ↔ 0x80/0x15),
``clock`` (time zones and clone time encodings), ``observations`` and ``json_output``.
"""

from assetwatch.protocols.gt06.alarm import Alarm, Status
from assetwatch.protocols.gt06.clock import device_time_ms, packet_zone
from assetwatch.protocols.gt06.commands import (
    COMMAND_TEXTS,
    command_outcome,
    command_text,
    encode_command,
)
from assetwatch.protocols.gt06.decoder import (
    Message,
    decode_frame,
    decode_hex,
    frames_from_hex,
    parse_content,
)
from assetwatch.protocols.gt06.encoder import (
    build_gps,
    encode_ack,
    encode_body,
    encode_login_ack,
    encode_message,
    encode_server_command,
    encode_time_reply,
    login_body,
)
from assetwatch.protocols.gt06.frame import Frame, FrameSplitter, crc_x25, wrap_frame
from assetwatch.protocols.gt06.info import INFO_TYPES, Information
from assetwatch.protocols.gt06.json_output import body_to_json, decode_lines, message_to_json
from assetwatch.protocols.gt06.lbs import CellScan, signal_dbm
from assetwatch.protocols.gt06.location import Location
from assetwatch.protocols.gt06.messages import (
    ADDRESS_REQUEST,
    ALARM,
    ALARM_FENCES,
    ALARM_FENCES_4G,
    ALARM_UTC,
    COMMAND_REPLY,
    COMMAND_REPLY_LONG,
    GPS,
    GPS_LBS,
    GPS_LBS_4G,
    GPS_LBS_ACC,
    GPS_PHONE,
    INFORMATION,
    LBS_MULTI,
    LBS_MULTI_4G,
    LOGIN,
    NEEDS_ACK,
    PARSERS,
    SERVER_COMMAND,
    STATUS,
    TIME,
    UTC_PACKETS,
    Body,
)
from assetwatch.protocols.gt06.observations import PROTOCOL, cell_dicts, to_observations
from assetwatch.protocols.gt06.session import Empty, Login, RawBody, TimeReply
from assetwatch.protocols.gt06.status import (
    ALARMS,
    TERMINAL_ALARMS,
    TERMINAL_FIELDS,
    AlarmMeaning,
    alarm_meaning,
    terminal_alarm,
)
from assetwatch.protocols.gt06.text import CommandReply, ServerCommand, text_position
from assetwatch.protocols.gt06.wire import CellTower, GpsFix, TimeEncoding

__all__ = [
    "ADDRESS_REQUEST",
    "ALARM",
    "ALARMS",
    "ALARM_FENCES",
    "ALARM_FENCES_4G",
    "ALARM_UTC",
    "COMMAND_REPLY",
    "COMMAND_REPLY_LONG",
    "COMMAND_TEXTS",
    "GPS",
    "GPS_LBS",
    "GPS_LBS_4G",
    "GPS_LBS_ACC",
    "GPS_PHONE",
    "INFORMATION",
    "INFO_TYPES",
    "LBS_MULTI",
    "LBS_MULTI_4G",
    "LOGIN",
    "NEEDS_ACK",
    "PARSERS",
    "PROTOCOL",
    "SERVER_COMMAND",
    "STATUS",
    "TERMINAL_ALARMS",
    "TERMINAL_FIELDS",
    "TIME",
    "UTC_PACKETS",
    "Alarm",
    "AlarmMeaning",
    "Body",
    "CellScan",
    "CellTower",
    "CommandReply",
    "Empty",
    "Frame",
    "FrameSplitter",
    "GpsFix",
    "Information",
    "Location",
    "Login",
    "Message",
    "RawBody",
    "ServerCommand",
    "Status",
    "TimeEncoding",
    "TimeReply",
    "alarm_meaning",
    "body_to_json",
    "build_gps",
    "cell_dicts",
    "command_outcome",
    "command_text",
    "crc_x25",
    "decode_frame",
    "decode_hex",
    "decode_lines",
    "device_time_ms",
    "encode_ack",
    "encode_body",
    "encode_command",
    "encode_login_ack",
    "encode_message",
    "encode_server_command",
    "encode_time_reply",
    "frames_from_hex",
    "login_body",
    "message_to_json",
    "packet_zone",
    "parse_content",
    "signal_dbm",
    "terminal_alarm",
    "text_position",
    "to_observations",
    "wrap_frame",
]
