"""Reports received again (retransmitted, redelivered, replayed) count once: one row, one
alarm, whatever batches the copies land in; untimed reports are recognised by their id."""

from __future__ import annotations

import itertools

import msgspec
import pytest
from sqlalchemy import func, select

from assetwatch.model.observation import Observation
from assetwatch.storage import schema as s
from tests.pipeline.conftest import IN_LOT, T0, World

HOUR_MS = 3_600_000


def stored(world: World) -> tuple[int, list[tuple[str, int, bool]]]:
    """Rows, and ``(type, count, retrospective)`` of every alarm."""
    with world.engine.connect() as conn:
        rows = conn.scalar(select(func.count()).select_from(s.observations))
        alarms = conn.execute(select(s.alarms.c.type, s.alarms.c.count, s.alarms.c.retrospective))
        return int(rows or 0), [(a.type, a.count, a.retrospective) for a in alarms]


def duplicates(world: World) -> float:
    value = world.processor.metrics.registry.get_sample_value(
        "assetwatch_duplicate_observations_total"
    )
    return value or 0.0


CUTS = [c for n in range(3) for c in itertools.combinations(range(1, 8), n)]  # 29 batchings


@pytest.mark.parametrize("cuts", CUTS, ids=str)
def test_a_replayed_alarm_counts_once_however_the_copies_are_batched(
    world: World, cuts: tuple[int, ...]
) -> None:
    backlog = world.fix(T0 - HOUR_MS, IN_LOT, idem=5)  # late: re-analysed retrospectively
    sos = world.fix(T0 - 1_000, IN_LOT, alarms=("sos",), idem=6)  # live
    arrivals = [backlog, backlog, sos, sos, backlog, backlog, sos, sos]
    for start, end in itertools.pairwise((0, *cuts, len(arrivals))):
        world.processor.process(arrivals[start:end])
    assert stored(world) == (2, [("sos", 1, False)])
    assert duplicates(world) == 6


def test_a_late_fix_and_a_live_alarm_in_one_batch_raise_one_alarm(world: World) -> None:
    """Not a replay: the re-analysis of the late fix's window sees the live fix after it."""
    world.processor.process([world.fix(T0 - HOUR_MS, IN_LOT, idem=1)])
    world.processor.process(
        [
            world.fix(T0 - HOUR_MS + 60_000, IN_LOT, idem=2),
            world.fix(T0 - 1_000, IN_LOT, alarms=("power_cut",), idem=3),
        ]
    )
    assert stored(world) == (3, [("power_cut", 1, False)])


def untimed(world: World, idem: int, *, received_ms: int) -> Observation:
    """A report without a device time: stamped with its receive time, known by its id."""
    fix = world.fix(received_ms, IN_LOT, alarms=("tamper",), idem=idem)
    return msgspec.structs.replace(fix, server_time_ms=received_ms, untimed=True)


def test_an_untimed_report_sent_again_is_recognised_by_its_id(world: World) -> None:
    world.processor.process([untimed(world, 7, received_ms=T0 - 30_000)])
    world.processor.process([untimed(world, 7, received_ms=T0 - 20_000)])  # a retry
    world.processor.process(
        [untimed(world, 7, received_ms=T0 - 10_000), untimed(world, 7, received_ms=T0 - 9_000)]
    )
    assert stored(world) == (1, [("tamper", 1, False)])
    assert duplicates(world) == 3
    world.processor.process([untimed(world, 8, received_ms=T0 - 5_000)])  # another report
    assert stored(world)[0] == 2


def test_an_untimed_id_is_forgotten_after_the_replay_window(world: World) -> None:
    world.processor.process([untimed(world, 7, received_ms=T0 - 25 * HOUR_MS)])
    world.processor.process([untimed(world, 7, received_ms=T0 - 1_000)])
    assert stored(world)[0] == 2
