"""The decode CLI's view of a position, shared by every protocol (``assetwatch decode``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from assetwatch.model.observation import Observation


def iso_utc(time_ms: int, *, milliseconds: bool = False) -> str:
    """Epoch ms → ``YYYY-MM-DDTHH:MM:SSZ`` (``.mmm`` before the Z with ``milliseconds``)."""
    moment = datetime.fromtimestamp(time_ms / 1000, UTC)
    if milliseconds:
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def position_json(
    observation: Observation, *, time_valid: bool = True, milliseconds: bool = False
) -> dict[str, Any]:
    """A position as the Observation holds it; ``time`` None when the device's was unusable.
    ``accuracy_m`` only for protocols that report one (``milliseconds`` ones: OsmAnd)."""
    view: dict[str, Any] = {
        "time": iso_utc(observation.time_ms, milliseconds=milliseconds) if time_valid else None,
        "lat": observation.lat,
        "lon": observation.lon,
        "altitude_m": observation.altitude_m,
        "speed_kmh": observation.speed_kmh,
        "course": observation.course,
    }
    if milliseconds:
        view["accuracy_m"] = observation.accuracy_m
    view["valid"] = observation.valid
    view["alarms"] = list(observation.alarms)
    view["attributes"] = observation.attributes
    return view
