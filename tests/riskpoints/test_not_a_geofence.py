"""The processor's geofence rule ignores risk points: entering or leaving one is no event."""

from __future__ import annotations

from sqlalchemy import select

from assetwatch.model.scope import Scope
from assetwatch.riskpoints import service
from assetwatch.storage import schema as s
from tests.pipeline.conftest import IN_LOT, OUT_OF_LOT, T0, World, world  # noqa: F401

RISK_POINTS = f"""key,category,lat,lon,radius_m
rp-out-of-lot,pawn_shop,{OUT_OF_LOT[0]},{OUT_OF_LOT[1]},200
rp-lot,used_car_market,{IN_LOT[0]},{IN_LOT[1]},500
"""


def test_a_risk_point_never_raises_geofence_enter_or_exit(world: World) -> None:  # noqa: F811
    with world.engine.begin() as conn:
        tenant = conn.scalar(select(s.tenants.c.id).where(s.tenants.c.key == "demo-bank"))
        scope = Scope(tenant_id=tenant)
        service.import_catalogue(conn, scope=scope, data=RISK_POINTS.encode())
    world.processor.reload_fences()
    assert sorted(f.key for f in world.processor.fences.fences) == ["dealer-001-lot", "pawn-zone"]
    p = world.processor
    for n, where in enumerate([IN_LOT, OUT_OF_LOT, IN_LOT, OUT_OF_LOT, IN_LOT]):
        p.process([world.fix(T0 - 50_000 + n * 10_000, where)])
    with world.engine.connect() as conn:
        subjects = {
            row.subject for row in conn.execute(select(s.events.c.subject, s.events.c.type))
        }
        alarmed = set(conn.scalars(select(s.alarms.c.subject)))
    assert "dealer-001-lot" in subjects  # the geofence did fire
    assert not {"rp-out-of-lot", "rp-lot"} & (subjects | alarmed)
