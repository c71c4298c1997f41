"""A registry change, recorded twice in its own transaction: in the audit log (who, before,
after) and in the evidence ledger as a ``state_change`` about the asset, so that an evidence
export shows, for example, the moment a tracker was moved from one car to another."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from assetwatch.audit.log import changed, plain
from assetwatch.evidence import ledger
from assetwatch.evidence.entries import asset_subject
from assetwatch.model.scope import Scope
from assetwatch.storage.clock import now_ms


def _subject(kind: str, key: str, before: Any, after: Any) -> str:
    if kind == "asset":
        return asset_subject(key)
    state = after if after is not None else before
    bound = state.get("asset") if isinstance(state, dict) else None
    return asset_subject(bound) if bound else f"device:{state['protocol']}/{key}"


def registry_changed(
    conn: Connection, scope: Scope, kind: str, action: str, key: str, before: Any, after: Any
) -> None:
    """``kind`` is ``asset`` or ``device``; ``action`` create, update or delete."""
    old, new = plain(before), plain(after)
    changed(conn, scope, f"{kind}.{action}", f"{kind}:{key}", old, new)
    record = {"what": kind, "key": key, "action": action, "actor": scope.actor,
              "before": old, "after": new}  # fmt: skip
    ledger.append(conn, scope.tenant_id, "state_change", _subject(kind, key, old, new), record,
                  now_ms())  # fmt: skip
    if (
        kind == "device"
        and old
        and new
        and old.get("asset") != new.get("asset")
        and old.get("asset")
    ):  # a tracker moved off a car: the car's own record says so too
        ledger.append(conn, scope.tenant_id, "state_change", asset_subject(old["asset"]),
                      record, now_ms())  # fmt: skip
