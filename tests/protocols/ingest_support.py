"""The Observation invariant for the MQTT/HTTP codecs (JSON v1, OsmAnd), as traccar's decoder
tests check every decoded position."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from assetwatch.model.alarms import DEVICE_ALARMS
from assetwatch.model.observation import Observation

EPOCH_2000_MS = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp() * 1000)
NOW_MS = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp() * 1000)
"""The fake server clock of these tests."""
_DAY_PLUS_MS = 25 * 3600 * 1000


def assert_observation_invariants(observation: Observation, protocol: str) -> None:
    assert observation.protocol == protocol
    assert (observation.lat is None) == (observation.lon is None)
    if observation.lat is not None and observation.lon is not None:
        assert -90.0 <= observation.lat <= 90.0
        assert -180.0 <= observation.lon <= 180.0
    if observation.valid:
        assert observation.lat is not None
    assert observation.speed_kmh is None or observation.speed_kmh >= 0.0
    assert observation.course is None or 0.0 <= observation.course < 360.0
    assert observation.accuracy_m is None or observation.accuracy_m >= 0.0
    battery = observation.attributes.get("battery_pct")
    assert battery is None or 0 <= battery <= 100
    assert observation.time_ms >= EPOCH_2000_MS
    assert 0 < observation.idem < 2**63
    assert all(code in {c.value for c in DEVICE_ALARMS} for code in observation.alarms)
    json.dumps(observation.attributes)  # attributes stay JSON-serialisable
