"""The canonical alarm vocabulary. Every codec maps its vendor bits onto these codes."""

from __future__ import annotations

from enum import StrEnum


class AlarmCode(StrEnum):
    """Canonical alarm codes (string values are stable API names)."""

    SOS = "sos"
    OVERSPEED = "overspeed"
    FATIGUE = "fatigue"
    DANGER_WARNING = "danger_warning"
    GNSS_FAULT = "gnss_fault"
    GNSS_ANTENNA_CUT = "gnss_antenna_cut"
    GNSS_ANTENNA_SHORT = "gnss_antenna_short"
    LOW_VOLTAGE = "low_voltage"
    POWER_CUT = "power_cut"
    DISPLAY_FAULT = "display_fault"
    TTS_FAULT = "tts_fault"
    CAMERA_FAULT = "camera_fault"
    IC_CARD_FAULT = "ic_card_fault"
    OVERSPEED_WARNING = "overspeed_warning"
    FATIGUE_WARNING = "fatigue_warning"
    VIOLATION = "violation"
    TIRE_PRESSURE = "tire_pressure"
    BLIND_SPOT = "blind_spot"
    DAILY_DRIVING_LIMIT = "daily_driving_limit"
    PARKING_TIMEOUT = "parking_timeout"
    AREA = "area"
    ROUTE = "route"
    ROUTE_TIME = "route_time"
    ROUTE_DEVIATION = "route_deviation"
    VSS_FAULT = "vss_fault"
    FUEL_ABNORMAL = "fuel_abnormal"
    THEFT = "theft"
    ILLEGAL_IGNITION = "illegal_ignition"
    ILLEGAL_MOVE = "illegal_move"
    COLLISION = "collision"
    ROLLOVER = "rollover"
    ILLEGAL_DOOR_OPEN = "illegal_door_open"
    REMOVAL = "removal"
    TAMPER = "tamper"
    LIGHT = "light"
    LOW_BATTERY = "low_battery"
    VIBRATION = "vibration"
    JAMMING = "jamming"
    GEOFENCE_ENTER = "geofence_enter"
    GEOFENCE_EXIT = "geofence_exit"
    OFFLINE = "offline"
    HARSH_ACCELERATION = "harsh_acceleration"
    HARSH_BRAKING = "harsh_braking"
    HARSH_CORNERING = "harsh_cornering"


DEVICE_ALARMS: frozenset[AlarmCode] = frozenset(
    code
    for code in AlarmCode
    if code not in {AlarmCode.GEOFENCE_ENTER, AlarmCode.GEOFENCE_EXIT, AlarmCode.OFFLINE}
)
"""Codes that a device itself reports (as opposed to ones the platform derives)."""
