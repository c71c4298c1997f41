"""Device → asset bindings: history, not a field.

A binding holds over the half-open interval ``[valid_from_ms, valid_to_ms)``; ``valid_to_ms``
is ``None`` while it is still open. A device has at most one open binding; an asset may have
several devices (a wired and a wireless tracker). Binding a device again closes its open
binding at the new binding's start.

The hot path resolves bindings in batches: :func:`bindings_for_devices` reads the history of
many devices in a few queries and :func:`asset_at` bisects it in memory.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import Connection, insert, select, update

from assetwatch.errors import ConflictError
from assetwatch.model.scope import Scope
from assetwatch.registry.lookup import device_id_of, id_of
from assetwatch.storage.schema import assets, bindings

CHUNK = 500  # ids per IN (...) list; well under SQLite's variable limit


class BindingSpan(NamedTuple):
    """One binding of a device: ``[valid_from_ms, valid_to_ms)`` → ``asset_id``."""

    valid_from_ms: int
    valid_to_ms: int | None
    asset_id: int


class BindingRead(NamedTuple):
    """One binding as the API shows it: by asset key."""

    asset: str
    valid_from_ms: int
    valid_to_ms: int | None


def binding_at(conn: Connection, device_id: int, time_ms: int) -> int | None:
    """The asset bound to ``device_id`` at ``time_ms`` (epoch ms), or ``None``.

    One indexed lookup (``ix_bindings_device_from``): the latest binding starting at or
    before ``time_ms``, if it has not ended by then.
    """
    row = conn.execute(
        select(bindings.c.asset_id, bindings.c.valid_to_ms)
        .where((bindings.c.device_id == device_id) & (bindings.c.valid_from_ms <= time_ms))
        .order_by(bindings.c.valid_from_ms.desc())
        .limit(1)
    ).first()
    if row is None or (row.valid_to_ms is not None and time_ms >= row.valid_to_ms):
        return None
    return int(row.asset_id)


def bindings_for_devices(
    conn: Connection, device_ids: Iterable[int]
) -> dict[int, list[BindingSpan]]:
    """Binding history of each device, sorted by ``valid_from_ms`` (devices without any
    binding are absent)."""
    wanted = sorted(set(device_ids))
    result: dict[int, list[BindingSpan]] = {}
    for start in range(0, len(wanted), CHUNK):
        query = (
            select(
                bindings.c.device_id,
                bindings.c.valid_from_ms,
                bindings.c.valid_to_ms,
                bindings.c.asset_id,
            )
            .where(bindings.c.device_id.in_(wanted[start : start + CHUNK]))
            .order_by(bindings.c.device_id, bindings.c.valid_from_ms)
        )
        for row in conn.execute(query):
            span = BindingSpan(row.valid_from_ms, row.valid_to_ms, row.asset_id)
            result.setdefault(row.device_id, []).append(span)
    return result


def asset_at(spans: Sequence[BindingSpan], time_ms: int) -> int | None:
    """The asset of the span containing ``time_ms`` (``spans`` sorted by start), by bisection."""
    i = bisect.bisect_right(spans, time_ms, key=lambda span: span.valid_from_ms) - 1
    if i < 0:
        return None
    span = spans[i]
    if span.valid_to_ms is not None and time_ms >= span.valid_to_ms:
        return None
    return span.asset_id


def open_asset_id(conn: Connection, device_id: int) -> int | None:
    """The asset the device is bound to now (its open binding), if any."""
    found = conn.scalar(
        select(bindings.c.asset_id).where(
            (bindings.c.device_id == device_id) & bindings.c.valid_to_ms.is_(None)
        )
    )
    return None if found is None else int(found)


def bind_ids(
    conn: Connection, *, scope: Scope, device_id: int, asset_id: int, valid_from_ms: int
) -> bool:
    """Bind a device (already resolved in ``scope``) to an asset from ``valid_from_ms`` on,
    closing its open binding there. Returns ``False`` when it was already bound to that asset.

    ``ConflictError`` when the new binding would not start after every earlier one.
    """
    latest = conn.execute(
        select(bindings.c.id, bindings.c.asset_id, bindings.c.valid_from_ms, bindings.c.valid_to_ms)
        .where(bindings.c.device_id == device_id)
        .order_by(bindings.c.valid_from_ms.desc())
        .limit(1)
    ).first()
    if latest is not None:
        if latest.valid_to_ms is None and latest.asset_id == asset_id:
            return False
        if valid_from_ms <= latest.valid_from_ms or (
            latest.valid_to_ms is not None and valid_from_ms < latest.valid_to_ms
        ):
            raise ConflictError(
                f"a binding from {valid_from_ms} would overlap the binding history "
                f"(latest starts at {latest.valid_from_ms})"
            )
        if latest.valid_to_ms is None:
            conn.execute(
                update(bindings).where(bindings.c.id == latest.id).values(valid_to_ms=valid_from_ms)
            )
    conn.execute(
        insert(bindings).values(
            tenant_id=scope.tenant_id,
            device_id=device_id,
            asset_id=asset_id,
            valid_from_ms=valid_from_ms,
            valid_to_ms=None,
        )
    )
    return True


def unbind_id(conn: Connection, *, device_id: int, valid_to_ms: int) -> bool:
    """Close the device's open binding at ``valid_to_ms``; ``False`` if none was open."""
    open_row = conn.execute(
        select(bindings.c.id, bindings.c.valid_from_ms).where(
            (bindings.c.device_id == device_id) & bindings.c.valid_to_ms.is_(None)
        )
    ).first()
    if open_row is None:
        return False
    if valid_to_ms <= open_row.valid_from_ms:
        raise ConflictError(
            f"cannot end a binding at {valid_to_ms}: it starts at {open_row.valid_from_ms}"
        )
    conn.execute(
        update(bindings).where(bindings.c.id == open_row.id).values(valid_to_ms=valid_to_ms)
    )
    return True


