"""Text messages: 0x80 server command, and the terminal's answers 0x15 (``7878``) / 0x21
(``7979``), both echoing the command's 4-byte server flag.

* 0x80 / 0x15: length (1) = 4 + text length, server flag (4), ASCII text, [language (2)].
* 0x21: server flag (4), encoding (1: ASCII, 2: UTF-16BE), text.

Devices also send 0x15 on their own (server flag 0, e.g. ``<ICCID:…>``) and some write a
length byte of 0 before the text: then the text is everything up to the language word.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

import msgspec

from assetwatch.protocols.gt06.wire import ascii_text, need

COMMAND_REPLY_LONG: Final = 0x21
ENCODING_ASCII: Final = 1
ENCODING_UTF16: Final = 2
FLAG_SIZE: Final = 4


class ServerCommand(msgspec.Struct, frozen=True):
    """0x80 from the server: ``text`` such as ``Relay,1#`` tagged with ``server_flag``."""

    server_flag: int
    text: str
    language: int | None = None


class CommandReply(msgspec.Struct, frozen=True):
    """0x15 / 0x21 from the terminal: the answer ``text`` to the command whose
    ``server_flag`` it echoes. ``length_field`` is the 0x15 length byte as sent (None for
    0x21), ``encoding`` the 0x21 text encoding (None for 0x15)."""

    server_flag: int
    text: str
    language: int | None = None
    encoding: int | None = None
    length_field: int | None = None
    trailing: bytes = b""


def _split_flagged_text(content: bytes) -> tuple[int, int, str, int | None, bytes]:
    """``(length byte, server flag, text, language, trailing)`` of the 0x80/0x15 layout."""
    need(content, 0, 1 + FLAG_SIZE, "command text")
    length = content[0]
    flag = int.from_bytes(content[1 : 1 + FLAG_SIZE], "big")
    if FLAG_SIZE <= length and 1 + length <= len(content):
        text = content[1 + FLAG_SIZE : 1 + length]
        rest = content[1 + length :]
    else:  # a length byte that does not fit: the text runs up to the language word
        tail = 2 if len(content) >= 1 + FLAG_SIZE + 2 else 0
        text = content[1 + FLAG_SIZE : len(content) - tail]
        rest = content[len(content) - tail :]
    language = int.from_bytes(rest[:2], "big") if len(rest) >= 2 else None
    trailing = rest[2:] if len(rest) >= 2 else rest
    return length, flag, ascii_text(text), language, trailing


def parse_server_command(protocol: int, content: bytes) -> ServerCommand:
    _, flag, text, language, _ = _split_flagged_text(content)
    return ServerCommand(flag, text, language)


def parse_command_reply(protocol: int, content: bytes) -> CommandReply:
    """0x15 (or a 0x21 when ``protocol`` says so)."""
    if protocol == COMMAND_REPLY_LONG:
        need(content, 0, FLAG_SIZE + 1, "command reply")
        flag = int.from_bytes(content[:FLAG_SIZE], "big")
        encoding = content[FLAG_SIZE]
        raw = content[FLAG_SIZE + 1 :]
        if encoding == ENCODING_UTF16:
            text = raw.decode("utf-16-be", errors="replace").rstrip("\x00")
        else:
            text = ascii_text(raw)
        return CommandReply(flag, text, encoding=encoding)
    length, flag, text, language, trailing = _split_flagged_text(content)
    return CommandReply(flag, text, language, length_field=length, trailing=trailing)


_POSITION: Final = re.compile(
    r"Lat:(?P<ns>[NS])(?P<lat>\d+(?:\.\d+)?),\s*Lon:(?P<ew>[EW])(?P<lon>\d+(?:\.\d+)?)"
    r"(?:,\s*Course:(?P<course>\d+(?:\.\d+)?))?"
    r"(?:,\s*Speed:(?P<speed>\d+(?:\.\d+)?)[^,]*)?"
    r"(?:,\s*DateTime:(?P<time>\d{4}-\d\d-\d\d\s+\d\d:\d\d:\d\d))?"
)


class TextPosition(msgspec.Struct, frozen=True):
    """A position written out in a command answer (``WHERE#``: ``Lat:N22.5,Lon:E113.9,
    Course:…,Speed:…,DateTime:…``). ``time`` is the device's wall clock, if given."""

    lat: float
    lon: float
    course: float | None
    speed_kmh: float | None
    time: datetime | None


def text_position(text: str) -> TextPosition | None:
    """The position in an answer text, or None when it holds none (or out of range)."""
    match = _POSITION.search(text)
    if match is None:
        return None
    lat = float(match["lat"]) * (-1 if match["ns"] == "S" else 1)
    lon = float(match["lon"]) * (-1 if match["ew"] == "W" else 1)
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    moment = None
    if match["time"]:
        try:
            moment = datetime.strptime(" ".join(match["time"].split()), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            moment = None
    course = float(match["course"]) if match["course"] else None
    speed = float(match["speed"]) if match["speed"] else None
    return TextPosition(lat, lon, course, speed, moment)
