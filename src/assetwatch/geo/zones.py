"""IANA time zones, checked: a user-supplied zone name is a validation error, not a crash."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assetwatch.errors import ValidationError


def zone(name: str, *, field: str | None = None) -> ZoneInfo:
    """The zone called ``name`` (e.g. ``Asia/Shanghai``); ``ValidationError`` if unknown,
    naming the request ``field`` when given."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if field is not None:
            raise ValidationError(f"{field}: {name!r} is not an IANA time zone") from None
        raise ValidationError(f"unknown time zone {name!r} (use an IANA name)") from None
