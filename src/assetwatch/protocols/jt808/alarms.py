"""JT/T 808 alarm-flag and status bits per protocol version, as data (spec §6.2, §6.3).

:data:`ALARM_BITS` gives each bit a spec name (as in the acceptance vectors) and the canonical
:class:`~assetwatch.model.alarms.AlarmCode` it maps onto. Bits that are reserved in a version
get the name ``reserved_bitN`` and no code; the raw flags always travel as
``raw.alarm_flags``. :data:`STATUS_FIELDS` does the same for the status DWORD.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from assetwatch.model.alarms import AlarmCode

ALL: Final = frozenset({"2011", "2013", "2019"})
SINCE_2013: Final = frozenset({"2013", "2019"})
ONLY_2011: Final = frozenset({"2011"})
ONLY_2013: Final = frozenset({"2013"})
ONLY_2019: Final = frozenset({"2019"})


@dataclass(frozen=True, slots=True)
class AlarmBit:
    """One meaning of one alarm-flag bit in the given protocol versions."""

    bit: int
    name: str
    code: AlarmCode | None
    versions: frozenset[str] = ALL


A = AlarmCode
ALARM_BITS: Final[tuple[AlarmBit, ...]] = (
    AlarmBit(0, "sos", A.SOS),
    AlarmBit(1, "overspeed", A.OVERSPEED),
    AlarmBit(2, "fatigue_driving", A.FATIGUE),
    AlarmBit(3, "danger_warning", A.DANGER_WARNING, ONLY_2011 | ONLY_2013),
    AlarmBit(3, "dangerous_driving", A.DANGER_WARNING, ONLY_2019),
    AlarmBit(4, "gnss_module_fault", A.GNSS_FAULT),
    AlarmBit(5, "gnss_antenna_cut", A.GNSS_ANTENNA_CUT),
    AlarmBit(6, "gnss_antenna_short", A.GNSS_ANTENNA_SHORT),
    AlarmBit(7, "main_power_undervoltage", A.LOW_VOLTAGE),
    AlarmBit(8, "main_power_off", A.POWER_CUT),
    AlarmBit(9, "lcd_fault", A.DISPLAY_FAULT),
    AlarmBit(10, "tts_fault", A.TTS_FAULT),
    AlarmBit(11, "camera_fault", A.CAMERA_FAULT),
    AlarmBit(12, "ic_card_module_fault", A.IC_CARD_FAULT, SINCE_2013),
    AlarmBit(13, "overspeed_warning", A.OVERSPEED_WARNING, SINCE_2013),
    AlarmBit(14, "fatigue_warning", A.FATIGUE_WARNING, SINCE_2013),
    AlarmBit(15, "violation_driving", A.VIOLATION, ONLY_2019),
    AlarmBit(16, "tire_pressure_warning", A.TIRE_PRESSURE, ONLY_2019),
    AlarmBit(17, "right_turn_blind_zone", A.BLIND_SPOT, ONLY_2019),
    AlarmBit(18, "daily_driving_timeout", A.DAILY_DRIVING_LIMIT),
    AlarmBit(19, "parking_timeout", A.PARKING_TIMEOUT),
    AlarmBit(20, "area_in_out", A.AREA),
    AlarmBit(21, "route_in_out", A.ROUTE),
    AlarmBit(22, "route_time_abnormal", A.ROUTE_TIME),
    AlarmBit(23, "route_deviation", A.ROUTE_DEVIATION),
    AlarmBit(24, "vss_fault", A.VSS_FAULT),
    AlarmBit(25, "fuel_abnormal", A.FUEL_ABNORMAL),
    AlarmBit(26, "vehicle_stolen", A.THEFT),
    AlarmBit(27, "illegal_ignition", A.ILLEGAL_IGNITION),
    AlarmBit(28, "illegal_displacement", A.ILLEGAL_MOVE),
    AlarmBit(29, "collision_warning", A.COLLISION, ONLY_2013),
    AlarmBit(29, "collision_rollover", A.COLLISION, ONLY_2019),
    AlarmBit(30, "rollover_warning", A.ROLLOVER, SINCE_2013),
    AlarmBit(31, "illegal_door_open", A.ILLEGAL_DOOR_OPEN, ONLY_2013),
)
"""Alarm-flag bits. The clearing rule (held vs. cleared on the platform's reply) is in §6.2."""


@dataclass(frozen=True, slots=True)
class StatusField:
    """A field of the status DWORD: ``width`` bits from ``bit`` (1 bit -> bool, else int)."""

    name: str
    bit: int
    width: int = 1
    versions: frozenset[str] = ALL

    def value(self, status: int) -> bool | int:
        raw = (status >> self.bit) & ((1 << self.width) - 1)
        return bool(raw) if self.width == 1 else raw


STATUS_FIELDS: Final[tuple[StatusField, ...]] = (
    StatusField("ignition", 0),  # ACC on
    StatusField("positioned", 1),
    StatusField("south", 2),
    StatusField("west", 3),
    StatusField("out_of_service", 4),
    StatusField("latlon_encrypted", 5),
    StatusField("aebs_warning", 6, versions=ONLY_2019),  # forward-collision warning
    StatusField("lane_departure_warning", 7, versions=ONLY_2019),
    StatusField("load_state", 8, 2, SINCE_2013),  # 0 empty, 1 half, 2 reserved, 3 full
    StatusField("oil_cut", 10),
    StatusField("circuit_cut", 11),
    StatusField("door_locked", 12),
    StatusField("door1_open", 13, versions=SINCE_2013),  # front
    StatusField("door2_open", 14, versions=SINCE_2013),  # middle
    StatusField("door3_open", 15, versions=SINCE_2013),  # rear
    StatusField("door4_open", 16, versions=SINCE_2013),  # driver
    StatusField("door5_open", 17, versions=SINCE_2013),  # custom
    StatusField("gnss_gps", 18, versions=SINCE_2013),
    StatusField("gnss_beidou", 19, versions=SINCE_2013),
    StatusField("gnss_glonass", 20, versions=SINCE_2013),
    StatusField("gnss_galileo", 21, versions=SINCE_2013),
    StatusField("moving", 22, versions=ONLY_2019),
)
"""Status bits (spec §6.3). Bits 23–31 are reserved; vendors use some (keep ``raw.status``)."""


def _bit_table(version: str) -> tuple[tuple[str, str | None], ...]:
    table: list[tuple[str, str | None]] = [(f"reserved_bit{bit}", None) for bit in range(32)]
    for entry in ALARM_BITS:
        if version in entry.versions:
            code = entry.code.value if entry.code is not None else None
            table[entry.bit] = (entry.name, code)
    return tuple(table)


_ALARM_TABLES: Final = {version: _bit_table(version) for version in sorted(ALL)}
_STATUS_TABLES: Final = {
    version: tuple(f for f in STATUS_FIELDS if version in f.versions) for version in sorted(ALL)
}


def _table(version: str) -> tuple[tuple[str, str | None], ...]:
    try:
        return _ALARM_TABLES[version]
    except KeyError:
        raise ValueError(f"unknown JT/T 808 version {version!r}") from None


def alarm_codes(alarm_flags: int, version: str) -> tuple[str, ...]:
    """Canonical :class:`AlarmCode` values for the set bits of ``alarm_flags``."""
    if not alarm_flags:
        return ()
    table = _table(version)
    codes: list[str] = []
    flags = alarm_flags & 0xFFFFFFFF
    while flags:
        low = flags & -flags
        code = table[low.bit_length() - 1][1]
        if code is not None:
            codes.append(code)
        flags ^= low
    return tuple(codes)


def alarm_names(alarm_flags: int, version: str) -> tuple[str, ...]:
    """Spec names (``reserved_bitN`` for reserved bits) of the set bits, lowest bit first."""
    table = _table(version)
    flags = alarm_flags & 0xFFFFFFFF
    return tuple(table[bit][0] for bit in range(32) if flags >> bit & 1)


def status_attributes(status: int, version: str) -> dict[str, bool | int]:
    """Named status fields of ``status`` for ``version`` (a new dict on every call)."""
    return dict(_status_items(status & 0xFFFFFFFF, version))


@lru_cache(maxsize=4096)
def _status_items(status: int, version: str) -> dict[str, bool | int]:
    try:
        fields = _STATUS_TABLES[version]
    except KeyError:
        raise ValueError(f"unknown JT/T 808 version {version!r}") from None
    return {field.name: field.value(status) for field in fields}
