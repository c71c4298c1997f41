"""Recognising reports that arrive again: retransmissions after a lost answer, broker
redeliveries, replays of captured frames.

Observations are unique on ``(device_id, time_ms, idem)``: a copy of a stored report is
never stored twice (``ON CONFLICT DO NOTHING``, :mod:`~assetwatch.pipeline.writer`), and,
being no newer than the live state, it is late and fires no live alarm. Two cases need more:

- **two copies in one processor batch**: the second is dropped by :class:`Batch` before the
  rules see it (else the re-analysis of the first copy's window, run in the same
  transaction, would count its alarm a second time);
- **untimed reports** (:attr:`Observation.untimed`: an idempotency id but no device time):
  each copy gets its own receive time, so its key differs. A copy is recognised by
  ``(device, idem)`` among the device's reports of the last :data:`REPLAY_WINDOW_MS`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from assetwatch.model.observation import Observation
from assetwatch.storage.schema import observations

REPLAY_WINDOW_MS = 86_400_000
"""How long an untimed report's idempotency id is remembered (its receive time + 24 h)."""

BatchKey = tuple[int, int, int]
"""``(device_id, time_ms or -1 for untimed, idem)``: equal for two copies of one report."""


def batch_key(obs: Observation, device_id: int) -> BatchKey:
    return device_id, -1 if obs.untimed else obs.time_ms, obs.idem


def stored_untimed(
    conn: Connection, wanted: Iterable[tuple[int, int]], *, since_ms: int
) -> set[tuple[int, int]]:
    """The ``(device_id, idem)`` pairs of ``wanted`` stored at or after ``since_ms`` (one
    query per device, on the ``(device_id, time_ms, idem)`` index)."""
    by_device: dict[int, set[int]] = {}
    for device_id, idem in wanted:
        by_device.setdefault(device_id, set()).add(idem)
    found: set[tuple[int, int]] = set()
    for device_id, idems in by_device.items():
        rows = conn.execute(
            select(observations.c.idem).where(
                (observations.c.device_id == device_id)
                & (observations.c.time_ms >= since_ms)
                & observations.c.idem.in_(sorted(idems))
            )
        )
        found.update((device_id, int(idem)) for idem in rows.scalars())
    return found
