"""Positioning stage, before the rules: every observation leaves with a fix source and, when
known, an accuracy.

- A valid GPS fix stays ``gps``. Its accuracy is ``hdop × GPS_UERE_M`` when the device
  reported ``attributes["hdop"]`` and the codec set no accuracy, else ``None``.
- An observation without a valid fix but with ``attributes["cells"]`` becomes a ``cell`` fix:
  position and ``accuracy_m`` from :func:`assetwatch.cells.resolver.locate`. The invalid GPS
  coordinates the device may have sent are kept as ``attributes["gps_lat"/"gps_lon"]``.
- Anything else passes unchanged (no cells known: still no position).

Cost on the GPS hot path: two attribute reads and one dictionary lookup per observation.
The cells of the whole batch are looked up at once through the cached catalogue.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec

from assetwatch.cells.catalogue import CellCatalogue
from assetwatch.cells.resolver import CellKey, locate_known
from assetwatch.model.observation import FixSource, Observation

log = logging.getLogger(__name__)

GPS_UERE_M = 5.0
"""User-equivalent range error of a consumer GNSS receiver (m): accuracy ≈ HDOP × UERE."""

Heard = list[tuple[CellKey, float | None]]


def heard_cells(value: Any) -> Heard:
    """``attributes["cells"]`` as ``(key, signal dBm)`` pairs; malformed entries (a codec
    bug) are dropped rather than failing the batch."""
    heard: Heard = []
    if not isinstance(value, list):
        return heard
    for cell in value:
        try:
            key = (int(cell["mcc"]), int(cell["mnc"]), int(cell["lac"]), int(cell["ci"]))
            signal = cell.get("signal_dbm")
            heard.append((key, None if signal is None else float(signal)))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return heard


def with_hdop_accuracy(obs: Observation) -> Observation:
    try:
        accuracy = float(obs.attributes["hdop"]) * GPS_UERE_M
    except (TypeError, ValueError):
        return obs
    return msgspec.structs.replace(obs, accuracy_m=accuracy) if accuracy > 0 else obs


class CellPositioning:
    """Turns cell-only observations into positions; see the module docstring."""

    def __init__(self, catalogue: CellCatalogue):
        self.catalogue = catalogue

    def apply(self, observations: list[Observation]) -> list[Observation]:
        """``observations`` with fixes resolved (the same list when nothing changed)."""
        result = observations
        pending: list[tuple[int, Heard]] = []
        for n, obs in enumerate(observations):
            if obs.valid and obs.lat is not None:
                if obs.accuracy_m is None and "hdop" in obs.attributes:
                    if result is observations:
                        result = list(observations)
                    result[n] = with_hdop_accuracy(obs)
            elif "cells" in obs.attributes:
                heard = heard_cells(obs.attributes["cells"])
                if heard:
                    pending.append((n, heard))
        if not pending:
            return result
        known = self.catalogue.lookup(key for _, heard in pending for key, _ in heard)
        if result is observations:
            result = list(observations)
        for n, heard in pending:
            fix = locate_known(heard, known)
            if fix is None:
                continue
            obs = result[n]
            attributes = dict(obs.attributes)
            if obs.lat is not None and obs.lon is not None:
                attributes["gps_lat"], attributes["gps_lon"] = obs.lat, obs.lon
            attributes["cells_used"] = fix.cells_used
            result[n] = msgspec.structs.replace(
                obs,
                lat=fix.lat,
                lon=fix.lon,
                valid=True,
                fix_source=FixSource.CELL,
                accuracy_m=fix.accuracy_m,
                attributes=attributes,
            )
        return result
