"""Typed FastAPI dependencies shared by every router: the engine, the caller, the scope.

:func:`authorize` runs for every route (an application-wide dependency). It looks the route
up in :mod:`assetwatch.auth.routes`, refuses routes missing from it, authenticates the caller
(a bearer access token, or an API key as ``Authorization: Bearer awk_...`` or
``X-API-Key``) and checks the role's permission. In development mode a call without
credentials acts as the admin of the ``X-Assetwatch-Tenant`` header's tenant (or the default
tenant): convenient on a laptop, refused by the settings in production.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, cast

from fastapi import Depends, Header, Request
from fastapi.routing import APIRoute
from sqlalchemy import Engine, select
from starlette.requests import HTTPConnection

from assetwatch.auth import api_keys
from assetwatch.auth.principal import Principal
from assetwatch.auth.routes import AUTHENTICATED, PUBLIC, need_of, needs_tenant_wide
from assetwatch.auth.tokens import read_access
from assetwatch.auth.users import granted
from assetwatch.errors import ForbiddenError, NotFoundError, UnauthorizedError
from assetwatch.model.scope import Scope
from assetwatch.settings import Settings
from assetwatch.storage.clock import now_ms
from assetwatch.storage.schema import tenants, users

API_PREFIX = "/api/v1"
TENANT_HEADER = "X-Assetwatch-Tenant"
API_KEY_HEADER = "X-API-Key"


def get_engine(request: HTTPConnection) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def source_of(connection: HTTPConnection) -> str | None:
    return connection.client.host if connection.client else None


def authenticate(
    connection: HTTPConnection, engine: Engine, credential: str | None, tenant: str | None
) -> Principal:
    """The caller named by ``credential`` (an access token or API key), or in development
    without one, the admin of ``tenant``; ``UnauthorizedError`` otherwise."""
    settings: Settings = connection.app.state.settings
    if not credential:
        if settings.environment != "development":
            raise UnauthorizedError("sign in: send 'Authorization: Bearer <token or API key>'")
        tenant_id = _tenant_id(connection, engine, tenant or settings.default_tenant)
        return Principal(tenant_id, "dev", "admin", None)
    now = now_ms()
    with engine.begin() as conn:
        if credential.startswith(api_keys.KEY_PREFIX):
            return api_keys.principal_of(conn, credential, now)
        claims = read_access(settings.token_secret, credential, now / 1000)
        row = conn.execute(select(users).where(users.c.id == claims.user_id)).first()
        if row is None or row.disabled or claims.issued_s < row.password_changed_ms // 1000:
            raise UnauthorizedError("access token refused: the user is disabled or changed")
        return Principal(
            row.tenant_id, f"user:{row.username}", row.role, granted(conn, row.id), user_id=row.id
        )


def _tenant_id(connection: HTTPConnection, engine: Engine, key: str) -> int:
    cache: dict[str, int] = connection.app.state.tenant_ids
    if key not in cache:
        with engine.connect() as conn:
            tenant_id = conn.scalar(select(tenants.c.id).where(tenants.c.key == key))
        if tenant_id is None:
            raise NotFoundError(f"tenant {key!r} does not exist")
        cache[key] = tenant_id
    return cache[key]


def credential_of(headers: Mapping[str, str]) -> str | None:
    """The bearer token or API key a request (or WebSocket handshake) carries, if any."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return headers.get(API_KEY_HEADER) or None


def route_template(request: Request) -> str:
    """The matched route's path template as the OpenAPI document has it. Routers are
    included under ``API_PREFIX`` (their routes know only their own path); routes of the app
    itself (``/healthz``) are listed in ``app.state.top_routes``."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return request.url.path
    top: frozenset[int] = getattr(request.app.state, "top_routes", frozenset())
    return route.path if id(route) in top else API_PREFIX + route.path


def authorize(
    connection: HTTPConnection,
    engine: EngineDep,
    tenant: Annotated[str | None, Header(alias=TENANT_HEADER, include_in_schema=False)] = None,
) -> Principal | None:
    """Every route's gatekeeper (see the module docstring); ``None`` on public routes and for
    WebSockets, which authenticate in their handler (a browser cannot send headers there)."""
    if connection.scope["type"] == "websocket":
        return None
    request = cast(Request, connection)
    template = route_template(request)
    need = need_of(request.method, template)
    if need is None:
        raise ForbiddenError(f"{request.method} {template} has no permission entry")
    if need == PUBLIC:
        return None
    principal = authenticate(request, engine, credential_of(request.headers), tenant)
    request.state.principal = principal  # for the audit trail, refused or not
    if need != AUTHENTICATED and not principal.can(need):
        raise ForbiddenError(f"role {principal.role} may not do this ({need})")
    if principal.org_units is not None and needs_tenant_wide(request.method, template, need):
        raise ForbiddenError("this needs tenant-wide access; the caller is limited to org units")
    return principal


def get_principal(principal: Annotated[Principal | None, Depends(authorize)]) -> Principal:
    """The authorised caller (``authorize`` runs once per request; FastAPI caches it)."""
    if principal is None:
        raise UnauthorizedError("this route needs a signed-in caller")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_scope(request: Request, principal: PrincipalDep) -> Scope:
    """The caller's scope, for the service layer: tenant, org units, actor and source."""
    return principal.scope(source_of(request))


ScopeDep = Annotated[Scope, Depends(get_scope)]


def acting(scope: Scope, claimed: str | None) -> str:
    """Who acts: the signed-in caller. Only in development mode without credentials (actor
    ``dev``) may a request name someone (``by``), so the four-eyes rule can be tried out."""
    return claimed if scope.actor == "dev" and claimed else scope.actor
