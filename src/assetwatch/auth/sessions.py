"""Signing in: passwords (+ TOTP), access tokens, rotated refresh tokens, lockout.

* ``login`` checks the password in constant time whether or not the user exists, then the
  TOTP code if the user has one. Five failures in a row lock the user for 15 minutes.
* A login yields a short-lived access token and a refresh token. ``refresh`` spends the
  refresh token and returns a new pair; presenting a spent refresh token again means it was
  stolen, so the whole chain (the login's *family*) is revoked.
* ``logout`` revokes the family of the refresh token given.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, insert, select, update

from assetwatch.auth import passwords, totp
from assetwatch.auth.tokens import AccessClaims, InvalidToken, digest, issue_access, new_secret
from assetwatch.errors import UnauthorizedError
from assetwatch.storage.schema import refresh_tokens, users

MAX_FAILURES: Final = 5
LOCK_MS: Final = 15 * 60 * 1000
REFRESH_PREFIX: Final = "awr_"


@dataclass(frozen=True, slots=True)
class Lifetimes:
    access_s: int = 900
    refresh_s: int = 14 * 24 * 3600


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    username: str
    tenant_id: int


class LoginRefused(UnauthorizedError):
    """Wrong username, password or code, a locked or disabled user: one message for all."""


def login(
    conn: Connection, *, username: str, password: str, code: str | None, now_ms: int,
    secret: str, lifetimes: Lifetimes,
) -> TokenPair:  # fmt: skip
    row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        passwords.verify(passwords.DUMMY_HASH, password)
        raise LoginRefused("wrong username, password or code")
    if row.disabled or (row.locked_until_ms is not None and row.locked_until_ms > now_ms):
        raise LoginRefused("wrong username, password or code, or the user is locked")
    if not passwords.verify(row.password_hash, password) or not _second_factor(
        conn, row, code, now_ms
    ):
        _failed(conn, row, now_ms)
        raise LoginRefused("wrong username, password or code")
    values: dict[str, Any] = {"failed_logins": 0, "locked_until_ms": None}
    if passwords.needs_rehash(row.password_hash):
        values["password_hash"] = passwords.hash_password(password)
    conn.execute(update(users).where(users.c.id == row.id).values(**values))
    return _pair(conn, row, secrets.token_hex(16), now_ms, secret, lifetimes)


def _second_factor(conn: Connection, row: Any, code: str | None, now_ms: int) -> bool:
    if row.totp_secret is None or row.totp_last_step is None:  # not enrolled (or unconfirmed)
        return True
    step = totp.matching_step(row.totp_secret, code or "", now_ms / 1000, row.totp_last_step)
    if step is None:
        return False
    conn.execute(update(users).where(users.c.id == row.id).values(totp_last_step=step))
    return True


def _failed(conn: Connection, row: Any, now_ms: int) -> None:
    failures = row.failed_logins + 1
    locked = now_ms + LOCK_MS if failures >= MAX_FAILURES else None
    conn.execute(
        update(users)
        .where(users.c.id == row.id)
        .values(failed_logins=0 if locked else failures, locked_until_ms=locked)
    )


def _pair(
    conn: Connection, row: Any, family: str, now_ms: int, secret: str, lifetimes: Lifetimes
) -> TokenPair:
    now_s = now_ms // 1000
    claims = AccessClaims(row.id, row.tenant_id, row.role, now_s, now_s + lifetimes.access_s)
    refresh = new_secret(REFRESH_PREFIX)
    conn.execute(
        insert(refresh_tokens).values(
            user_id=row.id, token_hash=digest(refresh), family=family, issued_ms=now_ms,
            expires_ms=now_ms + lifetimes.refresh_s * 1000,
        )
    )  # fmt: skip
    return TokenPair(
        issue_access(secret, claims), refresh, lifetimes.access_s, row.username, row.tenant_id
    )


def refresh(
    conn: Connection, *, token: str, now_ms: int, secret: str, lifetimes: Lifetimes
) -> TokenPair:
    """Spend ``token`` for a new pair; a spent token again revokes its family (theft)."""
    held = conn.execute(
        select(refresh_tokens).where(refresh_tokens.c.token_hash == digest(token))
    ).first()
    if held is None or held.revoked_ms is not None or held.expires_ms <= now_ms:
        raise InvalidToken("refresh token refused: unknown, revoked or expired")
    if held.used_ms is not None:
        _revoke_family(conn, held.family, now_ms)
        raise InvalidToken("refresh token refused: already used; the login is revoked")
    row = conn.execute(select(users).where(users.c.id == held.user_id)).first()
    if row is None or row.disabled:
        raise InvalidToken("refresh token refused: the user is disabled")
    spent = conn.execute(
        update(refresh_tokens)
        .where((refresh_tokens.c.id == held.id) & refresh_tokens.c.used_ms.is_(None))
        .values(used_ms=now_ms)
    )
    if spent.rowcount != 1:  # a concurrent refresh won the race: treat as a second use
        _revoke_family(conn, held.family, now_ms)
        raise InvalidToken("refresh token refused: already used; the login is revoked")
    return _pair(conn, row, held.family, now_ms, secret, lifetimes)


def logout(conn: Connection, *, token: str, now_ms: int) -> bool:
    family = conn.scalar(
        select(refresh_tokens.c.family).where(refresh_tokens.c.token_hash == digest(token))
    )
    if family is None:
        return False
    _revoke_family(conn, family, now_ms)
    return True


def revoke_user(conn: Connection, user_id: int, now_ms: int) -> None:
    conn.execute(
        update(refresh_tokens)
        .where((refresh_tokens.c.user_id == user_id) & refresh_tokens.c.revoked_ms.is_(None))
        .values(revoked_ms=now_ms)
    )


def _revoke_family(conn: Connection, family: str, now_ms: int) -> None:
    conn.execute(
        update(refresh_tokens)
        .where((refresh_tokens.c.family == family) & refresh_tokens.c.revoked_ms.is_(None))
        .values(revoked_ms=now_ms)
    )
