"""The daily resident sweep turns stored stays into alarms: a declared address never visited,
four nights away from home; run again, it counts repeats instead of opening new alarms."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from assetwatch.storage import schema as s
from tests.analytics.test_resident import _life
from tests.pipeline.conftest import World


def test_the_resident_sweep_raises_and_then_repeats(world: World) -> None:
    life = _life(days=15, away_nights=4)
    with world.engine.begin() as conn:
        asset = conn.scalar(select(s.assets.c.id).where(s.assets.c.key == "VIN1"))
        tenant = conn.scalar(select(s.assets.c.tenant_id).where(s.assets.c.id == asset))
        conn.execute(
            update(s.counterparties).values(
                addresses=[{"label": "declared home", "lat": 22.6000, "lon": 113.8000}]
            )
        )
        conn.execute(insert(s.stays), [
            {"tenant_id": tenant, "asset_id": asset, "start_ms": st.start_ms, "end_ms": st.end_ms,
             "lat": st.lat, "lon": st.lon, "radius_m": st.radius_m, "points": st.points,
             "created_ms": 0}
            for st in life
        ])  # fmt: skip
    world.clock.now = life[-1].end_ms + 3_600_000
    for _ in range(2):
        world.processor.sweep_resident()
    with world.engine.connect() as conn:
        rows = conn.execute(select(s.alarms.c.type, s.alarms.c.subject, s.alarms.c.count)).all()
    found = {(r.type, r.subject): r.count for r in rows}
    assert found[("declared_address_never_visited", "declared home")] == 2
    assert found[("away_from_usual_places", "since 2026-11-13")] == 2  # four nights, days 11-14
    assert found[("new_night_place", "22.720,114.250")] == 2
