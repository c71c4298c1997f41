"""The wall clock, in the unit the database stores: integer epoch milliseconds (UTC)."""

from __future__ import annotations

import time


def now_ms() -> int:
    """Milliseconds since the Unix epoch, UTC."""
    return time.time_ns() // 1_000_000
