"""The processor turns cell-only observations into cell fixes, and geofences respect their
accuracy, live and retrospectively (real SQLite, real catalogue)."""

from __future__ import annotations

import io
from typing import Any

import msgspec
import pytest
from sqlalchemy import select

from assetwatch.cells.importer import import_file
from assetwatch.model.observation import FixSource, Observation
from assetwatch.storage import schema as s
from tests.pipeline.conftest import IN_LOT, T0, World
from tests.pipeline.test_processor import open_alarms

HEADER = "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,avg"
CATALOGUE = [
    "GSM,460,0,9338,3692,,114.0540,22.5431,1500,40,1,0,1700000000,0",  # 400 m W of the lot
    "GSM,460,0,9338,4000,,114.00926,22.5431,1000,40,1,0,1700000000,0",  # 5 km west
    "LTE,460,0,6243,77,,114.065,22.545,200,40,1,0,1700000000,0",  # small, in the pawn zone
    "GSM,460,0,9338,5000,,114.065,22.545,1500,40,1,0,1700000000,0",  # large, on the zone
]
LOT_CELL = {"mcc": 460, "mnc": 0, "lac": 9338, "ci": 3692, "signal_dbm": -71}
FAR_CELL = {"mcc": 460, "mnc": 0, "lac": 9338, "ci": 4000, "signal_dbm": -65}
PAWN_CELL = {"mcc": 460, "mnc": 0, "lac": 6243, "ci": 77, "signal_dbm": -60}
PAWN_AREA_CELL = {"mcc": 460, "mnc": 0, "lac": 9338, "ci": 5000, "signal_dbm": -60}
UNKNOWN_CELL = {"mcc": 460, "mnc": 0, "lac": 1, "ci": 1, "signal_dbm": -50}


@pytest.fixture
def cells_world(world: World) -> World:
    data = ("\n".join([HEADER, *CATALOGUE]) + "\n").encode()
    assert import_file(world.engine, io.BytesIO(data)).added == 4
    return world


def lbs(world: World, at_ms: int, *cells: dict[str, Any], **kw: Any) -> Observation:
    """A GT06-style report without a GPS fix, hearing ``cells``."""
    fix = world.fix(at_ms, (0.0, 0.0), **kw)
    return msgspec.structs.replace(
        fix, lat=None, lon=None, valid=False, fix_source=FixSource.NONE,
        attributes={"cells": list(cells)},
    )  # fmt: skip


def stored(world: World) -> list[tuple[Any, ...]]:
    o = s.observations
    with world.engine.connect() as conn:
        rows = conn.execute(
            select(o.c.time_ms, o.c.fix_source, o.c.accuracy_m, o.c.lat, o.c.lon, o.c.valid)
            .order_by(o.c.time_ms)
        ).all()  # fmt: skip
    return [tuple(r) for r in rows]


def test_a_coarse_cell_fix_by_the_lot_fires_no_exit_a_clear_one_does(cells_world: World) -> None:
    """The first cell fix is centred 400 m outside the 300 m lot: as a point it would exit."""
    w, p = cells_world, cells_world.processor
    outcomes = [p.process([w.fix(T0 - 30_000, IN_LOT)])]
    outcomes.append(p.process([lbs(w, T0 - 20_000, LOT_CELL, UNKNOWN_CELL)]))
    assert open_alarms(w) == []
    outcomes.append(p.process([lbs(w, T0 - 10_000, FAR_CELL)]))
    assert open_alarms(w) == [("geofence_exit", "dealer-001-lot", False)]
    assert stored(w) == [
        (T0 - 30_000, "gps", None, 22.5431, 114.0579, True),
        (T0 - 20_000, "cell", 1500.0, 22.5431, 114.054, True),
        (T0 - 10_000, "cell", 1000.0, 22.5431, 114.00926, True),
    ]
    with w.engine.connect() as conn:
        details = conn.scalar(select(s.events.c.details).where(s.events.c.type == "geofence_exit"))
    assert details["accuracy_m"] == 1000.0
    positions = [m for outcome in outcomes for m in outcome.positions]  # the live feed
    assert [(m["fix_source"], m["accuracy_m"]) for m in positions] == [
        ("gps", None), ("cell", 1500.0), ("cell", 1000.0),
    ]  # fmt: skip


def test_gps_keeps_gps_with_hdop_accuracy_and_invalid_gps_is_kept_aside(
    cells_world: World,
) -> None:
    w, p = cells_world, cells_world.processor
    precise = msgspec.structs.replace(w.fix(T0 - 30_000, IN_LOT), attributes={"hdop": 1.2})
    with_cells = msgspec.structs.replace(
        w.fix(T0 - 20_000, IN_LOT), attributes={"cells": [FAR_CELL]}
    )
    stale = msgspec.structs.replace(
        w.fix(T0 - 10_000, IN_LOT), valid=False, attributes={"cells": [LOT_CELL]}
    )
    p.process([precise, with_cells, stale])
    assert [r[:3] for r in stored(w)] == [
        (T0 - 30_000, "gps", 6.0),
        (T0 - 20_000, "gps", None),  # a valid fix wins over the cells it hears
        (T0 - 10_000, "cell", 1500.0),
    ]
    with w.engine.connect() as conn:
        attributes = conn.scalar(
            select(s.observations.c.attributes).where(s.observations.c.time_ms == T0 - 10_000)
        )
    assert msgspec.json.decode(attributes) == {
        "cells": [LOT_CELL], "gps_lat": 22.5431, "gps_lon": 114.0579, "cells_used": 1,
    }  # fmt: skip


def test_unknown_or_malformed_cells_leave_the_observation_without_position(
    cells_world: World,
) -> None:
    w, p = cells_world, cells_world.processor
    broken = msgspec.structs.replace(
        lbs(w, T0 - 10_000), attributes={"cells": [{"mcc": "x"}, 7, None]}
    )
    p.process([lbs(w, T0 - 20_000, UNKNOWN_CELL), broken])
    assert stored(w) == [
        (T0 - 20_000, "none", None, None, None, False),
        (T0 - 10_000, "none", None, None, None, False),
    ]


def test_backfilled_cell_fixes_are_rechecked_with_their_accuracy(cells_world: World) -> None:
    w, p = cells_world, cells_world.processor
    p.process([lbs(w, T0 - 300_000, FAR_CELL)])
    w.clock.now = T0
    p.process([lbs(w, T0 - 1_000, FAR_CELL)])
    p.process(
        [
            lbs(w, T0 - 250_000, PAWN_AREA_CELL, batch=True),  # centre in, disc over the edge
            lbs(w, T0 - 200_000, FAR_CELL, batch=True),
        ]
    )
    assert open_alarms(w) == []
    p.process([lbs(w, T0 - 150_000, PAWN_CELL, batch=True)])  # 200 m disc inside the zone
    assert open_alarms(w) == [("geofence_enter", "pawn-zone", True)]
