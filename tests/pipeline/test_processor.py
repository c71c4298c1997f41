"""The processor on a real SQLite database: live vs late, rules, alarms, idempotency."""

from __future__ import annotations

import asyncio

import msgspec
from sqlalchemy import func, select, update

from assetwatch.alarms import service as alarms
from assetwatch.model.observation import ObservationKind
from assetwatch.model.scope import Scope
from assetwatch.pipeline.bus import Ack, Envelope, MemoryBus
from assetwatch.storage import schema as s
from assetwatch.tracking import service as tracking
from tests.pipeline.conftest import IN_LOT, IN_PAWN, OUT_OF_LOT, T0, World


def open_alarms(world: World) -> list[tuple[str, str, bool]]:
    with world.engine.connect() as conn:
        tenant = conn.scalar(select(s.tenants.c.id).where(s.tenants.c.key == "demo-bank"))
    rows = alarms.list_alarms(world.engine, scope=Scope(tenant_id=tenant), status="active")
    return sorted((r["type"], r["subject"], bool(r["retrospective"])) for r in rows)


def test_leaving_the_lot_raises_one_exit_alarm(world: World) -> None:
    p = world.processor
    p.process([world.fix(T0 - 20_000, IN_LOT), world.fix(T0 - 10_000, OUT_OF_LOT)])
    p.process([world.fix(T0 - 5_000, OUT_OF_LOT)])
    assert open_alarms(world) == [("geofence_exit", "dealer-001-lot", False)]


def test_entering_forbidden_zone_and_power_cut_edge(world: World) -> None:
    p = world.processor
    p.process([world.fix(T0 - 30_000, OUT_OF_LOT)])
    p.process([world.fix(T0 - 20_000, IN_PAWN, alarms=("power_cut",))])
    p.process([world.fix(T0 - 10_000, IN_PAWN, alarms=("power_cut",))])
    assert open_alarms(world) == [
        ("geofence_enter", "pawn-zone", False),
        ("power_cut", "013900000001", False),
    ]


def test_retransmitted_fix_is_stored_once(world: World) -> None:
    p = world.processor
    fix = world.fix(T0 - 10_000, IN_LOT)
    p.process([fix])
    p.process([fix])
    with world.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(s.observations)) == 1


def test_late_data_is_stored_but_never_moves_live_state(world: World) -> None:
    p = world.processor
    p.process([world.fix(T0 - 10_000, IN_LOT)])
    p.process([world.fix(T0 - 60_000, OUT_OF_LOT)])  # older than the live state
    with world.engine.connect() as conn:
        state = conn.execute(select(s.asset_state)).one()
        late = conn.execute(select(s.observations.c.late).order_by(s.observations.c.time_ms)).all()
    assert (state.lat, state.lon) == IN_LOT
    assert [bool(r.late) for r in late] == [True, False]
    assert open_alarms(world) == []  # the old fix outside the lot fires no live alarm


def test_backfill_reveals_a_visit_retrospectively(world: World) -> None:
    p = world.processor
    p.process([world.fix(T0 - 300_000, OUT_OF_LOT)])
    world.clock.now = T0
    p.process([world.fix(T0 - 1_000, OUT_OF_LOT)])  # back online, outside
    backfill = [
        world.fix(T0 - 200_000, IN_PAWN, batch=True),
        world.fix(T0 - 150_000, IN_PAWN, batch=True),
        world.fix(T0 - 100_000, OUT_OF_LOT, batch=True),
    ]
    p.process(backfill)
    assert open_alarms(world) == [("geofence_enter", "pawn-zone", True)]
    with world.engine.connect() as conn:
        rows = conn.execute(
            select(s.events.c.type, s.events.c.time_ms, s.events.c.retrospective).order_by(
                s.events.c.time_ms
            )
        ).all()
    assert [(r.type, r.time_ms, bool(r.retrospective)) for r in rows] == [
        ("geofence_enter", T0 - 200_000, True),
        ("geofence_exit", T0 - 100_000, True),
    ]
    p.process(backfill)  # the same backfill again finds nothing new
    assert open_alarms(world) == [("geofence_enter", "pawn-zone", True)]


def test_offline_fires_after_the_schedule_and_resolves_on_report(world: World) -> None:
    p = world.processor
    p.process([world.fix(T0 - 1_000, IN_LOT)])
    world.clock.now = T0 + 29_000  # interval 10 s × tolerance 3 = 30 s
    p.sweep_offline()
    assert open_alarms(world) == []
    world.clock.now = T0 + 31_000
    p.sweep_offline()
    p.sweep_offline()
    assert open_alarms(world) == [("offline", "013900000001", False)]
    world.clock.now = T0 + 40_000
    p.process([world.fix(T0 + 39_000, IN_LOT)])
    assert open_alarms(world) == []


