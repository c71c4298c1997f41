"""Geofences and accuracy discs: a fix counts as inside only if its whole disc is inside, as
outside only if the whole disc is outside; otherwise the place keeps its state.

Places: the 300 m dealer lot (allowed) and the pawn-shop square (forbidden, about
1 km × 1.1 km, whose west edge is 216 m east of the lot's centre), as in ``test_geofence``.
Lot fixtures therefore move west.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assetwatch.rules.geofence import (
    Applicability,
    Fence,
    FenceIndex,
    settled_inside,
    shape_to_geometry,
    transitions,
)
from tests.rules.test_geofence import LOT, PAWN, offset

LOT_CENTRE = (22.5431, 114.0579)
PAWN_CENTRE = (22.545, 114.065)
T0 = 1_780_000_000_000


@pytest.fixture
def index() -> FenceIndex:
    """The lot (counterparty 7's) and the pawn zone of tenant 10, and another tenant's zone."""
    return FenceIndex(
        [
            Fence(1, 10, "dealer-001-lot", "allowed", shape_to_geometry(LOT),
                  Applicability(counterparty_ids=frozenset({7}))),
            Fence(2, 10, "pawn-zone", "forbidden", shape_to_geometry(PAWN),
                  Applicability(everyone=True)),
            Fence(3, 99, "other-tenant-zone", "forbidden", shape_to_geometry(PAWN),
                  Applicability(everyone=True)),
        ]
    )  # fmt: skip


def at(east_m: float, north_m: float = 0.0, centre: tuple[float, float] = LOT_CENTRE) -> Any:
    """(lat, lon) ``east_m`` east and ``north_m`` north of ``centre``."""
    return offset(centre[0], centre[1], north_m, east_m)


@pytest.mark.parametrize(
    ("east_m", "radius_m", "straddles"),
    [
        (0, 100, False),  # wholly inside
        (0, 1500, True),  # the lot is inside the disc: neither in nor out
        (-250, 40, False),  # 250 + 40 < 300: inside
        (-250, 60, True),  # crosses the boundary
        (-350, 40, False),  # wholly outside
        (-350, 60, True),
        (-2000, 1650, False),  # 2000 - 1650 > 300: clear of the lot
        (-2000, 1750, True),  # reaches back over the lot
    ],
)
def test_which_discs_straddle_the_lot(
    index: FenceIndex, east_m: float, radius_m: float, straddles: bool
) -> None:
    lat, lon = at(east_m)
    found = index.straddling([lon], [lat], [radius_m])[0]
    assert ("dealer-001-lot" in {f.key for f in found}) is straddles


def test_straddled_by_leaves_points_and_clear_discs_out(index: FenceIndex) -> None:
    points = [at(0), at(0), at(-250), at(-3000)]
    lons, lats = [p[1] for p in points], [p[0] for p in points]
    found = index.straddled_by(lons, lats, [None, 1500.0, 0.0, 1500.0])
    assert {n: sorted(f.key for f in fences) for n, fences in found.items()} == {
        1: ["dealer-001-lot", "other-tenant-zone", "pawn-zone"]
    }


@pytest.mark.parametrize(
    ("before", "centre", "straddled", "after"),
    [
        ({1}, set(), {1}, {1}),  # uncertain: still inside
        (set(), {1}, {1}, set()),  # uncertain: still outside
        ({1}, set(), set(), set()),  # certain: outside now
        ({1, 2}, {2}, {1}, {1, 2}),  # only the straddled place keeps its state
        (None, {1}, {1}, {1}),  # first fix: the centre decides
        (None, set(), {1}, set()),
    ],
)
def test_settled_inside(
    before: set[int] | None, centre: set[int], straddled: set[int], after: set[int]
) -> None:
    start = None if before is None else frozenset(before)
    assert settled_inside(start, frozenset(centre), frozenset(straddled)) == after


def replay(
    index: FenceIndex, track: list[tuple[int, tuple[float, float], float | None]]
) -> list[tuple[int, str, str, bool, float | None]]:
    """The live geofence rule over a tiny track of (time, (lat, lon), accuracy m) fixes of
    one asset of counterparty 7, tenant 10: (time, event, place, alarm, accuracy)."""
    before: frozenset[int] | None = None
    out = []
    for time_ms, (lat, lon), accuracy in track:
        fences = index.containing([lon], [lat])[0]
        inside = index.inside_set(fences, tenant_id=10, asset_id=1, counterparty_id=7)
        straddled = index.straddled_by([lon], [lat], [accuracy]).get(0, [])
        uncertain = index.inside_set(straddled, tenant_id=10, asset_id=1, counterparty_id=7)
        inside = settled_inside(before, inside, uncertain)
        for e in transitions(
            before, inside, index, time_ms=time_ms, lat=lat, lon=lon, accuracy_m=accuracy
        ):
            out.append((e.time_ms, e.type, e.subject, e.alarm, e.details.get("accuracy_m")))
        before = inside
    return out


def test_a_coarse_cell_fix_near_the_lot_fires_no_exit(index: FenceIndex) -> None:
    track = [
        (T0, at(0), None),  # GPS in the lot
        (T0 + 60_000, at(-400), 1500.0),  # cell fix centred outside, disc over the lot
        (T0 + 120_000, at(0), None),  # GPS: still in the lot
        (T0 + 180_000, at(5000), 1500.0),  # cell fix whose whole disc is 3.5 km away
        (T0 + 240_000, at(-1000), 1500.0),  # disc over the lot again: no re-entry
        (T0 + 300_000, at(10), 5.0),  # a precise fix in the lot
    ]
    assert replay(index, track) == [
        (T0 + 180_000, "geofence_exit", "dealer-001-lot", True, 1500.0),
        (T0 + 300_000, "geofence_enter", "dealer-001-lot", False, 5.0),
    ]


def test_the_same_track_as_points_exits_at_once(index: FenceIndex) -> None:
    track = [(T0, at(0), None), (T0 + 60_000, at(-400), None)]
    assert replay(index, track) == [(T0 + 60_000, "geofence_exit", "dealer-001-lot", True, None)]


def test_a_forbidden_zone_is_entered_only_by_a_disc_wholly_inside(index: FenceIndex) -> None:
    outside = at(-3000, centre=PAWN_CENTRE)
    track = [
        (T0, outside, None),
        (T0 + 60_000, at(300, centre=PAWN_CENTRE), 800.0),  # overlaps the zone's edge
        (T0 + 120_000, outside, 1000.0),  # wholly outside again: still nothing
        (T0 + 180_000, at(0, 100, centre=PAWN_CENTRE), 300.0),  # wholly inside
    ]
    assert replay(index, track) == [(T0 + 180_000, "geofence_enter", "pawn-zone", True, 300.0)]


MIDWAY = math.pi / 32  # between two vertices of a 32-gon at angles 2πk/32: where it errs most


@settings(max_examples=300, deadline=None)
@example(100 * math.cos(MIDWAY), 100 * math.sin(MIDWAY), 200.5)  # pokes out by 0.5 m
@example(600 * math.cos(MIDWAY), 600 * math.sin(MIDWAY), 300.5)  # reaches in by 0.5 m
@given(
    east_m=st.floats(-3000, 3000),
    north_m=st.floats(-3000, 3000),
    radius_m=st.floats(10, 3000),
)
def test_the_disc_test_is_never_over_confident(
    east_m: float, north_m: float, radius_m: float
) -> None:
    """Against exact circle geometry (metres): a disc called wholly inside the 300 m lot is
    inside it, one called wholly outside is outside it (up to the lot polygon's 0.03 %)."""
    lot = FenceIndex(
        [Fence(1, 10, "lot", "allowed", shape_to_geometry(LOT), Applicability(everyone=True))]
    )
    lat, lon = at(east_m, north_m)
    straddles = bool(lot.straddling([lon], [lat], [radius_m])[0])
    centre_in = bool(lot.containing([lon], [lat])[0])
    distance = math.hypot(east_m, north_m)
    if not straddles and centre_in:
        assert distance + radius_m <= 300.0 * 1.0005
    if not straddles and not centre_in:
        assert distance - radius_m >= 300.0 * 0.9995
