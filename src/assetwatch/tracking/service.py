"""Track and live-state queries, scoped to the caller's tenant."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from assetwatch.errors import NotFoundError, ValidationError
from assetwatch.model.scope import Scope
from assetwatch.registry.lookup import visible
from assetwatch.storage.schema import asset_state, assets, device_state, devices, observations

MAX_TRACK_POINTS = 100_000


def iso(ms: int | None) -> str | None:
    """Epoch ms → ISO-8601 UTC, with milliseconds only when there are any."""
    if ms is None:
        return None
    moment = datetime.fromtimestamp(ms // 1000, tz=UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{ms % 1000:03d}Z" if ms % 1000 else f"{text}Z"


def parse_time(text: str | None, *, field: str) -> int | None:
    """ISO-8601 (naive means UTC) or epoch milliseconds → epoch ms."""
    if text is None or text == "":
        return None
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise ValidationError(f"{field}: {text!r} is not an ISO-8601 time") from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def asset_id_of(engine: Engine, scope: Scope, key: str) -> int:
    """The id of the asset ``key`` in the caller's tenant; NotFoundError when there is none."""
    with engine.connect() as conn:
        asset_id = conn.scalar(
            select(assets.c.id).where(visible(assets, scope) & (assets.c.key == key))
        )
    if asset_id is None:
        raise NotFoundError(f"asset {key!r} does not exist")
    return int(asset_id)


def track(
    engine: Engine,
    *,
    scope: Scope,
    asset: str,
    from_ms: int | None = None,
    to_ms: int | None = None,
    limit: int = MAX_TRACK_POINTS,
) -> list[dict[str, Any]]:
    """The asset's fixes in time order (live and late alike), from the devices bound to it at
    each fix's time."""
    if from_ms is not None and to_ms is not None and from_ms > to_ms:
        raise ValidationError("from must not be after to")
    asset_id = asset_id_of(engine, scope, asset)
    o = observations
    query = (
        select(
            o.c.time_ms,
            o.c.lat,
            o.c.lon,
            o.c.altitude_m,
            o.c.speed_kmh,
            o.c.course,
            o.c.valid,
            o.c.fix_source,
            o.c.accuracy_m,
            o.c.alarms,
            o.c.attributes,
            o.c.late,
            o.c.server_time_ms,
            devices.c.key.label("device"),
        )
        .select_from(o.join(devices, devices.c.id == o.c.device_id))
        .where(visible(o, scope) & (o.c.asset_id == asset_id) & (o.c.kind == "position"))
        .order_by(o.c.time_ms)
        .limit(min(limit, MAX_TRACK_POINTS))
    )
    if from_ms is not None:
        query = query.where(o.c.time_ms >= from_ms)
    if to_ms is not None:
        query = query.where(o.c.time_ms <= to_ms)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "time": iso(r.time_ms),
            "lat": r.lat,
            "lon": r.lon,
            "altitude_m": r.altitude_m,
            "speed_kmh": r.speed_kmh,
            "course": r.course,
            "valid": bool(r.valid),
            "fix_source": r.fix_source,
            "accuracy_m": r.accuracy_m,
            "alarms": [a for a in r.alarms.split(",") if a],
            "late": bool(r.late),
            "device": r.device,
            "received": iso(r.server_time_ms),
            "attributes": json.loads(r.attributes) if r.attributes else {},
        }
        for r in rows
    ]


def live(engine: Engine, *, scope: Scope) -> list[dict[str, Any]]:
    """The latest live state of every asset in scope that has reported."""
    s = asset_state
    query = (
        select(
            assets.c.key,
            s.c.time_ms,
            s.c.lat,
            s.c.lon,
            s.c.speed_kmh,
            s.c.course,
            devices.c.key.label("device"),
            device_state.c.state.label("device_state"),
        )
        .select_from(
            s.join(assets, assets.c.id == s.c.asset_id)
            .outerjoin(devices, devices.c.id == s.c.device_id)
            .outerjoin(device_state, device_state.c.device_id == s.c.device_id)
        )
        .where(visible(s, scope))
        .order_by(assets.c.key)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "asset": r.key,
            "time": iso(r.time_ms),
            "lat": r.lat,
            "lon": r.lon,
            "speed_kmh": r.speed_kmh,
            "course": r.course,
            "device": r.device,
            **_device_status(r.device_state),
        }
        for r in rows
    ]


def _device_status(state: dict[str, Any] | None) -> dict[str, Any]:
    """The reporting device's last heartbeat status (battery, GSM...), when it sent one."""
    if not state or state.get("status") is None:
        return {"device_status": None, "device_status_time": None}
    return {"device_status": state["status"], "device_status_time": iso(state.get("status_ms"))}
