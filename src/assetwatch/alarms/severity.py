"""Default alarm severities until monitoring profiles (issue 7) override them."""

from __future__ import annotations

DEFAULT_SEVERITY = "medium"
SEVERITY_LEVELS = ("low", "medium", "high", "critical")
"""From least to most severe; ``rank`` orders them."""

SEVERITIES: dict[str, str] = {
    "sos": "critical",
    "removal": "critical",
    "tamper": "high",
    "power_cut": "high",
    "geofence_enter": "high",
    "geofence_exit": "medium",
    "offline": "medium",
    "jamming": "high",
    "gnss_antenna_cut": "high",
    "low_voltage": "low",
    "low_battery": "low",
    "overspeed": "low",
    "vibration": "low",
    # trajectory analytics (issue 5)
    "risk_point_dwell": "high",
    "gathering": "high",
    "blind_period": "medium",
    "repeated_blind_area": "high",
    "gnss_denied": "high",
    "away_from_usual_places": "high",
    "new_night_place": "medium",
    "declared_address_never_visited": "medium",
    # risk scoring (issue 7)
    "risk_level": "high",
}


def severity_of(alarm_type: str) -> str:
    return SEVERITIES.get(alarm_type, DEFAULT_SEVERITY)


def rank(severity: str) -> int:
    """0 (low) … 3 (critical); unknown severities rank as medium."""
    try:
        return SEVERITY_LEVELS.index(severity)
    except ValueError:
        return SEVERITY_LEVELS.index(DEFAULT_SEVERITY)
