"""Device alarms: a canonical alarm code raised by the device itself (power cut, SOS...).

An alarm fires on its rising edge: when the device reports a code it did not report in its
previous live message. Devices repeat an active alarm bit in every report until it clears,
so firing on every report would flood.
"""

from __future__ import annotations

from assetwatch.rules.events import RuleEvent


def rising_alarms(
    active_before: frozenset[str],
    reported: tuple[str, ...],
    *,
    time_ms: int,
    device_key: str,
    raw: dict[str, object] | None = None,
) -> tuple[frozenset[str], list[RuleEvent]]:
    """Return the new active set and one event per newly raised code."""
    now = frozenset(reported)
    events = [
        RuleEvent(
            type=code,
            time_ms=time_ms,
            subject=device_key,
            details={"device": device_key, **(raw or {})},
        )
        for code in sorted(now - active_before)
    ]
    return now, events
