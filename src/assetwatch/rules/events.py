"""What rules emit: facts about an asset or device at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RuleEvent:
    """An event found by a rule.

    ``type`` is a canonical code (``geofence_exit``, ``power_cut``, ``offline``...);
    ``subject`` distinguishes alarms of one type on one asset (the place key for geofences,
    the device key for device alarms). ``alarm`` says whether it should raise an alarm.
    """

    type: str
    time_ms: int
    subject: str = ""
    alarm: bool = True
    retrospective: bool = False
    details: dict[str, Any] = field(default_factory=dict)
