"""API keys for integrations: ``awk_<prefix>_<secret>``, shown once, stored as SHA-256.

The prefix (8 hex digits) is not secret: it names the key in lists and in the audit log
(``key:<prefix>``). Each key has its own role and org-unit grants (or is tenant-wide, when
asked for explicitly), an optional expiry, and can be revoked at once.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import Connection, insert, select, update

from assetwatch.auth.principal import Principal
from assetwatch.auth.roles import check_role
from assetwatch.auth.tokens import InvalidToken, digest
from assetwatch.auth.users import grants_check, unit_ids
from assetwatch.errors import NotFoundError
from assetwatch.model.scope import Scope
from assetwatch.storage.schema import api_keys, org_units

KEY_PREFIX: Final = "awk_"
TOUCH_EVERY_MS: Final = 60_000  # last_used_ms is written at most once a minute


def create(
    conn: Connection, *, tenant_id: int, name: str, role: str, by: str, now_ms: int,
    org_unit_keys: Sequence[str] = (), tenant_wide: bool = False,
    expires_ms: int | None = None,
) -> tuple[dict[str, Any], str]:  # fmt: skip
    """The new key's description and the key itself (the only time it is shown)."""
    check_role(role)
    grants_check(org_unit_keys, tenant_wide)
    ids = unit_ids(conn, tenant_id, org_unit_keys)
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    conn.execute(
        insert(api_keys).values(
            tenant_id=tenant_id, prefix=prefix, key_hash=digest(key), name=name, role=role,
            org_unit_ids=ids, created_by=by, created_ms=now_ms, expires_ms=expires_ms,
        )
    )  # fmt: skip
    return describe(conn, tenant_id=tenant_id, prefix=prefix), key


def _view(conn: Connection, row: Any) -> dict[str, Any]:
    keys = conn.scalars(
        select(org_units.c.key).where(org_units.c.id.in_(row.org_unit_ids or []))
    ).all()
    return {
        "prefix": row.prefix, "name": row.name, "role": row.role,
        "org_units": sorted(keys), "tenant_wide": not row.org_unit_ids,
        "created_by": row.created_by, "created_ms": row.created_ms,
        "expires_ms": row.expires_ms, "revoked_ms": row.revoked_ms,
        "last_used_ms": row.last_used_ms,
    }  # fmt: skip


def describe(conn: Connection, *, tenant_id: int, prefix: str) -> dict[str, Any]:
    row = conn.execute(
        select(api_keys).where((api_keys.c.tenant_id == tenant_id) & (api_keys.c.prefix == prefix))
    ).first()
    if row is None:
        raise NotFoundError(f"API key {prefix!r} does not exist")
    return _view(conn, row)


def list_all(conn: Connection, *, scope: Scope) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(api_keys).where(api_keys.c.tenant_id == scope.tenant_id).order_by(api_keys.c.id)
    )
    return [_view(conn, row) for row in rows]


def revoke(conn: Connection, *, tenant_id: int, prefix: str, now_ms: int) -> dict[str, Any]:
    before = describe(conn, tenant_id=tenant_id, prefix=prefix)
    conn.execute(
        update(api_keys)
        .where(
            (api_keys.c.tenant_id == tenant_id)
            & (api_keys.c.prefix == prefix)
            & api_keys.c.revoked_ms.is_(None)
        )
        .values(revoked_ms=now_ms)
    )
    return before


def principal_of(conn: Connection, key: str, now_ms: int) -> Principal:
    """The caller an API key stands for; ``InvalidToken`` for a wrong, expired or revoked key."""
    parts = key.split("_")
    if len(parts) < 3 or f"{parts[0]}_" != KEY_PREFIX:
        raise InvalidToken("API key refused: malformed")
    row = conn.execute(select(api_keys).where(api_keys.c.prefix == parts[1])).first()
    if row is None or not hmac.compare_digest(row.key_hash, digest(key)):
        raise InvalidToken("API key refused: unknown")
    if row.revoked_ms is not None or (row.expires_ms is not None and row.expires_ms <= now_ms):
        raise InvalidToken("API key refused: revoked or expired")
    if row.last_used_ms is None or now_ms - row.last_used_ms >= TOUCH_EVERY_MS:
        conn.execute(update(api_keys).where(api_keys.c.id == row.id).values(last_used_ms=now_ms))
    units = frozenset(int(i) for i in row.org_unit_ids) or None
    return Principal(row.tenant_id, f"key:{row.prefix}", row.role, units, api_key_id=row.id)
