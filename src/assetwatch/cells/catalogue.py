"""Cell lookups for the hot path: an LRU cache in front of batched catalogue queries.

The processor asks once per batch for every cell its observations heard. Cached cells cost a
dictionary lookup; the rest are fetched in one ``SELECT … WHERE (mcc, mnc, lac, cid) IN
(VALUES …)`` per :data:`QUERY_CHUNK` keys. Unknown cells are cached too (most cells a fleet
hears repeatedly are the same few, known or not), but for a shorter time, so cells imported
while the platform runs start resolving within :data:`UNKNOWN_TTL_S`.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from sqlalchemy import Connection, Engine, select, tuple_

from assetwatch.cells.resolver import CatalogueCell, CellKey
from assetwatch.storage.schema import cells

QUERY_CHUNK = 500
MAX_ENTRIES = 100_000  # ≈ 45 MB at most (measured with tracemalloc)
KNOWN_TTL_S = 3600.0
UNKNOWN_TTL_S = 60.0


def find_cells(conn: Connection, keys: Iterable[CellKey]) -> dict[CellKey, CatalogueCell]:
    """The catalogue cells among ``keys`` (unknown keys are simply absent)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[CellKey, CatalogueCell] = {}
    key_columns = tuple_(cells.c.mcc, cells.c.mnc, cells.c.lac, cells.c.cid)
    for start in range(0, len(wanted), QUERY_CHUNK):
        chunk = wanted[start : start + QUERY_CHUNK]
        query = select(
            cells.c.mcc,
            cells.c.mnc,
            cells.c.lac,
            cells.c.cid,
            cells.c.lat,
            cells.c.lon,
            cells.c.range_m,
            cells.c.radio,
        ).where(key_columns.in_(chunk))
        for row in conn.execute(query):
            found[(row.mcc, row.mnc, row.lac, row.cid)] = CatalogueCell(
                lat=row.lat, lon=row.lon, range_m=float(row.range_m), radio=row.radio
            )
    return found


class CellCatalogue:
    """Cached lookups of the ``cells`` table for one processor (not thread-safe: the
    processor calls it from its one worker thread at a time)."""

    def __init__(
        self,
        engine: Engine,
        *,
        max_entries: int = MAX_ENTRIES,
        known_ttl_s: float = KNOWN_TTL_S,
        unknown_ttl_s: float = UNKNOWN_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.engine = engine
        self.max_entries = max_entries
        self.known_ttl_s, self.unknown_ttl_s = known_ttl_s, unknown_ttl_s
        self.clock = clock
        self._entries: OrderedDict[CellKey, tuple[float, CatalogueCell | None]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget everything (after an import in this process)."""
        self._entries.clear()

    def lookup(self, keys: Iterable[CellKey]) -> dict[CellKey, CatalogueCell]:
        """The known cells among ``keys``: from the cache, the rest in batched queries."""
        now = self.clock()
        entries = self._entries
        result: dict[CellKey, CatalogueCell] = {}
        missing: list[CellKey] = []
        for key in keys:
            entry = entries.get(key)
            if entry is None or entry[0] < now:
                missing.append(key)
                continue
            entries.move_to_end(key)
            self.hits += 1
            if entry[1] is not None:
                result[key] = entry[1]
        if missing:
            missing = list(dict.fromkeys(missing))
            self.misses += len(missing)
            with self.engine.connect() as conn:
                found = find_cells(conn, missing)
            for key in missing:
                cell = found.get(key)
                ttl = self.known_ttl_s if cell is not None else self.unknown_ttl_s
                entries[key] = (now + ttl, cell)
                entries.move_to_end(key)
                if cell is not None:
                    result[key] = cell
            while len(entries) > self.max_entries:
                entries.popitem(last=False)
        return result