def test_unknown_device_is_quarantined_without_alarms(world: World) -> None:
    p = world.processor
    p.process(
        [
            world.fix(T0 - 20_000, IN_LOT, device="019999999999"),
            world.fix(T0 - 10_000, IN_PAWN, device="019999999999", alarms=("sos",)),
        ]
    )
    with world.engine.connect() as conn:
        status = conn.scalar(select(s.devices.c.status).where(s.devices.c.key == "019999999999"))
        stored = conn.scalar(select(func.count()).select_from(s.observations))
    assert status == "quarantined" and stored == 2
    assert open_alarms(world) == []


async def run_until_settled(world: World, results: list[bool]) -> None:
    """Run the processor's loop until the ack under test is settled."""
    stop = asyncio.Event()
    task = asyncio.create_task(world.processor.run(0, stop))
    for _ in range(200):
        if results:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await task


async def test_acks_are_settled_after_commit_and_alarms_announced(world: World) -> None:
    bus = MemoryBus()
    world.processor.bus = bus
    results: list[bool] = []
    ack = Ack(2, results.append)
    bus.publish(Envelope(world.fix(T0 - 20_000, IN_LOT), ack))
    bus.publish(Envelope(world.fix(T0 - 10_000, OUT_OF_LOT), ack))
    await run_until_settled(world, results)
    assert results == [True]
    with world.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(s.observations)) == 2
    kinds = [(m["type"], m.get("alarm_type")) for m in world.published]
    assert ("alarm", "geofence_exit") in kinds and ("position", None) in kinds


async def test_a_failing_batch_withholds_its_ack(world: World) -> None:
    bus = MemoryBus()
    world.processor.bus = bus
    world.engine.dispose()
    with world.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE observations")  # every insert now fails
    results: list[bool] = []
    bus.publish(Envelope(world.fix(T0 - 20_000, IN_LOT), Ack(1, results.append)))
    await run_until_settled(world, results)
    assert results == [False]
    assert world.processor.device_states == {}  # memory did not move ahead of the database


def test_a_repeat_counts_on_the_open_alarm(world: World) -> None:
    p = world.processor
    p.settings.auto_resolve = frozenset({"offline"})  # coming back would close the exit alarm
    p.process([world.fix(T0 - 40_000, IN_LOT)])
    p.process([world.fix(T0 - 30_000, OUT_OF_LOT)])
    p.process([world.fix(T0 - 20_000, IN_LOT)])
    p.process([world.fix(T0 - 10_000, OUT_OF_LOT)])
    with world.engine.connect() as conn:
        rows = conn.execute(
            select(s.alarms.c.type, s.alarms.c.count, s.alarms.c.opened_ms, s.alarms.c.last_ms)
        ).all()
    assert [(r.type, r.count, r.opened_ms, r.last_ms) for r in rows] == [
        ("geofence_exit", 2, T0 - 30_000, T0 - 10_000)
    ]


def test_heartbeats_keep_a_parked_device_online(world: World) -> None:
    p = world.processor
    p.process([world.fix(T0 - 1_000, IN_LOT)])
    for step in (20_000, 40_000, 60_000):
        world.clock.now = T0 + step
        beat = world.fix(T0 + step, IN_LOT)
        p.process([msgspec.structs.replace(beat, kind=ObservationKind.HEARTBEAT)])
        p.sweep_offline()
    assert open_alarms(world) == []
    with world.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(s.observations)) == 1


def test_the_last_heartbeat_status_is_kept_and_shown_live(world: World) -> None:
    """Heartbeats are not stored as observations; their battery/GSM status must not vanish."""
    p = world.processor
    p.process([world.fix(T0 - 5_000, IN_LOT)])
    status = {"battery_pct": 67, "gsm_level": 4, "charging": False, "raw.voltage": 4}
    for at, battery in ((T0 - 2_000, 67), (T0 - 4_000, 90)):  # the older one arrives last
        beat = world.fix(at, IN_LOT)
        attrs = {**status, "battery_pct": battery}
        p.process([msgspec.structs.replace(beat, kind=ObservationKind.HEARTBEAT, attributes=attrs)])
    with world.engine.connect() as conn:
        tenant = conn.scalar(select(s.tenants.c.id).where(s.tenants.c.key == "demo-bank"))
        saved = conn.scalar(select(s.device_state.c.state))
    assert saved["status"] == {"battery_pct": 67, "gsm_level": 4, "charging": False}
    [live] = tracking.live(world.engine, scope=Scope(tenant_id=tenant))
    assert live["device_status"] == {"battery_pct": 67, "gsm_level": 4, "charging": False}
    assert live["device_status_time"] == "2026-05-28T20:26:38Z"
    restarted = type(p)(p.engine, MemoryBus(), p.directory, p.metrics, p.publish, clock=p.clock)
    [state] = restarted.device_states.values()
    assert (state.status, state.status_ms) == (saved["status"], T0 - 2_000)


