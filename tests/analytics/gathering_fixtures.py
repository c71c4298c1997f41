"""Tiny synthetic yards for the gathering tests: cars placed by metres around a centre."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from assetwatch.analytics.gathering import LivePositions

YARD = (22.6012, 113.8735)  # an empty lot in Bao'an, Shenzhen
T0 = 1_767_225_600_000  # 2026-01-01 00:00 UTC, epoch ms
MINUTE = 60_000
M_PER_DEG = 111_195.08


def at(centre: tuple[float, float], north_m: float, east_m: float) -> tuple[float, float]:
    """The point ``north_m`` / ``east_m`` metres from ``centre`` (equirectangular)."""
    lat = centre[0] + north_m / M_PER_DEG
    lon = centre[1] + east_m / (M_PER_DEG * math.cos(math.radians(centre[0])))
    return lat, lon


def ring(
    centre: tuple[float, float], count: int, radius_m: float, phase: float = 0.3
) -> list[tuple[float, float]]:
    """``count`` points evenly on a circle of ``radius_m`` around ``centre``."""
    return [
        at(
            centre,
            radius_m * math.cos(phase + 2 * math.pi * i / count),
            radius_m * math.sin(phase + 2 * math.pi * i / count),
        )
        for i in range(count)
    ]


def positions(
    points: Sequence[tuple[float, float]],
    counterparties: Sequence[int],
    *,
    time_ms: int | Sequence[int],
    first_id: int = 100,
) -> LivePositions:
    """Live positions of cars ``first_id``, ``first_id + 1``, ... at ``points``."""
    n = len(points)
    times = np.full(n, time_ms) if isinstance(time_ms, int) else np.asarray(time_ms)
    return LivePositions(
        asset_id=np.arange(first_id, first_id + n),
        counterparty_id=np.asarray(counterparties, dtype=np.int64),
        lat=np.array([p[0] for p in points], dtype=float),
        lon=np.array([p[1] for p in points], dtype=float),
        time_ms=times,
    )
