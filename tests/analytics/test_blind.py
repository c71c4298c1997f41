"""Blind periods, repeated blind areas and GNSS-denied runs on tiny synthetic tracks."""

from __future__ import annotations

import json

from assetwatch.analytics.blind import BlindDetector, BlindParams
from assetwatch.analytics.model import Fix

MIN = 60_000
T0 = 1_780_000_000_000


def _run(fixes: list[Fix], params: BlindParams | None = None) -> list[tuple[str, str]]:
    detector, found = BlindDetector(params or BlindParams()), []
    for fix in fixes:
        # persist and restore the state between every fix, as the processor does
        detector = BlindDetector(detector.params, json.loads(json.dumps(detector.state())))
        found += [(e.type, e.subject) for e in detector.add(fix)]
    return found


def test_a_moving_car_that_goes_dark_and_reappears_far_away() -> None:
    fixes = [
        Fix(T0, 22.54, 114.05, speed_kmh=60.0),
        Fix(T0 + 1 * MIN, 22.55, 114.06, speed_kmh=62.0),
        Fix(T0 + 40 * MIN, 22.75, 114.30, speed_kmh=0.0),  # 35 km later, 39 min on
    ]
    assert _run(fixes) == [("blind_period", f"gap@{T0 + MIN}")]


def test_a_parked_car_sleeping_or_a_short_gap_is_not_blind() -> None:
    parked = [Fix(T0, 22.54, 114.05, speed_kmh=0.0), Fix(T0 + 300 * MIN, 22.80, 114.40)]
    short = [Fix(T0, 22.54, 114.05, speed_kmh=60.0), Fix(T0 + 5 * MIN, 22.60, 114.10)]
    near = [Fix(T0, 22.54, 114.05, speed_kmh=60.0), Fix(T0 + 60 * MIN, 22.545, 114.05)]
    assert _run(parked) == _run(short) == _run(near) == []


def test_the_third_blind_period_in_one_area_is_flagged() -> None:
    fixes = []
    for n in range(3):
        start = T0 + n * 1440 * MIN
        fixes += [Fix(start, 22.54 + n * 1e-4, 114.05, speed_kmh=50.0),
                  Fix(start + 30 * MIN, 22.80, 114.40, speed_kmh=0.0)]  # fmt: skip
    found = _run(fixes)
    assert [t for t, _ in found] == ["blind_period"] * 2 + ["blind_period", "repeated_blind_area"]


def test_a_long_cell_only_run_is_gnss_denied_once() -> None:
    fixes = [Fix(T0, 22.54, 114.05, speed_kmh=40.0)]
    fixes += [Fix(T0 + n * 5 * MIN, 22.54, 114.05, accuracy_m=800.0, source="cell")
              for n in range(1, 12)]  # fmt: skip
    fixes.append(Fix(T0 + 70 * MIN, 22.54, 114.05, speed_kmh=0.0))
    assert _run(fixes) == [("gnss_denied", f"since@{T0 + 5 * MIN}")]
    assert _run(fixes[:6]) == []  # 20 minutes of cell fixes only: not yet


def test_fixes_out_of_order_are_ignored() -> None:
    detector = BlindDetector(BlindParams())
    detector.add(Fix(T0 + 10 * MIN, 22.54, 114.05, speed_kmh=60.0))
    assert detector.add(Fix(T0, 22.90, 114.90)) == []
    assert detector.state()["last"][0] == T0 + 10 * MIN
