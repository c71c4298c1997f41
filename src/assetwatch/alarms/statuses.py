"""Alarm statuses: open → acknowledged → resolved | false_positive."""

from __future__ import annotations

from typing import Final

OPEN: Final = "open"
ACKNOWLEDGED: Final = "acknowledged"
RESOLVED: Final = "resolved"
FALSE_POSITIVE: Final = "false_positive"
STATUSES: Final = (OPEN, ACKNOWLEDGED, RESOLVED, FALSE_POSITIVE)
ACTIVE: Final = (OPEN, ACKNOWLEDGED)
"""Not closed: at most one active alarm per (tenant, asset, type, subject)."""
CLOSED: Final = (RESOLVED, FALSE_POSITIVE)
