"""Quiet hours: a notification due inside them waits until they end, in the subscriber's zone.

``quiet_hours`` is ``{"start": "22:00", "end": "07:00", "timezone": "Asia/Shanghai",
"bypass_severity": "critical"}``. ``timezone`` defaults to the recipient's; alarms at or
above ``bypass_severity`` (default critical) are never held. A window whose start is after
its end spans midnight. Daylight-saving gaps are handled by ``zoneinfo``: the release time is
the first instant at or after the local end time.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from assetwatch.alarms.severity import rank
from assetwatch.errors import ValidationError
from assetwatch.geo.zones import zone
from assetwatch.notify.model import Recipient


def parse_clock(text: str, field: str) -> time:
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise ValidationError(f"{field} must be HH:MM, not {text!r}") from None


def validate_quiet_hours(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """The normalised quiet-hours dict, or ``ValidationError``."""
    if not raw:
        return None
    unknown = set(raw) - {"start", "end", "timezone", "bypass_severity"}
    if unknown:
        raise ValidationError(f"quiet_hours: unknown fields {sorted(unknown)}")
    start = parse_clock(raw.get("start", ""), "quiet_hours.start")
    end = parse_clock(raw.get("end", ""), "quiet_hours.end")
    if start == end:
        raise ValidationError("quiet_hours: start and end must differ")
    out: dict[str, Any] = {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
    if raw.get("timezone"):
        zone(raw["timezone"])
        out["timezone"] = raw["timezone"]
    out["bypass_severity"] = raw.get("bypass_severity", "critical")
    return out


def release_time(
    quiet_hours: dict[str, Any] | None, recipient: Recipient, severity: str, at_ms: int
) -> int:
    """``at_ms``, or the end of the quiet hours that ``at_ms`` falls in (epoch ms)."""
    if not quiet_hours or rank(severity) >= rank(quiet_hours.get("bypass_severity", "critical")):
        return at_ms
    tz = zone(quiet_hours.get("timezone") or recipient.timezone)
    start = parse_clock(quiet_hours["start"], "start")
    end = parse_clock(quiet_hours["end"], "end")
    local = datetime.fromtimestamp(at_ms / 1000, tz=UTC).astimezone(tz)
    now = local.time()
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside:
        return at_ms
    day = local.date() if now < end else local.date() + timedelta(days=1)
    release = datetime.combine(day, end, tzinfo=tz)
    return int(release.astimezone(UTC).timestamp() * 1000)
