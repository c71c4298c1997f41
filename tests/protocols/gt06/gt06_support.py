"""Helpers shared by the GT06 codec tests: vector data and the Observation invariant.

(A plain module rather than conftest.py so that tests can import it by a unique name.)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assetwatch.model.observation import Observation

EPOCH_2000_MS = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp() * 1000)
FROZEN_NOW_MS = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp() * 1000)
"""The fake server clock used with the vectors (their device times run up to mid-2026)."""
_DAY_PLUS_MS = 25 * 3600 * 1000
_CELL_KEYS = {"mcc", "mnc", "lac", "ci", "signal_dbm"}


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(Path(__file__).with_name("vectors.json").read_text())
    return document


def load_vectors() -> list[dict[str, Any]]:
    vectors: list[dict[str, Any]] = _document()["vectors"]
    return vectors


def load_quirk_frames() -> list[dict[str, Any]]:
    quirks: list[dict[str, Any]] = _document()["quirk_frames"]
    return quirks


def assert_observation_invariants(observation: Observation, now_ms: int = FROZEN_NOW_MS) -> None:
    """The one check every decoded Observation must pass (as traccar's decoder tests do)."""
    assert observation.protocol == "gt06"
    assert (observation.lat is None) == (observation.lon is None)
    if observation.lat is not None and observation.lon is not None:
        assert -90.0 <= observation.lat <= 90.0
        assert -180.0 <= observation.lon <= 180.0
    if observation.valid:
        assert observation.lat is not None
    assert observation.speed_kmh is None or observation.speed_kmh >= 0.0
    assert observation.course is None or 0.0 <= observation.course < 1024
    assert EPOCH_2000_MS <= observation.time_ms <= now_ms + _DAY_PLUS_MS
    battery = observation.attributes.get("battery_pct")
    assert battery is None or 0 <= battery <= 100
    assert 0 <= observation.idem < 2**63
    assert all(isinstance(code, str) for code in observation.alarms)
    for cell in observation.attributes.get("cells", []):
        assert set(cell) == _CELL_KEYS
        assert cell["mcc"] > 0
    json.dumps(observation.attributes)  # attributes must stay JSON-serialisable
