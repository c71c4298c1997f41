"""0x94 information transfer: a sub-type byte and its data, decoded through a table.

:data:`INFO_TYPES` maps each known sub-type to a name and a pure decoder ``data -> values``
(shared attribute names, units in the names). Unknown sub-types, and data a decoder cannot
read, keep only the raw hex.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import msgspec

from assetwatch.protocols.gt06.wire import ascii_text, need

_FUEL: Final = re.compile(
    r"!AIOIL,\d+,[\d.]+,(?P<temperature>-?[\d.]+),[^,]+,\d{4},(?P<fuel>[\d.]+),"
)


class Information(msgspec.Struct, frozen=True):
    """0x94 sub-type and data; ``values`` holds what :data:`INFO_TYPES` decoded."""

    info_type: int
    data: bytes
    values: dict[str, Any] = msgspec.field(default_factory=dict)

    @property
    def name(self) -> str:
        entry = _BY_TYPE.get(self.info_type)
        return entry.name if entry is not None else "unknown"


def _external_voltage(data: bytes) -> dict[str, Any]:
    return {"voltage_v": int.from_bytes(data[:2], "big") / 100}


def _status_sync(data: bytes) -> dict[str, Any]:
    """``ALM1=..;STA1=..;DYD=..;…`` (device settings and states) → ``status_sync`` dict."""
    text = ascii_text(data)
    pairs = [item.split("=", 1) for item in text.split(";") if "=" in item]
    if not pairs:
        return {}
    return {"status_sync": {key: value for key, value in pairs}}


def _door(data: bytes) -> dict[str, Any]:
    """Door flags (bit 0 door open, bit 2 input 1), after a 6-byte time in longer data."""
    flags = data[-1]
    values: dict[str, Any] = {"door": bool(flags & 1), "input1": bool(flags & 4)}
    if len(data) >= 7:
        values["raw.info_time"] = data[:6].hex()
    return values


def _iccid(data: bytes) -> dict[str, Any]:
    """IMEI (8, BCD with a leading 0), IMSI (8), ICCID (10, BCD, ``f``-padded)."""
    if len(data) < 26:
        return {}
    return {
        "imei": data[:8].hex()[1:],
        "imsi": data[8:16].hex()[1:],
        "iccid": data[16:26].hex().replace("f", ""),
    }


def _fuel_sensor(data: bytes) -> dict[str, Any]:
    """An ``!AIOIL,…`` fuel-sensor sentence, optionally after a 6-byte time."""
    text = data.decode("ascii", errors="replace")
    match = _FUEL.search(text)
    if match is None:
        return {}
    start = text.index("!AIOIL")
    values: dict[str, Any] = {
        "temperature_c": float(match["temperature"]),
        "fuel_level": float(match["fuel"]),
        "raw.fuel_sensor": text[start:],
    }
    return values


def _rfid(data: bytes) -> dict[str, Any]:
    """``RFID:<id>`` text, or a binary frame ``02 08 <id 4> <check> 03``."""
    if data.startswith(b"RFID:"):
        return {"driver_id": ascii_text(data[5:]).strip()}
    if len(data) >= 8 and data[0] == 0x02:
        return {"driver_id": data[2:6].hex()}
    return {}


def _satellites(data: bytes) -> dict[str, Any]:
    return {"satellites_visible": data[0]}


@dataclass(frozen=True, slots=True)
class InfoType:
    info_type: int
    name: str
    decode: Callable[[bytes], dict[str, Any]]


INFO_TYPES: Final[tuple[InfoType, ...]] = (
    InfoType(0x00, "external_voltage", _external_voltage),
    InfoType(0x04, "status_sync", _status_sync),
    InfoType(0x05, "door_status", _door),
    InfoType(0x09, "satellites", _satellites),
    InfoType(0x0A, "iccid", _iccid),
    InfoType(0x0D, "fuel_sensor", _fuel_sensor),
    InfoType(0x1B, "rfid", _rfid),
)
_BY_TYPE: Final = {entry.info_type: entry for entry in INFO_TYPES}


def parse_information(protocol: int, content: bytes) -> Information:
    need(content, 0, 1, "information sub-type")
    info_type, data = content[0], content[1:]
    entry = _BY_TYPE.get(info_type)
    values: dict[str, Any] = {}
    if entry is not None and data:
        try:
            values = entry.decode(data)
        except (ValueError, IndexError):
            values = {}  # kept as raw data: a vendor layout this table does not know
    return Information(info_type, data, values)
