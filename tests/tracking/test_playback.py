"""playback(): options checked, simplification that keeps what a lender needs, JSON shapes."""

from __future__ import annotations

from typing import Any

import pytest

from assetwatch.errors import ValidationError
from assetwatch.tracking.playback import playback, playback_json
from assetwatch.tracking.service import track
from tests.tracking.conftest import Db

# a straight drive east after the tiny track: +300 s … +390 s, one fix every 10 s
STRAIGHT = [(300 + 10 * i, 22.551, 114.053 + i * 1e-4, None, 36.0, 90.0, True, "gps", None, "")
            for i in range(10)]  # fmt: skip


def times(db: Db, **options: Any) -> list[str]:
    pb = playback(db.engine, scope=db.scope, asset="VIN1", **options)
    return [p["time"][11:19] for p in pb.points]


def test_simplification_keeps_alarms_fix_source_changes_and_event_fixes(db: Db) -> None:
    db.add_fixes(db.scope.tenant_id, "VIN1", "013900000001", STRAIGHT)
    every = [f"08:0{m}:{s}0" for m, s in ((0, 0), (1, 0), (2, 0), (3, 0), (4, 0))]
    assert times(db)[:5] == every
    # 08:01 has an alarm and an event; 08:02 is the cell fix (and an event), between two
    # GPS fixes; 08:03 is invalid, so not drawn; 08:04 to the end of the drive east is a
    # straight line
    assert times(db, simplify_m=5.0) == ["08:00:00", "08:01:00", "08:02:00", "08:04:00", "08:06:30"]
    assert times(db, simplify_m=0.0) == [t for t in times(db) if t != "08:03:00"]


def test_fixes_worth_keeping_survive_any_tolerance(db: Db) -> None:
    assert times(db, simplify_m=100_000.0) == ["08:00:00", "08:01:00", "08:02:00", "08:04:00"]


def test_bad_options_are_validation_errors(db: Db) -> None:
    with pytest.raises(ValidationError, match="datum: 'mars' is not one of wgs84, gcj02, bd09"):
        playback(db.engine, scope=db.scope, asset="VIN1", datum="mars")
    with pytest.raises(ValidationError, match="simplify_m: -1.0 is not a distance"):
        playback(db.engine, scope=db.scope, asset="VIN1", simplify_m=-1.0)
    with pytest.raises(ValidationError, match="from must not be after to"):
        playback(db.engine, scope=db.scope, asset="VIN1", from_ms=2, to_ms=1)


def test_json_with_the_overlay(db: Db) -> None:
    pb = playback(db.engine, scope=db.scope, asset="VIN1", with_overlay=True, datum="gcj02")
    body = playback_json(pb)
    assert {k: body[k] for k in ("asset", "datum", "simplify_m", "fixes", "truncated")} == {
        "asset": "VIN1", "datum": "gcj02", "simplify_m": None, "fixes": 5, "truncated": False
    }  # fmt: skip
    assert body["stays"] == []
    assert [(e["type"], e["lat"], e["lon"]) for e in body["events"]] == [
        ("geofence_exit", 22.5424867, 114.0652166),
        ("power_cut", 22.5472682, 114.0551039),
    ]
    original = track(db.engine, scope=db.scope, asset="VIN1")
    assert [(p["lat"], p["lon"]) for p in body["points"]][0] == (22.5403828, 114.063014)
    strip = ("lat", "lon")
    assert [{k: v for k, v in p.items() if k not in strip} for p in body["points"]] == [
        {k: v for k, v in p.items() if k not in strip} for p in original
    ]


def test_truncated_when_the_limit_is_reached(db: Db) -> None:
    assert playback(db.engine, scope=db.scope, asset="VIN1", limit=5).truncated
    assert playback(db.engine, scope=db.scope, asset="VIN1", limit=3).fixes == 3
    assert not playback(db.engine, scope=db.scope, asset="VIN1", limit=6).truncated
