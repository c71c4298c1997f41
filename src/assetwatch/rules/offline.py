"""Offline: no report within the device's expected interval times a tolerance.

The deadline is computed from the server time of the last report, so a device whose clock is
wrong is still judged fairly. A sleeping tracker with a daily schedule has a daily interval and
is not "offline" after ten minutes.
"""

from __future__ import annotations

from assetwatch.rules.events import RuleEvent

MIN_GRACE_MS = 5_000


def deadline_ms(last_report_ms: int, report_interval_s: int, tolerance: float) -> int:
    """When the device becomes offline if it reports nothing more (epoch ms)."""
    allowance = int(report_interval_s * 1000 * tolerance)
    return last_report_ms + max(allowance, MIN_GRACE_MS)


def offline_event(*, device_key: str, last_report_ms: int, now_ms: int) -> RuleEvent:
    silent_s = round((now_ms - last_report_ms) / 1000)
    return RuleEvent(
        type="offline",
        time_ms=now_ms,
        subject=device_key,
        details={"device": device_key, "last_report_ms": last_report_ms, "silent_s": silent_s},
    )


def back_online_event(*, device_key: str, now_ms: int) -> RuleEvent:
    return RuleEvent(
        type="online",
        time_ms=now_ms,
        subject=device_key,
        alarm=False,
        details={"device": device_key},
    )
