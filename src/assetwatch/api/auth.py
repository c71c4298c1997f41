"""``/auth``: sign in and out, refresh, who am I, change password, TOTP enrolment.

Failures of login and refresh are committed (the failure count, a revoked token family)
before the 401 goes out, and every attempt is in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine, select

from assetwatch.api.deps import EngineDep, PrincipalDep, ScopeDep, source_of
from assetwatch.audit.log import record
from assetwatch.auth import enrolment, passwords, sessions
from assetwatch.auth.roles import permissions_of
from assetwatch.auth.users import change as change_user
from assetwatch.errors import UnauthorizedError, ValidationError
from assetwatch.settings import Settings
from assetwatch.storage.clock import now_ms
from assetwatch.storage.schema import users

router = APIRouter(prefix="/auth", tags=["auth"])
T = TypeVar("T")


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    code: str | None = Field(None, max_length=10, description="TOTP code, if set up")


class Refresh(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class Tokens(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret
    expires_in: int = Field(description="seconds the access token lives")


class PasswordChange(BaseModel):
    current: str = Field(min_length=1, max_length=1000)
    new: str = Field(min_length=1, max_length=1000)


class Code(BaseModel):
    code: str = Field(min_length=6, max_length=10)


def _lifetimes(settings: Settings) -> sessions.Lifetimes:
    return sessions.Lifetimes(settings.access_token_ttl_s, settings.refresh_token_ttl_s)


def _committed(engine: Engine, work: Callable[[Connection], T], audit: Callable[..., None]) -> T:
    """Run ``work``; commit what it wrote even when it refuses the caller (then re-raise)."""
    with engine.connect() as conn:
        try:
            result = work(conn)
        except UnauthorizedError as err:
            audit(conn, outcome="denied", details={"reason": str(err)})
            conn.commit()
            raise
        audit(conn, outcome="ok", details={})
        conn.commit()
        return result


def _tokens(pair: sessions.TokenPair) -> Tokens:
    return Tokens(
        access_token=pair.access_token, refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
    )  # fmt: skip


@router.post("/login")
def login(body: Login, request: Request, engine: EngineDep) -> Tokens:
    """Password (and TOTP code) for an access token and a refresh token."""
    settings: Settings = request.app.state.settings
    source = source_of(request)

    def audit(conn: Connection, outcome: str, details: dict[str, Any]) -> None:
        tenant = conn.scalar(select(users.c.tenant_id).where(users.c.username == body.username))
        record(conn, scope=None, tenant_id=tenant, actor=f"user:{body.username}",
               action="login", outcome=outcome, source=source, details=details)  # fmt: skip

    pair = _committed(
        engine,
        lambda conn: sessions.login(
            conn,
            username=body.username,
            password=body.password,
            code=body.code,
            now_ms=now_ms(),
            secret=settings.token_secret,
            lifetimes=_lifetimes(settings),
        ),  # fmt: skip
        audit,
    )
    return _tokens(pair)


@router.post("/refresh")
def refresh(body: Refresh, request: Request, engine: EngineDep) -> Tokens:
    """A new token pair for a refresh token, which is spent (a second use revokes the login)."""
    settings: Settings = request.app.state.settings

    def audit(conn: Connection, outcome: str, details: dict[str, Any]) -> None:
        if outcome != "ok":  # successful refreshes are routine, not worth a row each
            record(conn, scope=None, actor="anonymous", action="token.refresh",
                   outcome=outcome, source=source_of(request), details=details)  # fmt: skip

    pair = _committed(
        engine,
        lambda conn: sessions.refresh(
            conn,
            token=body.refresh_token,
            now_ms=now_ms(),
            secret=settings.token_secret,
            lifetimes=_lifetimes(settings),
        ),  # fmt: skip
        audit,
    )
    return _tokens(pair)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(body: Refresh, engine: EngineDep) -> Response:
    """Revoke the login the refresh token belongs to (its access tokens expire on their own)."""
    with engine.begin() as conn:
        sessions.logout(conn, token=body.refresh_token, now_ms=now_ms())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me")
def me(principal: PrincipalDep) -> dict[str, Any]:
    return {
        "actor": principal.actor,
        "role": principal.role,
        "tenant_wide": principal.org_units is None,
        "permissions": sorted(permissions_of(principal.role)),
    }


def _user_id(principal: PrincipalDep) -> int:
    if principal.user_id is None:
        raise ValidationError("only a signed-in user (not an API key) has a password or TOTP")
    return principal.user_id


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChange, engine: EngineDep, principal: PrincipalDep,
                    scope: ScopeDep) -> Response:  # fmt: skip
    """Change one's own password; every refresh token of the user is revoked."""
    user_id = _user_id(principal)
    with engine.begin() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).one()
        if not passwords.verify(row.password_hash, body.current):
            raise ValidationError("the current password is wrong")
        change_user(conn, tenant_id=row.tenant_id, username=row.username, now_ms=now_ms(),
               password=body.new)  # fmt: skip
        sessions.revoke_user(conn, user_id, now_ms())
        record(conn, scope=scope, action="user.password", target=f"user:{row.username}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/totp")
def totp_begin(engine: EngineDep, principal: PrincipalDep) -> dict[str, str]:
    """Start TOTP enrolment: the secret and ``otpauth://`` URI for an authenticator app."""
    with engine.begin() as conn:
        secret, uri = enrolment.begin(conn, user_id=_user_id(principal))
    return {"secret": secret, "uri": uri}


@router.post("/totp/confirm", status_code=status.HTTP_204_NO_CONTENT)
def totp_confirm(body: Code, engine: EngineDep, principal: PrincipalDep,
                 scope: ScopeDep) -> Response:  # fmt: skip
    """Finish enrolment with a first code; from now on login needs a code."""
    with engine.begin() as conn:
        enrolment.confirm(conn, user_id=_user_id(principal), code=body.code, now_ms=now_ms())
        record(conn, scope=scope, action="user.totp.enable", target=principal.actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/totp", status_code=status.HTTP_204_NO_CONTENT)
def totp_remove(body: Code, engine: EngineDep, principal: PrincipalDep,
                scope: ScopeDep) -> Response:  # fmt: skip
    with engine.begin() as conn:
        enrolment.remove(conn, user_id=_user_id(principal), code=body.code, now_ms=now_ms())
        record(conn, scope=scope, action="user.totp.disable", target=principal.actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
