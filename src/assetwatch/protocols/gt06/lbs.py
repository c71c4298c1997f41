"""LBS-only packets: 0x28 multi-cell (2G/3G) and 0xA1 (4G), sent when there is no GPS fix.

Layout: date/time (6), MCC (2; bit 15 = 2-byte MNC), MNC, then 7 × (LAC, CI, RSSI) — the
serving cell first, then 6 neighbours — timing advance (1) and language (2). 0xA1 widens
LAC to 4 and CI to 8 bytes. Unused neighbour slots are zero-filled.
"""

from __future__ import annotations

from typing import Final

import msgspec

from assetwatch.protocols.gt06.wire import WIDE_MNC, CellTower, need

LBS_MULTI_4G: Final = 0xA1
CELL_SLOTS: Final = 7


class CellScan(msgspec.Struct, frozen=True):
    """The cells a device sees. ``cells`` holds every slot as sent (serving cell first,
    zero-filled slots included; see :attr:`CellTower.present`)."""

    time_raw: bytes
    cells: tuple[CellTower, ...]
    timing_advance: int | None = None
    language: int | None = None
    trailing: bytes = b""


def parse_cell_scan(protocol: int, content: bytes) -> CellScan:
    """0x28 / 0xA1. A shorter packet yields the slots that fit."""
    need(content, 0, 9, "LBS packet")
    time_raw = content[:6]
    mcc = content[6] << 8 | content[7]
    wide = bool(mcc & WIDE_MNC)
    offset = 8
    mnc_size = 2 if wide else 1
    need(content, offset, mnc_size, "LBS MNC")
    mnc = int.from_bytes(content[offset : offset + mnc_size], "big")
    offset += mnc_size
    lac_size, ci_size = (4, 8) if protocol == LBS_MULTI_4G else (2, 3)
    slot = lac_size + ci_size + 1
    cells: list[CellTower] = []
    while len(cells) < CELL_SLOTS and len(content) - offset >= slot:
        lac = int.from_bytes(content[offset : offset + lac_size], "big")
        ci = int.from_bytes(content[offset + lac_size : offset + lac_size + ci_size], "big")
        rssi = content[offset + slot - 1]
        cells.append(CellTower(mcc & ~WIDE_MNC, mnc, lac, ci, rssi, wide))
        offset += slot
    timing_advance = content[offset] if len(content) > offset else None
    offset += timing_advance is not None
    language = None
    if len(content) - offset >= 2:
        language = int.from_bytes(content[offset : offset + 2], "big")
        offset += 2
    return CellScan(time_raw, tuple(cells), timing_advance, language, content[offset:])


RXLEV_MAX: Final = 63
RXLEV_FLOOR_DBM: Final = -110


def signal_dbm(rssi: int | None) -> int | None:
    """A multi-cell RSSI byte → dBm, read as a GSM RxLev (0 = −110 dBm … 63 = −47 dBm,
    3GPP TS 45.008); values above 63 have no known scale and give None.

    The devices seen send 62/49/45/24 for a serving cell and its neighbours: as RxLev
    that is −48…−86 dBm, where the "−RSSI dBm" reading of some servers would give an
    impossible −24 dBm for the weakest neighbour.
    """
    if rssi is None or rssi > RXLEV_MAX:
        return None
    return RXLEV_FLOOR_DBM + rssi
