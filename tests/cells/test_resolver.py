"""Resolver maths on tiny fixtures with exact expected outputs.

Cells are placed on one meridian (lon 114.0) so that north/south distances are exact:
0.009° of latitude is 1001.88 m.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetwatch.cells.resolver import (
    MIN_CELL_RANGE_M,
    CatalogueCell,
    CellFix,
    locate,
    locate_known,
    signal_weight,
)

LAT, LON = 22.5, 114.0
STEP_M = 0.009 * 111_320.0  # 1001.88 m


def cell(north_deg: float = 0.0, range_m: float = 1000.0, lon: float = LON) -> CatalogueCell:
    return CatalogueCell(lat=LAT + north_deg, lon=lon, range_m=range_m)


def test_one_cell_is_the_tower_with_its_range() -> None:
    assert locate([(cell(), -70)]) == CellFix(lat=LAT, lon=LON, accuracy_m=1000.0, cells_used=1)


def test_a_tiny_range_never_claims_better_than_the_floor() -> None:
    fix = locate([(cell(range_m=5), -70)])
    assert fix is not None and fix.accuracy_m == MIN_CELL_RANGE_M == 200.0


def test_two_equal_cells_give_the_midpoint_and_grow_the_radius_by_the_spread() -> None:
    fix = locate([(cell(), -80), (cell(0.018), -80)])
    assert fix is not None
    assert fix.lat == pytest.approx(LAT + 0.009, abs=1e-12)
    assert fix.lon == pytest.approx(LON, abs=1e-12)
    assert fix.accuracy_m == math.ceil(STEP_M + 1000.0) == 2002.0
    assert fix.cells_used == 2


def test_20_db_stronger_pulls_100_times_harder() -> None:
    fix = locate([(cell(), -60), (cell(0.0101), -80)])  # 0.0101° = 1124.33 m
    assert fix is not None
    assert fix.lat == pytest.approx(LAT + 0.0101 / 101, abs=1e-12)
    d_near, d_far = 1124.332 / 101, 1124.332 * 100 / 101
    expected = (100 * (d_near + 1000) + (d_far + 1000)) / 101
    assert fix.accuracy_m == math.ceil(expected) == 1023.0


def test_a_small_cell_weighs_more_than_a_large_one_at_the_same_signal() -> None:
    fix = locate([(cell(range_m=500), -80), (cell(0.005, range_m=1000), -80)])
    assert fix is not None
    assert fix.lat == pytest.approx(LAT + 0.005 / 5, abs=1e-12)  # weights 4 : 1


def test_missing_signal_counts_as_a_weak_cell() -> None:
    assert signal_weight(None, 1000) == signal_weight(-110, 1000)
    assert signal_weight(-300, 1000) == signal_weight(-150, 1000)  # clamped
    fix = locate([(cell(), -80), (cell(0.0101), None)])  # 30 dB apart: 1000 : 1
    assert fix is not None
    assert fix.lat == pytest.approx(LAT + 0.0101 / 1001, abs=1e-12)


def test_a_cell_50_km_away_from_the_strongest_is_dropped() -> None:
    fix = locate([(cell(), -70), (cell(0.5), -90), (cell(0.009), -90)])  # 0.5° ≈ 55.7 km
    assert fix is not None and fix.cells_used == 2
    assert fix.lat == pytest.approx(LAT + 0.009 / 101, abs=1e-12)


def test_across_the_antimeridian() -> None:
    fix = locate([(cell(lon=179.999), -80), (cell(lon=-179.999), -80)])
    assert fix is not None
    assert abs(fix.lon) == pytest.approx(180.0, abs=1e-9)


def test_unknown_cells_are_skipped_and_none_known_is_no_position() -> None:
    known = {(460, 0, 1, 1): cell()}
    heard = [((460, 0, 9, 9), -50.0), ((460, 0, 1, 1), -90.0)]
    assert locate_known(heard, known) == CellFix(LAT, LON, 1000.0, 1)
    assert locate_known(heard[:1], known) is None
    assert locate([]) is None


@given(
    st.lists(
        st.tuples(
            st.floats(-0.2, 0.2),
            st.floats(-0.2, 0.2),
            st.floats(0, 20_000),
            st.one_of(st.none(), st.integers(-140, -40)),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_accuracy_is_never_better_than_the_best_cell_used(
    cells: list[tuple[float, float, float, int | None]],
) -> None:
    heard = [(CatalogueCell(lat=LAT + n, lon=LON + e, range_m=r), s) for n, e, r, s in cells]
    fix = locate(heard)
    assert fix is not None
    best = min(max(r, MIN_CELL_RANGE_M) for _, _, r, _ in cells)
    assert fix.accuracy_m >= best - 1e-6
    assert 1 <= fix.cells_used <= len(cells)
