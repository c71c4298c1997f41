"""``/users`` and ``/api-keys``: an administrator's management of who may sign in.

Every change is in the audit log with before and after. A user or key is only created in the
administrator's own tenant, and org units are named by key.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.audit.log import record
from assetwatch.auth import api_keys, sessions
from assetwatch.auth import users as accounts
from assetwatch.auth.roles import Role
from assetwatch.storage.clock import now_ms

router = APIRouter(tags=["users"])


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")
    password: str = Field(min_length=1, max_length=1000)
    role: Role
    org_units: list[str] = Field(default_factory=list, description="granted subtrees, by key")
    tenant_wide: bool = Field(False, description="all org units (instead of org_units)")
    display_name: str = Field("", max_length=200)


class UserChange(BaseModel):
    role: Role | None = None
    disabled: bool | None = None
    password: str | None = Field(None, max_length=1000, description="a reset by the admin")
    org_units: list[str] | None = None
    tenant_wide: bool | None = None


class KeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Role
    org_units: list[str] = Field(default_factory=list)
    tenant_wide: bool = False
    expires_ms: int | None = Field(None, description="epoch ms after which it stops working")


@router.get("/users")
def list_users(engine: EngineDep, scope: ScopeDep) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return accounts.list_all(conn, scope=scope)


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, engine: EngineDep, scope: ScopeDep) -> dict[str, Any]:
    with engine.begin() as conn:
        user = accounts.create(
            conn, tenant_id=scope.tenant_id, username=body.username, password=body.password,
            role=body.role, now_ms=now_ms(), org_unit_keys=body.org_units,
            tenant_wide=body.tenant_wide, display_name=body.display_name,
        )  # fmt: skip
        record(conn, scope=scope, action="user.create", target=f"user:{body.username}",
               after=user)  # fmt: skip
    return user


@router.get("/users/{username}")
def get_user(username: str, engine: EngineDep, scope: ScopeDep) -> dict[str, Any]:
    with engine.connect() as conn:
        return accounts.get(conn, tenant_id=scope.tenant_id, username=username)


@router.patch("/users/{username}")
def change_user(
    username: str, body: UserChange, engine: EngineDep, scope: ScopeDep
) -> dict[str, Any]:
    """Change role, grants, disable, or reset the password (which revokes their logins)."""
    now = now_ms()
    with engine.begin() as conn:
        before, after = accounts.change(
            conn, tenant_id=scope.tenant_id, username=username, now_ms=now, role=body.role,
            disabled=body.disabled, password=body.password, org_unit_keys=body.org_units,
            tenant_wide=body.tenant_wide,
        )  # fmt: skip
        if body.password is not None or body.disabled:
            row = accounts.row_of(conn, tenant_id=scope.tenant_id, username=username)
            sessions.revoke_user(conn, row.id, now)
        details = {"password_reset": body.password is not None}
        record(conn, scope=scope, action="user.change", target=f"user:{username}",
               before=before, after=after, details=details)  # fmt: skip
    return after


@router.get("/api-keys")
def list_keys(engine: EngineDep, scope: ScopeDep) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return api_keys.list_all(conn, scope=scope)


@router.post("/api-keys", status_code=status.HTTP_201_CREATED)
def create_key(body: KeyCreate, engine: EngineDep, scope: ScopeDep) -> dict[str, Any]:
    """A new key: ``key`` is in this response only; only its hash is kept."""
    with engine.begin() as conn:
        described, key = api_keys.create(
            conn, tenant_id=scope.tenant_id, name=body.name, role=body.role, by=scope.actor,
            now_ms=now_ms(), org_unit_keys=body.org_units, tenant_wide=body.tenant_wide,
            expires_ms=body.expires_ms,
        )  # fmt: skip
        record(conn, scope=scope, action="api_key.create",
               target=f"key:{described['prefix']}", after=described)  # fmt: skip
    return {**described, "key": key}


@router.delete("/api-keys/{prefix}")
def revoke_key(prefix: str, engine: EngineDep, scope: ScopeDep) -> dict[str, Any]:
    with engine.begin() as conn:
        before = api_keys.revoke(conn, tenant_id=scope.tenant_id, prefix=prefix, now_ms=now_ms())
        after = api_keys.describe(conn, tenant_id=scope.tenant_id, prefix=prefix)
        record(conn, scope=scope, action="api_key.revoke", target=f"key:{prefix}",
               before=before, after=after)  # fmt: skip
    return after
