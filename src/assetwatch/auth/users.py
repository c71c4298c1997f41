"""Users: create (the first admin from the CLI), list, change role, grants, password, disable.

A user belongs to one tenant and has one role. ``org_units`` are the keys of the org-unit
subtrees granted; an empty list means tenant-wide and must be asked for explicitly
(``tenant_wide=True``), so a user created without grants never sees a whole bank by accident.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from assetwatch.auth import passwords
from assetwatch.auth.roles import check_role
from assetwatch.errors import ConflictError, NotFoundError, ValidationError
from assetwatch.model.scope import Scope
from assetwatch.storage.schema import org_units, tenants, user_org_units, users


def tenant_id_of(conn: Connection, key: str) -> int:
    found = conn.scalar(select(tenants.c.id).where(tenants.c.key == key))
    if found is None:
        raise NotFoundError(f"tenant {key!r} does not exist")
    return int(found)


def unit_ids(conn: Connection, tenant_id: int, keys: Sequence[str]) -> list[int]:
    """Ids of the tenant's org units ``keys``; ``ValidationError`` naming any unknown one."""
    rows = conn.execute(
        select(org_units.c.key, org_units.c.id).where(
            (org_units.c.tenant_id == tenant_id) & org_units.c.key.in_(keys)
        )
    ).all()
    found = {str(k): int(i) for k, i in rows}
    missing = sorted(set(keys) - set(found))
    if missing:
        raise ValidationError(f"unknown org unit(s): {', '.join(missing)}")
    return [found[k] for k in keys]


def grants_check(org_unit_keys: Sequence[str], tenant_wide: bool) -> None:
    if tenant_wide == bool(org_unit_keys):
        raise ValidationError("give org units to grant, or tenant_wide, exactly one of them")


def create(
    conn: Connection, *, tenant_id: int, username: str, password: str, role: str, now_ms: int,
    org_unit_keys: Sequence[str] = (), tenant_wide: bool = False, display_name: str = "",
) -> dict[str, Any]:  # fmt: skip
    """A new user; the password must pass :func:`passwords.check_policy`."""
    check_role(role)
    grants_check(org_unit_keys, tenant_wide)
    passwords.check_policy(password, username)
    if conn.scalar(select(users.c.id).where(users.c.username == username)) is not None:
        raise ConflictError(f"user {username!r} already exists")
    ids = unit_ids(conn, tenant_id, org_unit_keys)
    user_id = conn.execute(
        insert(users).values(
            tenant_id=tenant_id, username=username, display_name=display_name, role=role,
            password_hash=passwords.hash_password(password), created_ms=now_ms,
            password_changed_ms=now_ms,
        ).returning(users.c.id)
    ).scalar_one()  # fmt: skip
    for unit in ids:
        conn.execute(insert(user_org_units).values(user_id=user_id, org_unit_id=unit))
    return get(conn, tenant_id=tenant_id, username=username)


def granted(conn: Connection, user_id: int) -> frozenset[int] | None:
    """The user's granted org-unit ids, ``None`` when tenant-wide (no grants)."""
    ids = conn.scalars(
        select(user_org_units.c.org_unit_id).where(user_org_units.c.user_id == user_id)
    ).all()
    return frozenset(int(i) for i in ids) if ids else None


def _view(conn: Connection, row: Any) -> dict[str, Any]:
    keys = conn.scalars(
        select(org_units.c.key)
        .join(user_org_units, user_org_units.c.org_unit_id == org_units.c.id)
        .where(user_org_units.c.user_id == row.id)
        .order_by(org_units.c.key)
    ).all()
    return {
        "username": row.username, "display_name": row.display_name, "role": row.role,
        "org_units": list(keys), "tenant_wide": not keys, "disabled": row.disabled,
        "totp": row.totp_secret is not None and row.totp_last_step is not None,
        "created_ms": row.created_ms,
    }  # fmt: skip


def row_of(conn: Connection, *, tenant_id: int, username: str) -> Any:
    row = conn.execute(
        select(users).where((users.c.tenant_id == tenant_id) & (users.c.username == username))
    ).first()
    if row is None:
        raise NotFoundError(f"user {username!r} does not exist")
    return row


def get(conn: Connection, *, tenant_id: int, username: str) -> dict[str, Any]:
    return _view(conn, row_of(conn, tenant_id=tenant_id, username=username))


def list_all(conn: Connection, *, scope: Scope) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(users).where(users.c.tenant_id == scope.tenant_id).order_by(users.c.username)
    )
    return [_view(conn, row) for row in rows]


def change(
    conn: Connection, *, tenant_id: int, username: str, now_ms: int, role: str | None = None,
    disabled: bool | None = None, password: str | None = None,
    org_unit_keys: list[str] | None = None, tenant_wide: bool | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:  # fmt: skip
    """Change what is given; returns (before, after) for the audit log."""
    row = row_of(conn, tenant_id=tenant_id, username=username)
    before = _view(conn, row)
    values: dict[str, Any] = {}
    if role is not None:
        values["role"] = check_role(role)
    if disabled is not None:
        values["disabled"] = disabled
        values["failed_logins"], values["locked_until_ms"] = 0, None
    if password is not None:
        passwords.check_policy(password, username)
        values["password_hash"] = passwords.hash_password(password)
        values["password_changed_ms"] = now_ms  # ends the access tokens issued before
    if values:
        conn.execute(update(users).where(users.c.id == row.id).values(**values))
    if org_unit_keys is not None or tenant_wide is not None:
        keys = org_unit_keys or []
        grants_check(keys, bool(tenant_wide))
        ids = unit_ids(conn, tenant_id, keys)
        conn.execute(delete(user_org_units).where(user_org_units.c.user_id == row.id))
        for unit in ids:
            conn.execute(insert(user_org_units).values(user_id=row.id, org_unit_id=unit))
    return before, get(conn, tenant_id=tenant_id, username=username)
