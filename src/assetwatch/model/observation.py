"""The one normalized record that every protocol produces."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import msgspec


class ObservationKind(StrEnum):
    POSITION = "position"
    HEARTBEAT = "heartbeat"
    EVENT = "event"
    READING = "reading"  # a sensor reading (temperature, door, fuel...) without a fix


class FixSource(StrEnum):
    GPS = "gps"
    CELL = "cell"
    WIFI = "wifi"
    BLE = "ble"
    NONE = "none"


class Observation(msgspec.Struct, frozen=True, kw_only=True):
    """A position fix, sensor reading or device event, normalized.

    Times are integer milliseconds since the Unix epoch, UTC (``time_ms`` is the device's
    time, ``server_time_ms`` when the gateway received it). Units: degrees WGS-84, metres,
    km/h, degrees clockwise from north.

    ``attributes`` uses shared names (``battery_pct``, ``voltage_v``, ``ignition``,
    ``mileage_km``, ``fuel_l``, ``signal``, ``satellites``...) and keeps vendor fields under
    ``raw.*`` keys. ``alarms`` holds canonical :class:`~assetwatch.model.AlarmCode` values.
    Cell towers seen by the device go in ``attributes["cells"]``: a list of
    ``{"mcc": int, "mnc": int, "lac": int, "ci": int, "signal_dbm": int | None}``, serving
    cell first. The processor resolves them to a position (``fix_source = cell``, with
    ``accuracy_m``) when the fix itself is not valid.
    ``idem`` is an idempotency key: equal for a retransmission of the same report.
    ``batch`` marks data that arrived in a batch/backfill upload (e.g. JT/T 808 0x0704).
    ``untimed`` marks a report that came without a device time but with an idempotency id:
    ``time_ms`` is then the server's receive time, so a copy sent again is recognised by
    ``idem`` alone (see :mod:`assetwatch.pipeline.replay`).
    """

    device_key: str
    protocol: str
    time_ms: int
    server_time_ms: int
    kind: ObservationKind = ObservationKind.POSITION
    lat: float | None = None
    lon: float | None = None
    altitude_m: float | None = None
    speed_kmh: float | None = None
    course: float | None = None
    valid: bool = True
    fix_source: FixSource = FixSource.GPS
    accuracy_m: float | None = None
    alarms: tuple[str, ...] = ()
    attributes: dict[str, Any] = msgspec.field(default_factory=dict)
    idem: int = 0
    batch: bool = False
    untimed: bool = False

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lon is not None and self.valid
