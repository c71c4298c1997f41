"""Live state of devices and assets kept in memory by the (single) processor of a partition,
and persisted with every batch. Small: a few hundred bytes per device."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class DeviceState:
    device_id: int
    tenant_id: int
    last_time_ms: int | None = None  # newest device time of a live observation
    last_server_ms: int | None = None  # when the device last said anything
    next_expected_ms: int | None = None  # offline deadline
    online: bool = True
    active_alarms: frozenset[str] = frozenset()
    # the last status a heartbeat reported (battery, GSM level, charging...), and its time;
    # heartbeats are not stored as observations, so this is the only place they are kept
    status: dict[str, Any] | None = None
    status_ms: int | None = None

    def to_json(self) -> dict[str, Any]:
        state: dict[str, Any] = {"active_alarms": sorted(self.active_alarms)}
        if self.status is not None:
            state["status"], state["status_ms"] = self.status, self.status_ms
        return state

    @classmethod
    def from_row(cls, row: Any) -> DeviceState:
        state = row.state or {}
        return cls(
            device_id=row.device_id,
            tenant_id=row.tenant_id,
            last_time_ms=row.last_time_ms,
            last_server_ms=row.last_server_ms,
            next_expected_ms=row.next_expected_ms,
            online=bool(row.online),
            active_alarms=frozenset(state.get("active_alarms", ())),
            status=state.get("status"),
            status_ms=state.get("status_ms"),
        )


@dataclass(slots=True)
class AssetState:
    asset_id: int
    tenant_id: int
    device_id: int | None = None
    time_ms: int | None = None
    lat: float | None = None
    lon: float | None = None
    speed_kmh: float | None = None
    course: float | None = None
    inside: frozenset[int] | None = None  # ids of applicable places the asset is inside
    attributes: dict[str, Any] = field(default_factory=dict)
    stays: dict[str, Any] | None = None  # analytics.stays.StayDetector state
    blind: dict[str, Any] | None = None  # analytics.blind.BlindDetector state
    dwell: dict[str, Any] | None = None  # risk points alarmed for the current stay

    def to_json(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "inside": None if self.inside is None else sorted(self.inside),
            "attributes": self.attributes,
        }
        if self.stays is not None:
            state["stays"] = self.stays
        if self.blind is not None:
            state["blind"] = self.blind
        if self.dwell is not None:
            state["dwell"] = self.dwell
        return state

    @classmethod
    def from_row(cls, row: Any) -> AssetState:
        state = row.state or {}
        inside = state.get("inside")
        return cls(
            asset_id=row.asset_id,
            tenant_id=row.tenant_id,
            device_id=row.device_id,
            time_ms=row.time_ms,
            lat=row.lat,
            lon=row.lon,
            speed_kmh=row.speed_kmh,
            course=row.course,
            inside=None if inside is None else frozenset(inside),
            attributes=state.get("attributes", {}),
            stays=state.get("stays"),
            blind=state.get("blind"),
            dwell=state.get("dwell"),
        )
