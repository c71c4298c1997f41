"""The positioning stage on its own: GPS batches pass through untouched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from assetwatch.cells.catalogue import CellCatalogue
from assetwatch.model.observation import Observation
from assetwatch.pipeline.positioning import CellPositioning, heard_cells
from assetwatch.storage.engine import migrate, open_engine, sqlite_url


def gps(n: int, **kw: Any) -> Observation:
    return Observation(
        device_key="d", protocol="gt06", time_ms=n, server_time_ms=n, lat=22.5, lon=114.0, **kw
    )


def test_a_gps_batch_is_returned_as_is_without_any_query(tmp_path: Path) -> None:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    batch = [
        gps(n, attributes={"cells": [{"mcc": 1, "mnc": 1, "lac": 1, "ci": 1}]}) for n in range(3)
    ]
    assert CellPositioning(CellCatalogue(engine)).apply(batch) is batch
    assert statements == []
    with_hdop = [gps(1, attributes={"hdop": 0.8}), gps(2, attributes={"hdop": "bad"})]
    out = CellPositioning(CellCatalogue(engine)).apply(with_hdop)
    assert [o.accuracy_m for o in out] == [4.0, None]
    assert [o.accuracy_m for o in with_hdop] == [None, None]  # the input is not modified
    engine.dispose()


def test_heard_cells_keeps_the_well_formed_entries_in_order() -> None:
    value = [
        {"mcc": 460, "mnc": 0, "lac": 1, "ci": 2, "signal_dbm": -70},
        {"mcc": 460, "mnc": 0, "lac": 1},
        "junk",
        {"mcc": "460", "mnc": 1, "lac": 3, "ci": 4, "signal_dbm": None},
    ]
    assert heard_cells(value) == [((460, 0, 1, 2), -70.0), ((460, 1, 3, 4), None)]
    assert heard_cells({"mcc": 460}) == []
