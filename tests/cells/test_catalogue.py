"""The cached, batched catalogue lookup: SQL statements counted on the real engine."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, event

from assetwatch.cells.catalogue import CellCatalogue
from assetwatch.cells.importer import import_file
from assetwatch.cells.resolver import CatalogueCell
from tests.cells.conftest import GOOD, csv_text

SERVING = (460, 0, 9338, 3692)
LTE = (460, 0, 6243, 120458499)
UNKNOWN = (460, 0, 1, 1)


@dataclass
class FakeClock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def selects(engine: Engine) -> Iterator[list[str]]:
    """Every cell lookup that reaches the database."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("SELECT cells.mcc"):
            seen.append(statement)

    import_file(engine, io.BytesIO(csv_text(*GOOD)))
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_repeated_cells_are_served_from_the_cache(engine: Engine, selects: list[str]) -> None:
    catalogue = CellCatalogue(engine)
    first = catalogue.lookup([SERVING, LTE, UNKNOWN, SERVING])
    assert first == {
        SERVING: CatalogueCell(lat=22.5431, lon=114.0579, range_m=1000.0, radio="GSM"),
        LTE: CatalogueCell(lat=22.55, lon=114.06, range_m=500.0, radio="LTE"),
    }
    assert len(selects) == 1
    assert catalogue.lookup([LTE, UNKNOWN, SERVING]) == first
    assert len(selects) == 1  # known and unknown cells alike came from the cache
    assert (catalogue.hits, catalogue.misses) == (3, 3)


def test_unknown_cells_are_asked_again_after_their_short_ttl(
    engine: Engine, selects: list[str]
) -> None:
    clock = FakeClock()
    catalogue = CellCatalogue(engine, known_ttl_s=3600, unknown_ttl_s=60, clock=clock)
    catalogue.lookup([SERVING, UNKNOWN])
    import_file(engine, io.BytesIO(csv_text("GSM,460,0,1,1,,114.1,22.6,700,4,1,0,1700000001,0")))
    clock.now += 59
    assert UNKNOWN not in catalogue.lookup([SERVING, UNKNOWN])
    clock.now += 2
    assert catalogue.lookup([SERVING, UNKNOWN])[UNKNOWN].range_m == 700.0
    assert len(selects) == 2
    clock.now += 3600
    catalogue.lookup([SERVING])
    assert len(selects) == 3  # known entries expire too, after an hour


def test_least_recently_used_entries_are_evicted(engine: Engine, selects: list[str]) -> None:
    catalogue = CellCatalogue(engine, max_entries=2)
    catalogue.lookup([SERVING])
    catalogue.lookup([LTE])
    catalogue.lookup([SERVING])  # SERVING is now the most recently used
    catalogue.lookup([UNKNOWN])  # evicts LTE
    assert len(catalogue) == 2
    catalogue.lookup([SERVING, UNKNOWN])
    assert len(selects) == 3
    catalogue.lookup([LTE])
    assert len(selects) == 4


def test_many_missing_keys_are_fetched_in_chunks(engine: Engine, selects: list[str]) -> None:
    keys = [(460, 0, 7, n) for n in range(1200)] + [SERVING]
    assert list(CellCatalogue(engine).lookup(keys)) == [SERVING]
    assert len(selects) == 3  # 500 keys per query
