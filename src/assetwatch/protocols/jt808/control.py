"""0x8105 terminal control and 0x8500 vehicle control (spec §5.6, §7.1).

The terminal answers both with 0x0001; after a 0x8500 it also sends 0x0500 (reply serial +
location, see :mod:`.location`), whose status bits 10/11/12 say whether oil/circuit are cut
and the doors locked.

0x8500 layouts:

* 2011/2013: one control-flag BYTE, bit 0 = 1 lock the doors, 0 unlock.
* 2019: count WORD + ``{control type WORD, params}``; type 0x0001 (door) takes one BYTE,
  **0 = lock, 1 = open** (inverted against 2013). Types 0xF001+ are vendor types.
* yezhihao/jt808-server writes the 2019 list without the count (``layout="2019_no_count"``);
  a 2019 body whose count does not fit is read that way.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Final

import msgspec

from assetwatch.errors import ProtocolError

_WORD = struct.Struct(">H")

TERMINAL_COMMANDS: Final = {
    1: "wireless_upgrade",
    2: "connect_server",
    3: "power_off",
    4: "reset",
    5: "factory_reset",
    6: "close_data_link",
    7: "close_wireless",
}
"""0x8105 command words (2013, unchanged in 2019). Vendors add their own (traccar: 0xF0)."""
RESET: Final = 4

LAYOUT_2013: Final = "2013"
LAYOUT_2019: Final = "2019"
LAYOUT_2019_NO_COUNT: Final = "2019_no_count"

DOOR_LOCK_BIT: Final = 0x01
"""2013 control flag bit 0: 1 = lock doors (the output most trackers wire to 断油断电)."""
DOOR_CONTROL: Final = 0x0001
"""2019 control type of the doors; its BYTE parameter is 0 = lock, 1 = open."""
DOOR_LOCK_2019: Final = 0
DOOR_OPEN_2019: Final = 1
CONTROL_PARAM_LEN: Final = {DOOR_CONTROL: 1}
"""Parameter length per standard control type; vendor types are read as one BYTE."""
_VENDOR_PARAM_LEN: Final = 1


class TerminalControl(msgspec.Struct, frozen=True):
    """0x8105: ``command`` word and its parameter string (``;``-separated fields).

    ``params`` stays bytes: implementations put binary WORDs in it (SmallChi's ports);
    :attr:`text` is the GBK reading.
    """

    command: int
    params: bytes = b""

    @property
    def text(self) -> str:
        return self.params.decode("gbk", errors="replace")

    @property
    def command_name(self) -> str:
        return TERMINAL_COMMANDS.get(self.command, f"vendor_0x{self.command:02x}")


class ControlItem(msgspec.Struct, frozen=True):
    """One 2019 vehicle-control item: control type id and its parameter bytes."""

    control_type: int
    param: bytes


class VehicleControl(msgspec.Struct, frozen=True):
    """0x8500. ``flag`` is the 2011/2013 control flag; ``items`` the 2019 control list."""

    layout: str
    flag: int = 0
    items: tuple[ControlItem, ...] = ()

    @property
    def door_lock(self) -> bool | None:
        """True to lock, False to unlock/open, None when the message holds no door control."""
        if self.layout == LAYOUT_2013:
            return bool(self.flag & DOOR_LOCK_BIT)
        for item in self.items:
            if item.control_type == DOOR_CONTROL and item.param:
                return item.param[0] == DOOR_LOCK_2019
        return None


def parse_terminal_control(body: bytes, version: str = "2013") -> TerminalControl:
    """Decode 0x8105: command BYTE + parameter string to the end of the body."""
    if not body:
        raise ProtocolError("terminal control body is empty")
    return TerminalControl(body[0], body[1:])


def encode_terminal_control(command: int, fields: Iterable[str] | str = "") -> bytes:
    """0x8105 body. ``fields`` are joined with ``;`` (an empty field stays empty)."""
    if not 0 <= command <= 0xFF:
        raise ValueError(f"terminal control command {command} does not fit a BYTE")
    text = fields if isinstance(fields, str) else ";".join(fields)
    try:
        return bytes((command,)) + text.encode("gbk")
    except UnicodeEncodeError as err:
        raise ValueError(f"terminal control parameters {text!r} are not GBK") from err


def parse_vehicle_control(body: bytes, version: str = "2013") -> VehicleControl:
    """Decode 0x8500 in the layout of ``version`` (2019: with or without the count)."""
    if not body:
        raise ProtocolError("vehicle control body is empty")
    if version != "2019":
        return VehicleControl(LAYOUT_2013, flag=body[0])
    if len(body) >= 2:
        (count,) = _WORD.unpack_from(body)
        items = _control_items(body, 2, count)
        if items is not None:
            return VehicleControl(LAYOUT_2019, items=items)
    items = _control_items(body, 0, None)
    if items is None:
        raise ProtocolError(f"0x8500 2019 body {body.hex()} fits neither 2019 reading")
    return VehicleControl(LAYOUT_2019_NO_COUNT, items=items)


def _control_items(body: bytes, pos: int, count: int | None) -> tuple[ControlItem, ...] | None:
    """``count`` items from ``pos`` (None: as many as the body holds), or None when they do
    not fill the body exactly.

    A standard type takes its parameter length; a vendor type takes one BYTE, except the
    last item, whose parameter runs to the end of the body. Without a count, an item is the
    last when fewer than three bytes would follow it.
    """
    items: list[ControlItem] = []
    end = len(body)
    while len(items) != count and (count is not None or pos < end):
        if end - pos < 2:
            return None
        (control_type,) = _WORD.unpack_from(body, pos)
        size = CONTROL_PARAM_LEN.get(control_type)
        if size is not None:
            stop = pos + 2 + size
        elif count is not None:
            stop = end if len(items) + 1 == count else pos + 2 + _VENDOR_PARAM_LEN
        else:
            stop = pos + 2 + _VENDOR_PARAM_LEN
            stop = end if end - stop < 3 else stop
        if stop > end:
            return None
        items.append(ControlItem(control_type, body[pos + 2 : stop]))
        pos = stop
    return tuple(items) if pos == end else None


def encode_vehicle_control(control: VehicleControl) -> bytes:
    """0x8500 body in ``control.layout``."""
    if control.layout == LAYOUT_2013:
        if not 0 <= control.flag <= 0xFF:
            raise ValueError(f"control flag {control.flag} does not fit a BYTE")
        return bytes((control.flag,))
    if control.layout not in (LAYOUT_2019, LAYOUT_2019_NO_COUNT):
        raise ValueError(f"unknown 0x8500 layout {control.layout!r}")
    parts = [_WORD.pack(len(control.items))] if control.layout == LAYOUT_2019 else []
    for item in control.items:
        expected = CONTROL_PARAM_LEN.get(item.control_type)
        if expected is not None and len(item.param) != expected:
            raise ValueError(f"control type 0x{item.control_type:04x} takes {expected} byte(s)")
        parts.append(_WORD.pack(item.control_type) + item.param)
    return b"".join(parts)
