"""The API's own audit entries: every write request, every export, every refusal.

Domain services write their entries (with before/after) in the transaction of the change;
this adds the request itself: who (the authorised principal, if any), from where, the method
and path, and the outcome by status code. It is written after the response, in a thread, and
a failure to write it is logged, never turned into a failed request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Final

from fastapi import FastAPI, Request, Response
from sqlalchemy import Engine

from assetwatch.api.deps import route_template
from assetwatch.audit.log import record
from assetwatch.auth.principal import Principal
from assetwatch.auth.routes import need_of

log = logging.getLogger(__name__)
WRITES: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
QUIET: Final = frozenset({"/api/v1/auth/login", "/api/v1/auth/refresh"})  # audited by themselves


def _outcome(status: int) -> str:
    return "ok" if status < 400 else "denied" if status in (401, 403) else "failed"


EXPORTS: Final = frozenset({"tracking:export", "evidence:export"})


def _exported(request: Request, status: int) -> bool:
    """A successful read of a route whose permission is an export one (auth.routes)."""
    if request.method != "GET" or status >= 400:
        return False
    return need_of(request.method, route_template(request)) in EXPORTS


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def audit_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        status = response.status_code
        path = request.url.path
        if path in QUIET or not (
            request.method in WRITES or status in (401, 403) or _exported(request, status)
        ):
            return response
        principal: Principal | None = getattr(request.state, "principal", None)
        engine: Engine = request.app.state.engine
        query = str(request.url.query)
        source = request.client.host if request.client else None

        def write() -> None:
            with engine.begin() as conn:
                record(
                    conn, scope=None,
                    tenant_id=principal.tenant_id if principal else None,
                    actor=principal.actor if principal else "anonymous",
                    action="export" if _exported(request, status) else "request",
                    target=f"{request.method} {path}", outcome=_outcome(status),
                    source=source, details={"status": status, "query": query},
                )  # fmt: skip

        try:
            await asyncio.to_thread(write)
        except Exception:  # noqa: BLE001 - the request already succeeded or failed
            log.exception("audit entry for %s %s not written", request.method, path)
        return response
