"""Typed FastAPI dependencies shared by every router."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy import Engine, select

from assetwatch.errors import NotFoundError
from assetwatch.model.scope import Scope
from assetwatch.storage.schema import tenants

TENANT_HEADER = "X-Assetwatch-Tenant"


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def get_scope(
    request: Request,
    engine: EngineDep,
    tenant: Annotated[str | None, Header(alias=TENANT_HEADER)] = None,
) -> Scope:
    """The caller's scope. Until issue 6 brings users, the tenant comes from the
    ``X-Assetwatch-Tenant`` header, or the server's default tenant."""
    key = tenant or request.app.state.default_tenant
    cache: dict[str, int] = request.app.state.tenant_ids
    if key not in cache:
        with engine.connect() as conn:
            tenant_id = conn.scalar(select(tenants.c.id).where(tenants.c.key == key))
        if tenant_id is None:
            raise NotFoundError(f"tenant {key!r} does not exist")
        cache[key] = tenant_id
    return Scope(tenant_id=cache[key], actor="api")


ScopeDep = Annotated[Scope, Depends(get_scope)]
