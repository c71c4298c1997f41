"""``/audit``: the tenant's audit log for auditors, filtered and paged."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.audit.log import MAX_ROWS, AuditQuery, query
from assetwatch.tracking.service import parse_time

router = APIRouter(tags=["audit"])


@router.get("/audit")
def audit(
    engine: EngineDep,
    scope: ScopeDep,
    since: Annotated[str | None, Query(description="ISO 8601 or epoch ms")] = None,
    until: Annotated[str | None, Query(description="ISO 8601 or epoch ms")] = None,
    actor: str | None = None,
    action: Annotated[str | None, Query(description='exact, or a prefix ending in "."')] = None,
    target: str | None = None,
    after_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 200,
) -> list[dict[str, Any]]:
    q = AuditQuery(
        since_ms=parse_time(since, field="since"),
        until_ms=parse_time(until, field="until"),
        actor=actor, action=action, target=target, limit=limit, after_id=after_id,
    )  # fmt: skip
    with engine.connect() as conn:
        return query(conn, scope=scope, q=q)
