"""Render a decoded message in the vocabulary of ``vectors.json`` (the hand decoder's field
names), so each vector's ``expected.body`` can be compared key by key.

Names and documented meanings are written out here independently of the codec's tables.
"""

from __future__ import annotations

from typing import Any

from assetwatch.protocols.gt06 import (
    Alarm,
    CellScan,
    CellTower,
    CommandReply,
    Empty,
    GpsFix,
    Information,
    Location,
    Login,
    Message,
    ServerCommand,
    Status,
    TimeReply,
)

TERMINAL_ALARM_NAMES = {0: "normal", 1: "vibration", 2: "power_cut", 3: "low_battery", 4: "sos"}


def _datetime(raw: bytes) -> str:
    return f"{2000 + raw[0]:04d}-{raw[1]:02d}-{raw[2]:02d} {raw[3]:02d}:{raw[4]:02d}:{raw[5]:02d}"


def gps_view(gps: GpsFix) -> dict[str, Any]:
    status = gps.course_status
    return {
        "datetime": _datetime(gps.time_raw),
        "gps_info_len": gps.info_length,
        "satellites": gps.satellites,
        "lat_raw": gps.lat_raw,
        "lon_raw": gps.lon_raw,
        "speed_kmh": gps.speed_kmh,
        "course_status_hex": f"0x{status:04x}",
        "course": gps.course,
        "north": bool(status & 0x0400),
        "west": bool(status & 0x0800),
        "positioned": gps.positioned,
        "differential": gps.differential,
        "bit14": bool(status & 0x4000),
        "bit15": bool(status & 0x8000),
        "latitude": round(gps.lat, 6),
        "longitude": round(gps.lon, 6),
    }


def cell_view(cell: CellTower | None, *, four_g: bool = False) -> dict[str, Any]:
    if cell is None:
        return {"mcc": 0, "mnc": 0, "lac": 0, "cell_id": 0}
    view: dict[str, Any] = {"mcc": cell.mcc, "mnc": cell.mnc, "lac": cell.lac, "cell_id": cell.ci}
    if four_g:
        view["mnc_2bytes"] = cell.wide_mnc
    return view


def terminal_view(terminal_info: int, voltage: int, gsm: int) -> dict[str, Any]:
    bits = terminal_info >> 3 & 7
    return {
        "terminal_info_hex": f"0x{terminal_info:02x}",
        "oil_electricity_cut": bool(terminal_info & 0x80),
        "gps_tracking_or_positioned_bit6": bool(terminal_info & 0x40),
        "alarm_bits_3_5": bits,
        "alarm_bits_name": TERMINAL_ALARM_NAMES.get(bits, f"other_{bits}"),
        "charging": bool(terminal_info & 0x04),
        "acc_on": bool(terminal_info & 0x02),
        "defense_armed": bool(terminal_info & 0x01),
        "voltage_level": voltage,
        "gsm_signal": gsm,
    }


def _login(message: Message, body: Login) -> dict[str, Any]:
    view: dict[str, Any] = {"terminal_id_bcd": body.terminal_id, "imei": body.imei}
    if body.type_code is not None:
        view["type_identity_code"] = f"{body.type_code:04x}"
    if body.zone_word is not None:
        offset = body.tz_offset_minutes or 0
        sign = "-" if offset < 0 else "+"
        view["timezone_language_hex"] = f"{body.zone_word:04x}"
        view["tz_offset_hhmm"] = f"{sign}{abs(offset) // 60}:{abs(offset) % 60:02d}"
        view["language_bits"] = body.language
    return view


def _location(message: Message, body: Location) -> dict[str, Any]:
    view: dict[str, Any] = {"gps": gps_view(body.gps)}
    if body.phone is not None:  # the hand decoder leaves everything after the GPS block raw
        view["remaining_hex"] = message.frame.content[18:].hex()
        return view
    if body.cell is not None:
        view["lbs"] = cell_view(body.cell, four_g=message.protocol == 0xA0)
    for name, key in (("acc", "acc"), ("upload_mode", "upload_mode"),
                      ("reupload", "realtime_or_reupload"), ("mileage", "mileage")):  # fmt: skip
        if getattr(body, name) is not None:
            view[key] = getattr(body, name)
    view["remaining_hex"] = body.trailing.hex()
    return view


def _status(message: Message, body: Status) -> dict[str, Any]:
    view = terminal_view(body.terminal_info, body.voltage, body.gsm)
    view.update(alarm_or_ext_byte1=body.alarm, language_byte2=body.language)
    return view


def _alarm(message: Message, body: Alarm, alarm_name: str) -> dict[str, Any]:
    view: dict[str, Any] = {"gps": gps_view(body.gps), "lbs_len": body.lbs_length}
    view["lbs"] = cell_view(body.cell)
    view.update(terminal_view(body.terminal_info, body.voltage, body.gsm))
    view.update(alarm=body.alarm, alarm_name=alarm_name, language=body.language)
    if body.fence is not None:
        view["fence_no"] = body.fence
    if body.mileage is not None:
        view["mileage"] = body.mileage
    view["remaining_hex"] = body.trailing.hex()
    return view


def _cell_scan(message: Message, body: CellScan) -> dict[str, Any]:
    return {
        "datetime": _datetime(body.time_raw),
        "mcc": body.cells[0].mcc,
        "mnc": body.cells[0].mnc,
        "cells": [{"lac": c.lac, "ci": c.ci, "rssi": c.rssi} for c in body.cells],
        "timing_advance": body.timing_advance,
        "language_hex": f"{body.language:04x}",
    }


def _information(message: Message, body: Information) -> dict[str, Any]:
    view: dict[str, Any] = {"info_type": f"0x{body.info_type:02x}", "data_hex": body.data.hex()}
    if "voltage_v" in body.values:
        view["external_voltage_v"] = body.values["voltage_v"]
    return view


def _text(message: Message, body: CommandReply | ServerCommand) -> dict[str, Any]:
    flag = f"{body.server_flag:08x}"
    if isinstance(body, CommandReply) and body.encoding is not None:
        return {"server_flag_hex": flag, "encoding": body.encoding, "content": body.text}
    language = "" if body.language is None else f"{body.language:04x}"
    return {
        "cmd_len": message.frame.content[0],
        "server_flag_hex": flag,
        "content_ascii": body.text,
        "language_hex": language,
    }


def vector_view(message: Message, alarm_names: dict[int, str]) -> dict[str, Any]:
    """``message`` in the field names of ``expected.body``; ``alarm_names`` names alarm bytes."""
    body = message.body
    if isinstance(body, Empty):
        return {"empty_content": True}
    if isinstance(body, Login):
        return _login(message, body)
    if isinstance(body, Location):
        return _location(message, body)
    if isinstance(body, Status):
        return _status(message, body)
    if isinstance(body, Alarm):
        return _alarm(message, body, alarm_names.get(body.alarm, "other"))
    if isinstance(body, CellScan):
        return _cell_scan(message, body)
    if isinstance(body, Information):
        return _information(message, body)
    if isinstance(body, CommandReply | ServerCommand):
        return _text(message, body)
    if isinstance(body, TimeReply):
        return {"datetime": _datetime(body.time_raw)}
    raise AssertionError(f"no vector view for {type(body).__name__}")
