"""Events placed on the track, scoped to the asset and tenant; stays from a provider."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete

from assetwatch.analytics.model import Stay
from assetwatch.errors import NotFoundError, ValidationError
from assetwatch.model.scope import Scope
from assetwatch.storage.schema import observations
from assetwatch.tracking import segments
from assetwatch.tracking.overlay import (
    STAYS_PROVIDER,
    Overlay,
    TrackEvent,
    event_times,
    overlay,
)
from tests.tracking.conftest import T0, Db

EXIT = TrackEvent(
    time_ms=T0 + 60_000,
    type="geofence_exit",
    subject="dealer-001-lot",
    retrospective=False,
    device="013900000001",
    lat=22.5452,
    lon=114.0601,
    located="event",
    details={"place": "dealer-001-lot", "place_kind": "allowed"},
)
POWER_CUT = TrackEvent(
    time_ms=T0 + 120_000,
    type="power_cut",
    subject="013900000001",
    retrospective=False,
    device="013900000001",
    lat=22.55,
    lon=114.05,
    located="fix",
    details={"device": "013900000001"},
)


def test_events_of_the_asset_in_the_window_placed_on_the_map(db: Db) -> None:
    found = overlay(db.engine, scope=db.scope, asset="VIN1")
    assert found == Overlay(stays=[], events=[EXIT, POWER_CUT])
    assert overlay(db.engine, scope=db.scope, asset="VIN1", from_ms=T0 + 61_000).events == [
        POWER_CUT
    ]
    assert overlay(db.engine, scope=db.scope, asset="VIN1", to_ms=T0 + 60_000).events == [EXIT]
    assert found.times() == {T0 + 60_000, T0 + 120_000}
    assert event_times(db.engine, scope=db.scope, asset="VIN1") == found.times()
    assert event_times(db.engine, scope=db.scope, asset="VIN1", to_ms=T0 + 60_000) == {T0 + 60_000}


def test_an_event_is_placed_at_the_last_valid_fix_before_it_else_the_first_after(db: Db) -> None:
    """At +200 s the last fix (+180 s) is invalid: the +120 s one places it. Before the
    first fix, the first one does. An asset that never had a position: no position."""
    db.add_event(db.scope.tenant_id, "VIN1", "013900000001", 200, "tamper", "x", {})
    db.add_event(db.scope.tenant_id, "VIN1", "013900000001", -30, "tamper", "y", {})
    db.add_event(db.scope.tenant_id, "VIN2", "013900000002", 0, "tamper", "z", {"lat": "?"})
    placed = {
        e.subject: (e.lat, e.lon, e.located)
        for e in overlay(db.engine, scope=db.scope, asset="VIN1").events
    }
    assert placed["x"] == (22.55, 114.05, "fix")
    assert placed["y"] == (22.5431, 114.0579, "fix")
    vin2 = overlay(db.engine, scope=db.scope, asset="VIN2").events
    assert [(e.subject, e.lat, e.located) for e in vin2] == [
        ("z", 22.6, "fix"),
        ("013900000002", 22.6, "fix"),
    ]
    with db.engine.begin() as conn:
        conn.execute(delete(observations).where(observations.c.lat == 22.6))
    unplaced = overlay(db.engine, scope=db.scope, asset="VIN2").events
    assert [(e.lat, e.lon, e.located) for e in unplaced] == [(None, None, None)] * 2


def test_other_tenants_never_show(db: Db) -> None:
    theirs = overlay(db.engine, scope=db.other, asset="VIN1").events
    assert [(e.type, e.device) for e in theirs] == [("sos", "013900000009")]
    with pytest.raises(NotFoundError):
        overlay(db.engine, scope=db.other, asset="VIN2")


def test_stays_come_from_the_provider(db: Db) -> None:
    asked: list[tuple[str, int | None, int | None]] = []

    def stays(
        engine: Engine, *, scope: Scope, asset: str, from_ms: int | None, to_ms: int | None
    ) -> list[Stay]:
        assert scope == db.scope
        asked.append((asset, from_ms, to_ms))
        return [Stay(T0 + 200_000, T0 + 900_000, 22.551, 114.052, 30.0, 12),
                Stay(T0 - 600_000, T0, 22.5431, 114.0579, 20.0, 40)]  # fmt: skip

    found = overlay(db.engine, scope=db.scope, asset="VIN1", from_ms=T0, to_ms=T0 + 1, stays=stays)
    assert asked == [("VIN1", T0, T0 + 1)]
    assert [s.start_ms for s in found.stays] == [T0 - 600_000, T0 + 200_000]  # sorted
    assert STAYS_PROVIDER is segments.stays  # the API and CLI read the stays table


def test_from_after_to_is_refused(db: Db) -> None:
    with pytest.raises(ValidationError, match="from must not be after to"):
        overlay(db.engine, scope=db.scope, asset="VIN1", from_ms=2, to_ms=1)
    with pytest.raises(ValidationError, match="from must not be after to"):
        event_times(db.engine, scope=db.scope, asset="VIN1", from_ms=2, to_ms=1)
