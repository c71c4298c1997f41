"""Places as the geofence rule consumes them: shapely geometry and applicability by id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from assetwatch.rules.geofence import Applicability, Fence, shape_to_geometry
from assetwatch.storage.schema import assets, counterparties, places


def applicability(
    applies_to: dict[str, Any],
    *,
    counterparty_ids: dict[str, int],
    asset_ids: dict[str, int],
) -> Applicability:
    """A stored ``applies_to`` with its keys resolved against one tenant's key → id maps
    (keys that no longer exist are dropped)."""
    if applies_to.get("all"):
        return Applicability(everyone=True)
    counterparty = applies_to.get("counterparty")
    named = applies_to.get("assets") or ([applies_to["asset"]] if "asset" in applies_to else [])
    return Applicability(
        counterparty_ids=frozenset(
            [counterparty_ids[counterparty]] if counterparty in counterparty_ids else []
        ),
        asset_ids=frozenset(asset_ids[key] for key in named if key in asset_ids),
    )


def load_fences(conn: Connection, *, tenant_id: int | None = None) -> list[Fence]:
    """Every place (of one tenant, or of all) as a :class:`Fence`, in three queries."""
    place_query = select(places)
    cp_query = select(counterparties.c.tenant_id, counterparties.c.key, counterparties.c.id)
    asset_query = select(assets.c.tenant_id, assets.c.key, assets.c.id)
    if tenant_id is not None:
        place_query = place_query.where(places.c.tenant_id == tenant_id)
        cp_query = cp_query.where(counterparties.c.tenant_id == tenant_id)
        asset_query = asset_query.where(assets.c.tenant_id == tenant_id)
    cp_ids: dict[int, dict[str, int]] = {}
    for row in conn.execute(cp_query):
        cp_ids.setdefault(row.tenant_id, {})[row.key] = row.id
    asset_ids: dict[int, dict[str, int]] = {}
    for row in conn.execute(asset_query):
        asset_ids.setdefault(row.tenant_id, {})[row.key] = row.id
    return [
        Fence(
            place_id=row.id,
            tenant_id=row.tenant_id,
            key=row.key,
            kind=row.kind,
            geometry=shape_to_geometry(row.shape),
            applies=applicability(
                row.applies_to,
                counterparty_ids=cp_ids.get(row.tenant_id, {}),
                asset_ids=asset_ids.get(row.tenant_id, {}),
            ),
        )
        for row in conn.execute(place_query.order_by(places.c.id))
    ]