def history_of(conn: Connection, *, scope: Scope, device_id: int) -> list[BindingRead]:
    """Every binding of a device in ``scope``, oldest first."""
    query = (
        select(assets.c.key, bindings.c.valid_from_ms, bindings.c.valid_to_ms)
        .select_from(bindings.join(assets, assets.c.id == bindings.c.asset_id))
        .where((bindings.c.tenant_id == scope.tenant_id) & (bindings.c.device_id == device_id))
        .order_by(bindings.c.valid_from_ms)
    )
    return [BindingRead(*row) for row in conn.execute(query)]


def bind(
    conn: Connection,
    *,
    scope: Scope,
    device_key: str,
    asset_key: str,
    valid_from_ms: int,
    protocol: str | None = None,
) -> bool:
    """Bind device ``device_key`` to asset ``asset_key`` from ``valid_from_ms`` (epoch ms) on,
    closing the device's open binding there. ``False`` when nothing had to change."""
    device_id = device_id_of(conn, scope=scope, key=device_key, protocol=protocol)
    asset_id = id_of(conn, assets, scope=scope, key=asset_key, what="asset")
    return bind_ids(
        conn, scope=scope, device_id=device_id, asset_id=asset_id, valid_from_ms=valid_from_ms
    )


def unbind(
    conn: Connection,
    *,
    scope: Scope,
    device_key: str,
    valid_to_ms: int,
    protocol: str | None = None,
) -> bool:
    """End the device's open binding at ``valid_to_ms``; ``False`` when none was open."""
    device_id = device_id_of(conn, scope=scope, key=device_key, protocol=protocol)
    return unbind_id(conn, device_id=device_id, valid_to_ms=valid_to_ms)


def history(
    conn: Connection, *, scope: Scope, device_key: str, protocol: str | None = None
) -> list[BindingRead]:
    """The binding history of a device, oldest first."""
    device_id = device_id_of(conn, scope=scope, key=device_key, protocol=protocol)
    return history_of(conn, scope=scope, device_id=device_id)