def test_quarantined_device_goes_quiet_without_an_alarm(world: World) -> None:
    p = world.processor
    p.process([world.fix(T0 - 1_000, IN_LOT, device="019999999999")])
    world.clock.now = T0 + 3_600_000
    p.sweep_offline()
    assert open_alarms(world) == []
    assert all(not st.online for st in p.device_states.values())


def test_backfill_reveals_a_power_cut_made_in_the_blind_zone(world: World) -> None:
    p = world.processor
    p.process([world.fix(T0 - 300_000, OUT_OF_LOT)])
    p.process([world.fix(T0 - 1_000, OUT_OF_LOT)])
    p.process(
        [
            world.fix(T0 - 200_000, OUT_OF_LOT, alarms=("power_cut",), batch=True),
            world.fix(T0 - 150_000, OUT_OF_LOT, alarms=("power_cut",), batch=True),
            world.fix(T0 - 100_000, OUT_OF_LOT, batch=True),
        ]
    )
    assert open_alarms(world) == [("power_cut", "013900000001", True)]
    with world.engine.connect() as conn:
        times = conn.execute(select(s.events.c.time_ms).where(s.events.c.type == "power_cut")).all()
    assert [t.time_ms for t in times] == [T0 - 200_000]  # the edge, not every report with the bit


def test_observations_belong_to_the_asset_bound_at_their_time(world: World) -> None:
    """The tracker moves from VIN1 to VIN2 at T0 - 50 s; a late fix from before the move
    still belongs to VIN1."""
    with world.engine.begin() as conn:
        ids = dict(conn.execute(select(s.assets.c.key, s.assets.c.id)).all())
        device, tenant = conn.execute(
            select(s.devices.c.id, s.devices.c.tenant_id).where(s.devices.c.key == "013900000001")
        ).one()
        bindings = s.bindings
        conn.execute(
            update(bindings).where(bindings.c.device_id == device).values(valid_to_ms=T0 - 50_000)
        )
        conn.execute(
            bindings.insert().values(
                tenant_id=tenant, device_id=device, asset_id=ids["VIN2"], valid_from_ms=T0 - 50_000
            )
        )
    p = world.processor
    p.directory.reload()
    p.process([world.fix(T0 - 40_000, IN_LOT)])  # live, after the move
    p.process([world.fix(T0 - 60_000, OUT_OF_LOT)])  # late, before the move
    with world.engine.connect() as conn:
        rows = conn.execute(
            select(s.observations.c.time_ms, s.observations.c.asset_id).order_by(
                s.observations.c.time_ms
            )
        ).all()
        live = dict(conn.execute(select(s.asset_state.c.asset_id, s.asset_state.c.lat)).all())
    assert [(r.time_ms, r.asset_id) for r in rows] == [
        (T0 - 60_000, ids["VIN1"]),
        (T0 - 40_000, ids["VIN2"]),
    ]
    assert live == {ids["VIN2"]: IN_LOT[0]}  # the late fix moved no live state


def test_a_fix_from_the_future_does_not_poison_live_state(world: World) -> None:
    p = world.processor
    p.process([world.fix(T0 - 20_000, IN_LOT)])
    p.process([world.fix(T0 + 8 * 3_600_000, IN_LOT)])  # device clock 8 h ahead
    p.process([world.fix(T0 - 10_000, OUT_OF_LOT)])  # correct clock again: still live
    assert open_alarms(world) == [("geofence_exit", "dealer-001-lot", False)]
    with world.engine.connect() as conn:
        late = conn.execute(
            select(s.observations.c.time_ms, s.observations.c.late).order_by(
                s.observations.c.time_ms
            )
        ).all()
    assert [bool(r.late) for r in late] == [False, False, True]  # stored, flagged late


def test_coming_back_inside_the_lot_resolves_the_exit_alarm(world: World) -> None:
    p = world.processor
    p.process([world.fix(T0 - 30_000, IN_LOT), world.fix(T0 - 20_000, OUT_OF_LOT)])
    assert open_alarms(world) == [("geofence_exit", "dealer-001-lot", False)]
    p.process([world.fix(T0 - 10_000, IN_LOT)])
    assert open_alarms(world) == []
    with world.engine.connect() as conn:
        row = conn.execute(select(s.alarms.c.status, s.alarms.c.resolved_by, s.alarms.c.note)).one()
    assert tuple(row) == ("resolved", "system", "back inside the allowed place")


def test_exit_alarms_stay_open_when_the_profile_does_not_auto_resolve(world: World) -> None:
    p = world.processor
    p.settings.auto_resolve = frozenset({"offline"})
    p.process([world.fix(T0 - 30_000, IN_LOT), world.fix(T0 - 20_000, OUT_OF_LOT)])
    p.process([world.fix(T0 - 10_000, IN_LOT)])
    assert open_alarms(world) == [("geofence_exit", "dealer-001-lot", False)]
