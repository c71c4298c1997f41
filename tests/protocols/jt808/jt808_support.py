"""Helpers shared by the JT/T 808 codec tests: vector data and the Observation invariant.

(A plain module rather than conftest.py so that tests can import it by a unique name.)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from assetwatch.model.observation import Observation

GMT8 = timezone(timedelta(hours=8))
EPOCH_2000_MS = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp() * 1000)
FROZEN_NOW_MS = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp() * 1000)
"""The fake server clock used with the vectors (their device times run up to mid-2026)."""
_DAY_PLUS_MS = 25 * 3600 * 1000


def load_vectors() -> list[dict[str, Any]]:
    path = Path(__file__).with_name("vectors.json")
    vectors: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))["vectors"]
    return vectors


def assert_observation_invariants(observation: Observation, now_ms: int = FROZEN_NOW_MS) -> None:
    """The one check every decoded Observation must pass (as traccar's decoder tests do)."""
    assert observation.protocol == "jt808"
    assert (observation.lat is None) == (observation.lon is None)
    if observation.lat is not None and observation.lon is not None:
        assert -90.0 <= observation.lat <= 90.0
        assert -180.0 <= observation.lon <= 180.0
    if observation.valid:
        assert observation.lat is not None
    assert observation.speed_kmh is None or observation.speed_kmh >= 0.0
    assert observation.course is None or 0.0 <= observation.course <= 0xFFFF
    assert EPOCH_2000_MS <= observation.time_ms <= now_ms + _DAY_PLUS_MS
    assert 0 <= observation.idem < 2**63
    assert all(isinstance(code, str) for code in observation.alarms)
    json.dumps(observation.attributes)  # attributes must stay JSON-serialisable
