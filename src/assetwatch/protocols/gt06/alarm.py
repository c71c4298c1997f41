"""Status and alarm packets: 0x13 heartbeat/status, 0x16 / 0x26 / 0x27 / 0xA4 alarms.

An alarm packet is the GPS block, an LBS block with its own length byte, the status
(terminal information, voltage, GSM), the alarm byte and a language byte; 0x27/0xA4 add a
fence number, 0x26/0x27/0xA4 optionally a 4-byte mileage. Devices differ in the LBS block:
the length byte counts itself (9) or not (8), is 0 before zero-filled cells, or is missing
altogether; :func:`read_lbs_block` tells these apart.
"""

from __future__ import annotations

from typing import Final

import msgspec

from assetwatch.protocols.gt06.wire import CellTower, GpsFix, need, read_cell, read_gps

ALARM: Final = 0x16
ALARM_FENCES: Final = 0x27
ALARM_FENCES_4G: Final = 0xA4
STATUS_SIZE: Final = 5
"""Terminal information, voltage, GSM, alarm (or extension), language."""
CELL_2G: Final = 8


class Status(msgspec.Struct, frozen=True):
    """0x13: terminal information bits, voltage (level 0–6, or a vendor percentage), GSM
    level (0–4), then the alarm/extension byte and the language byte. ``extra`` holds the
    bytes of longer vendor layouts."""

    terminal_info: int
    voltage: int
    gsm: int
    alarm: int
    language: int
    extra: bytes = b""


def parse_status(protocol: int, content: bytes) -> Status:
    need(content, 0, STATUS_SIZE, "status")
    terminal_info, voltage, gsm, alarm, language = content[:STATUS_SIZE]
    return Status(terminal_info, voltage, gsm, alarm, language, content[STATUS_SIZE:])


class Alarm(msgspec.Struct, frozen=True):
    """An alarm packet. ``lbs_length`` is the LBS length byte as sent (None when the device
        sent none); ``cell`` is None when the LBS block was empty (zero-filled cells are kept:
    see :attr:`CellTower.present`). ``fence`` is the fence number
        of 0x27/0xA4 (0 = fence 1; 0xFF = not a fence alarm)."""

    gps: GpsFix
    cell: CellTower | None
    lbs_length: int | None
    terminal_info: int
    voltage: int
    gsm: int
    alarm: int
    language: int
    fence: int | None = None
    mileage: int | None = None
    trailing: bytes = b""


def read_lbs_block(
    content: bytes, offset: int, tail: int, *, four_g: bool = False
) -> tuple[CellTower | None, int | None, int]:
    """``(cell, length byte or None, next offset)`` of the LBS block at ``offset``;
    ``tail`` is the size of what must follow it (status, alarm, language, fence).

    A first byte 1–7 cannot be a length (a 2G cell alone is 8 bytes) but is a valid MCC
    high byte (MCC ≤ 999): the device sent no length byte. So is a 0 when exactly one
    cell and the tail remain. Otherwise the length is honoured as the larger of "counts
    itself" and "counts the cell only", so extra vendor LBS bytes are skipped.
    """
    sizes = (4, 8) if four_g else (2, 3)
    cell_size = 2 + 1 + sizes[0] + sizes[1]
    need(content, offset, 1, "LBS length")
    first = content[offset]
    rest = len(content) - offset
    if 1 <= first < CELL_2G or (first == 0 and rest == cell_size + tail):
        cell, after = read_cell(content, offset, lac_size=sizes[0], ci_size=sizes[1])
        return cell, None, after
    if first == 0:  # zero length: zero-filled cells, or none at all
        skip = cell_size if rest - 1 >= cell_size + tail else 0
        return None, 0, offset + 1 + skip
    cell, after = read_cell(content, offset + 1, lac_size=sizes[0], ci_size=sizes[1])
    return cell, first, max(after, offset + first)


def parse_alarm(protocol: int, content: bytes) -> Alarm:
    """0x16 / 0x26 / 0x27 / 0xA4 (4G cell: LAC 4, CI 8)."""
    gps, offset = read_gps(content)
    has_fence = protocol in (ALARM_FENCES, ALARM_FENCES_4G)
    tail = STATUS_SIZE + has_fence
    cell, lbs_length, offset = read_lbs_block(
        content, offset, tail, four_g=protocol == ALARM_FENCES_4G
    )
    need(content, offset, tail, "alarm status")
    terminal_info, voltage, gsm, alarm, language = content[offset : offset + STATUS_SIZE]
    offset += STATUS_SIZE
    fence = content[offset] if has_fence else None
    offset += has_fence
    mileage = None
    if protocol != ALARM and len(content) - offset == 4:
        mileage = int.from_bytes(content[offset:], "big")
        offset += 4
    return Alarm(
        gps=gps,
        cell=cell,
        lbs_length=lbs_length,
        terminal_info=terminal_info,
        voltage=voltage,
        gsm=gsm,
        alarm=alarm,
        language=language,
        fence=fence,
        mileage=mileage,
        trailing=content[offset:],
    )
