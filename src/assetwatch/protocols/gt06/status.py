"""GT06 status fields and alarm codes, as data (spec §3 0x13, 0x16; §4).

:data:`ALARMS` gives every alarm-byte value of 0x16/0x26/0x27/0xA4 a name and the canonical
:class:`~assetwatch.model.alarms.AlarmCode` it maps onto (None = an event, not an alarm);
:data:`TERMINAL_ALARMS` does the same for bits 3–5 of the terminal-information byte and
:data:`TERMINAL_FIELDS` names its other bits. The raw values always travel as ``raw.*``
attributes, so nothing a device says is lost when a value has no canonical meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from assetwatch.model.alarms import AlarmCode


@dataclass(frozen=True, slots=True)
class AlarmMeaning:
    """What one alarm value means: a spec name and the canonical code (None: no alarm)."""

    value: int
    name: str
    code: AlarmCode | None


A = AlarmCode
ALARMS: Final[tuple[AlarmMeaning, ...]] = (
    AlarmMeaning(0x00, "normal", None),
    AlarmMeaning(0x01, "sos", A.SOS),
    AlarmMeaning(0x02, "power_cut", A.POWER_CUT),
    AlarmMeaning(0x03, "vibration", A.VIBRATION),
    AlarmMeaning(0x04, "enter_fence", A.GEOFENCE_ENTER),
    AlarmMeaning(0x05, "exit_fence", A.GEOFENCE_EXIT),
    AlarmMeaning(0x06, "overspeed", A.OVERSPEED),
    AlarmMeaning(0x09, "tow", A.ILLEGAL_MOVE),  # moved without ignition: towed or carried off
    AlarmMeaning(0x0A, "enter_gps_blind_zone", None),
    AlarmMeaning(0x0B, "exit_gps_blind_zone", None),
    AlarmMeaning(0x0C, "power_on", None),
    AlarmMeaning(0x0D, "gps_first_fix", None),
    AlarmMeaning(0x0E, "external_battery_low", A.LOW_VOLTAGE),
    AlarmMeaning(0x0F, "external_battery_protection", A.LOW_VOLTAGE),
    AlarmMeaning(0x10, "sim_changed", None),
    AlarmMeaning(0x11, "power_off", None),
    AlarmMeaning(0x12, "airplane_mode_after_protection", None),
    AlarmMeaning(0x13, "tamper", A.TAMPER),
    AlarmMeaning(0x14, "door", A.ILLEGAL_DOOR_OPEN),
    AlarmMeaning(0x15, "shutdown_low_battery", A.LOW_BATTERY),
    AlarmMeaning(0x16, "sound_alarm", None),
    AlarmMeaning(0x17, "fake_base_station", None),
    AlarmMeaning(0x18, "cover_opened", A.LIGHT),  # wireless trackers sense the case by light
    AlarmMeaning(0x19, "internal_battery_low", A.LOW_BATTERY),
    AlarmMeaning(0x20, "deep_sleep", None),
    AlarmMeaning(0x23, "fall", None),
    AlarmMeaning(0x29, "harsh_acceleration", A.HARSH_ACCELERATION),
    AlarmMeaning(0x2A, "sharp_left_turn", A.HARSH_CORNERING),
    AlarmMeaning(0x2B, "sharp_right_turn", A.HARSH_CORNERING),
    AlarmMeaning(0x2C, "collision", A.COLLISION),
    AlarmMeaning(0x30, "harsh_braking", A.HARSH_BRAKING),
    AlarmMeaning(0x32, "device_unplugged", A.REMOVAL),
    AlarmMeaning(0xFE, "acc_on", None),
    AlarmMeaning(0xFF, "acc_off", None),
)
"""Alarm byte of 0x16/0x26/0x27/0xA4 (0x00–0x05 classic GT06, the rest JM-VL03)."""

TERMINAL_ALARMS: Final[tuple[AlarmMeaning, ...]] = (
    AlarmMeaning(0, "normal", None),
    AlarmMeaning(1, "vibration", A.VIBRATION),
    AlarmMeaning(2, "power_cut", A.POWER_CUT),
    AlarmMeaning(3, "low_battery", A.LOW_BATTERY),
    AlarmMeaning(4, "sos", A.SOS),
    AlarmMeaning(5, "other_5", None),
    AlarmMeaning(6, "geofence", A.AREA),  # vendor use (traccar): a fence, direction unknown
    AlarmMeaning(7, "removal", A.REMOVAL),  # vendor use (traccar): tracker removed
)
"""Bits 3–5 of the terminal-information byte (0–4 documented, 6–7 vendor usage)."""

_ALARM_BY_VALUE: Final = {meaning.value: meaning for meaning in ALARMS}


def alarm_meaning(value: int) -> AlarmMeaning:
    """The meaning of an alarm byte; unknown values are ``other`` with no code."""
    return _ALARM_BY_VALUE.get(value) or AlarmMeaning(value, "other", None)


def terminal_alarm(terminal_info: int) -> AlarmMeaning:
    """The meaning of bits 3–5 of a terminal-information byte."""
    return TERMINAL_ALARMS[terminal_info >> 3 & 0x07]


@dataclass(frozen=True, slots=True)
class TerminalBit:
    """One bit of the terminal-information byte and the attribute it becomes."""

    bit: int
    attribute: str


TERMINAL_FIELDS: Final[tuple[TerminalBit, ...]] = (
    TerminalBit(7, "oil_cut"),  # 1 = oil and electricity cut (relay engaged)
    TerminalBit(6, "gps_tracking"),  # classic: GPS tracking on; JM-VL03: GPS positioned
    TerminalBit(2, "charging"),  # 1 = external power connected / charging
    TerminalBit(1, "ignition"),  # ACC high
    TerminalBit(0, "armed"),  # defence on
)

VOLTAGE_LEVELS: Final = 6
"""Voltage byte 0–6 is a level (0 = no power … 6 = very high); above, vendors differ."""


def terminal_attributes(terminal_info: int) -> dict[str, Any]:
    """Named bits of a terminal-information byte plus ``raw.terminal_info``."""
    attributes: dict[str, Any] = {
        field.attribute: bool(terminal_info >> field.bit & 1) for field in TERMINAL_FIELDS
    }
    attributes["raw.terminal_info"] = terminal_info
    return attributes


def voltage_attributes(voltage: int) -> dict[str, Any]:
    """Classify the voltage byte: a level 0–6 (``battery_level`` and ``battery_pct`` =
    level × 100 / 6, the traccar convention), a percentage 7–100 (``battery_pct``), or
    anything else (only ``raw.voltage``)."""
    attributes: dict[str, Any] = {"raw.voltage": voltage}
    if voltage <= VOLTAGE_LEVELS:
        attributes["battery_level"] = voltage
        attributes["battery_pct"] = round(voltage * 100 / VOLTAGE_LEVELS)
    elif voltage <= 100:
        attributes["battery_pct"] = voltage
    return attributes


def gsm_attributes(gsm: int) -> dict[str, Any]:
    """``gsm_level`` 0–4 (none … strong) when in range; always ``raw.gsm``."""
    attributes: dict[str, Any] = {"raw.gsm": gsm}
    if gsm <= 4:
        attributes["gsm_level"] = gsm
    return attributes
