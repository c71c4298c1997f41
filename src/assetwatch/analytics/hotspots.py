"""Learned hotspots: places where assets of defaulted contracts stayed significantly more
often than the rest of the portfolio — suggested risk points for an operator to confirm.

Every stay of at least ``min_stay_s`` is put in a grid cell of about ``cell_m`` metres (and
counted in its 3×3 neighbourhood, so a place on a cell edge is not split). For each cell,
the numbers of *distinct* defaulted and other assets that stayed there give a 2×2 table
against the whole portfolio; a one-sided Fisher exact test asks whether defaulted assets
are over-represented. Cells with at least ``min_defaulted`` defaulted visitors and a p-value
below ``alpha`` after a Bonferroni correction over the cells tested are suggested, best
first; neighbouring suggestions are merged (the best cell of a 3×3 block wins).

This is a screening tool: a suggestion names a place and the evidence (how many defaulted
and other assets stayed, the lift, the p-value), never an accusation; the operator decides
whether it becomes a risk point (``risk-points`` import or PUT).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from assetwatch.analytics.model import Stay

M_PER_DEG_LAT = 111_320.0


@dataclass(frozen=True, slots=True)
class HotspotParams:
    cell_m: float = 300.0
    min_stay_s: float = 1800.0
    min_defaulted: int = 3
    alpha: float = 0.01


@dataclass(frozen=True, slots=True)
class Hotspot:
    lat: float
    lon: float
    defaulted_assets: int
    other_assets: int
    lift: float  # share of defaulted visitors here / share of defaulted assets overall
    p_value: float  # one-sided Fisher exact, before correction
    stays: int


def _cell(lat: float, lon: float, cell_m: float) -> tuple[int, int]:
    dlat = cell_m / M_PER_DEG_LAT
    dlon = cell_m / (M_PER_DEG_LAT * max(0.01, math.cos(math.radians(lat))))
    return math.floor(lat / dlat), math.floor(lon / dlon)


def learned_hotspots(
    stays: Iterable[tuple[int, Stay]], defaulted: set[int], params: HotspotParams
) -> list[Hotspot]:
    """``stays`` are ``(asset_id, stay)`` of the portfolio; ``defaulted`` the asset ids of
    defaulted contracts."""
    from scipy.stats import fisher_exact  # imported here: slow to import, rarely needed

    visitors: dict[tuple[int, int], set[int]] = defaultdict(set)
    points: dict[tuple[int, int], list[Stay]] = defaultdict(list)
    portfolio: set[int] = set()
    for asset_id, stay in stays:
        portfolio.add(asset_id)
        if stay.duration_s < params.min_stay_s:
            continue
        row, col = _cell(stay.lat, stay.lon, params.cell_m)
        points[(row, col)].append(stay)
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                visitors[(row + dr, col + dc)].add(asset_id)
    bad_total = len(portfolio & defaulted)
    good_total = len(portfolio) - bad_total
    if bad_total == 0 or good_total == 0:
        return []
    tested = {
        cell: people for cell, people in visitors.items()
        if cell in points and len(people & defaulted) >= params.min_defaulted
    }  # fmt: skip
    found: dict[tuple[int, int], Hotspot] = {}
    for cell, people in tested.items():
        bad = len(people & defaulted)
        good = len(people) - bad
        table = [[bad, good], [bad_total - bad, good_total - good]]
        p_value = float(fisher_exact(table, alternative="greater").pvalue)
        if p_value * len(tested) >= params.alpha:
            continue
        here = points[cell]
        found[cell] = Hotspot(
            lat=sum(s.lat for s in here) / len(here), lon=sum(s.lon for s in here) / len(here),
            defaulted_assets=bad, other_assets=good,
            lift=(bad / len(people)) / (bad_total / len(portfolio)), p_value=p_value,
            stays=len(here),
        )  # fmt: skip
    return _merge(found)


def _merge(found: dict[tuple[int, int], Hotspot]) -> list[Hotspot]:
    """Keep the best cell of each 3×3 block of suggestions."""
    best = sorted(found.items(), key=lambda item: (item[1].p_value, -item[1].defaulted_assets))
    kept: list[tuple[tuple[int, int], Hotspot]] = []
    for cell, spot in best:
        if all(abs(cell[0] - k[0]) > 1 or abs(cell[1] - k[1]) > 1 for k, _ in kept):
            kept.append((cell, spot))
    return [spot for _, spot in kept]
