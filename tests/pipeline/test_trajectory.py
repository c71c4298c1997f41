"""Stays, trips and risk-point dwell in the processor: live while the car is parked, and
retrospectively when a blind-zone backfill reveals a visit made while the tracker was dark."""

from __future__ import annotations

import msgspec
from sqlalchemy import select

from assetwatch.model.observation import Observation
from assetwatch.model.scope import Scope
from assetwatch.riskpoints import service
from assetwatch.storage import schema as s
from tests.pipeline.conftest import IN_LOT, T0, World

PAWN_SHOP = (22.5600, 114.0800)  # outside every geofence of the world
MIN = 60_000
CATALOGUE = f"key,category,lat,lon,radius_m\nrp-pawn,pawn_shop,{PAWN_SHOP[0]},{PAWN_SHOP[1]},150\n"


def _risk_points(world: World) -> None:
    with world.engine.begin() as conn:
        tenant = conn.scalar(select(s.tenants.c.id).where(s.tenants.c.key == "demo-bank"))
        service.import_catalogue(conn, scope=Scope(tenant_id=tenant), data=CATALOGUE.encode())
    world.processor.reload_fences()


def _at(
    world: World, t: int, where: tuple[float, float], speed: float, **kw: object
) -> Observation:
    return msgspec.structs.replace(world.fix(t, where, **kw), speed_kmh=speed)  # type: ignore[arg-type]


def _live(world: World, t: int, where: tuple[float, float], speed: float) -> None:
    world.clock.now = t + 1000
    world.processor.process([_at(world, t, where, speed)])


def _parked(n: int) -> tuple[float, float]:
    """Parked at the pawn shop, with a few metres of GPS jitter."""
    return PAWN_SHOP[0] + (n % 3 - 1) * 5e-5, PAWN_SHOP[1] + (n % 2) * 5e-5


def _dwells(world: World) -> list[tuple[str, str, bool, int]]:
    with world.engine.connect() as conn:
        rows = conn.execute(
            select(
                s.alarms.c.type, s.alarms.c.subject, s.alarms.c.retrospective, s.alarms.c.count
            ).where(s.alarms.c.type == "risk_point_dwell")
        ).all()
    return [(r.type, r.subject, bool(r.retrospective), r.count) for r in rows]


def test_a_car_parked_at_a_pawn_shop_alarms_while_still_there(world: World) -> None:
    _risk_points(world)
    start = T0
    _live(world, start, IN_LOT, 40.0)
    for n in range(1, 41):  # 40 minutes at the pawn shop, one fix a minute
        _live(world, start + n * MIN, _parked(n), 0.0)
        if n == 25:
            assert _dwells(world) == []  # not yet 30 minutes
    assert _dwells(world) == [("risk_point_dwell", "rp-pawn", False, 1)]
    for n in range(41, 44):  # and away, 1.5 km a minute
        _live(world, start + n * MIN, (PAWN_SHOP[0] + (n - 40) * 0.014, PAWN_SHOP[1]), 80.0)
    assert _dwells(world) == [("risk_point_dwell", "rp-pawn", False, 1)]  # closing adds nothing
    with world.engine.connect() as conn:
        stays = conn.execute(select(s.stays)).all()
        trips = conn.execute(select(s.trips)).all()
    [stay] = stays
    assert abs(stay.lat - PAWN_SHOP[0]) < 2e-4 and stay.end_ms - stay.start_ms >= 38 * MIN
    assert trips and trips[0].end_ms <= stay.start_ms + MIN


def test_a_backfilled_pawn_shop_visit_raises_a_retrospective_alarm(world: World) -> None:
    _risk_points(world)
    start = T0
    _live(world, start, IN_LOT, 40.0)  # then the tracker goes dark (a jammer, a dead zone)
    back = start + 60 * MIN
    world.clock.now = back
    blind = [_at(world, start + n * MIN, _parked(n), 0.0, batch=True) for n in range(5, 45)]
    blind.append(
        _at(world, start + 50 * MIN, (PAWN_SHOP[0] + 0.02, PAWN_SHOP[1]), 70.0, batch=True)
    )
    world.processor.process(blind)  # the 0x0704 backfill: stored late, never live
    assert _dwells(world) == [("risk_point_dwell", "rp-pawn", True, 1)]
    with world.engine.connect() as conn:
        event = conn.execute(select(s.events).where(s.events.c.type == "risk_point_dwell")).one()
        stays = conn.execute(select(s.stays)).all()
    assert event.retrospective and event.details["category"] == "pawn_shop"
    assert [bool(st.retrospective) for st in stays] == [True]
    world.processor.process(blind)  # the same backfill again: nothing new
    assert _dwells(world) == [("risk_point_dwell", "rp-pawn", True, 1)]
