"""What is drawn over a track: the asset's stays and its events, in the same time window.

Events come from the ``events`` table, stays from the ``stays`` table (via
:data:`STAYS_PROVIDER`, a :class:`StaysProvider`; tests may pass another).

Coordinates are WGS-84 degrees here; datums are applied on output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from sqlalchemy import Connection, Engine, Select, select

from assetwatch.analytics.model import Stay
from assetwatch.errors import ValidationError
from assetwatch.model.scope import Scope
from assetwatch.registry.lookup import visible
from assetwatch.storage.schema import devices, events, observations
from assetwatch.tracking import segments
from assetwatch.tracking.service import asset_id_of

MAX_OVERLAY_EVENTS: Final = 10_000


class StaysProvider(Protocol):
    """The asset's stays overlapping [from_ms, to_ms] (either end open when ``None``)."""

    def __call__(
        self,
        engine: Engine,
        *,
        scope: Scope,
        asset: str,
        from_ms: int | None,
        to_ms: int | None,
    ) -> list[Stay]: ...


STAYS_PROVIDER: StaysProvider | None = segments.stays
"""What the API and CLI use for stays: the ``stays`` table."""


@dataclass(frozen=True, slots=True)
class TrackEvent:
    """An event of the asset, placed on the map.

    ``lat``/``lon`` come from the event itself when the rule recorded where (geofence
    crossings), else from the asset's last valid fix at or before the event (the first one
    after when there is none before); ``located`` says which (``"event"``, ``"fix"``) or is
    ``None`` when the asset never had a position. ``details`` are the event's, without the
    ``lat``/``lon`` moved out of them.
    """

    time_ms: int
    type: str
    subject: str
    retrospective: bool
    device: str | None
    lat: float | None
    lon: float | None
    located: str | None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Overlay:
    stays: list[Stay] = field(default_factory=list)
    events: list[TrackEvent] = field(default_factory=list)

    def times(self) -> set[int]:
        """Epoch ms of every event, to keep the fixes they happened at."""
        return {e.time_ms for e in self.events}


def _window(query: Select[Any], from_ms: int | None, to_ms: int | None) -> Select[Any]:
    if from_ms is not None and to_ms is not None and from_ms > to_ms:
        raise ValidationError("from must not be after to")
    if from_ms is not None:
        query = query.where(events.c.time_ms >= from_ms)
    if to_ms is not None:
        query = query.where(events.c.time_ms <= to_ms)
    return query


def event_times(
    engine: Engine,
    *,
    scope: Scope,
    asset: str,
    from_ms: int | None = None,
    to_ms: int | None = None,
) -> set[int]:
    """Epoch ms of the asset's events in [from_ms, to_ms]: what simplification keeps when no
    overlay is drawn (cheaper than :func:`overlay`, which places each event)."""
    asset_id = asset_id_of(engine, scope, asset)
    query = select(events.c.time_ms).where(visible(events, scope) & (events.c.asset_id == asset_id))
    with engine.connect() as conn:
        return {int(t) for t in conn.scalars(_window(query, from_ms, to_ms))}


def overlay(
    engine: Engine,
    *,
    scope: Scope,
    asset: str,
    from_ms: int | None = None,
    to_ms: int | None = None,
    stays: StaysProvider | None = None,
    limit: int = MAX_OVERLAY_EVENTS,
) -> Overlay:
    """The asset's events (oldest first, at most ``limit``) in [from_ms, to_ms], and its stays
    from ``stays`` when given."""
    asset_id = asset_id_of(engine, scope, asset)
    query = (
        select(events, devices.c.key.label("device"))
        .select_from(events.outerjoin(devices, devices.c.id == events.c.device_id))
        .where(visible(events, scope) & (events.c.asset_id == asset_id))
        .order_by(events.c.time_ms, events.c.id)
        .limit(limit)
    )
    query = _window(query, from_ms, to_ms)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        found = [_placed(conn, scope.tenant_id, asset_id, row) for row in rows]
    found_stays = (
        []
        if stays is None
        else stays(engine, scope=scope, asset=asset, from_ms=from_ms, to_ms=to_ms)
    )
    return Overlay(stays=sorted(found_stays, key=lambda s: s.start_ms), events=found)


def _placed(conn: Connection, tenant_id: int, asset_id: int, row: Any) -> TrackEvent:
    details = dict(row.details or {})
    lat, lon = details.get("lat"), details.get("lon")
    located: str | None = "event"
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        del details["lat"], details["lon"]
    else:
        position = _fix_near(conn, tenant_id, asset_id, row.time_ms)
        lat, lon = position if position is not None else (None, None)
        located = None if position is None else "fix"
    return TrackEvent(
        time_ms=row.time_ms,
        type=row.type,
        subject=row.subject,
        retrospective=bool(row.retrospective),
        device=row.device,
        lat=None if lat is None else float(lat),
        lon=None if lon is None else float(lon),
        located=located,
        details=details,
    )


def _fix_near(
    conn: Connection, tenant_id: int, asset_id: int, time_ms: int
) -> tuple[float, float] | None:
    """The asset's last valid position at or before ``time_ms``, else its first after."""
    o = observations
    located = (
        select(o.c.lat, o.c.lon)
        .where(
            (o.c.tenant_id == tenant_id)
            & (o.c.asset_id == asset_id)
            & (o.c.kind == "position")
            & o.c.valid
            & o.c.lat.is_not(None)
            & o.c.lon.is_not(None)
        )
        .limit(1)
    )
    for query in (
        located.where(o.c.time_ms <= time_ms).order_by(o.c.time_ms.desc()),
        located.where(o.c.time_ms > time_ms).order_by(o.c.time_ms),
    ):
        row = conn.execute(query).first()
        if row is not None:
            return float(row.lat), float(row.lon)
    return None
