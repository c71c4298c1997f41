"""Access tokens (signed JWT, HS256, minutes) and the random secrets behind refresh tokens
and API keys (only their SHA-256 is stored).

An access token names the user, tenant, role and granted org units; it is checked by its
signature and expiry, and the user row is read once per request as well, so disabling a user
or changing their password ends their access tokens at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Final

import jwt

from assetwatch.errors import UnauthorizedError

ALGORITHM: Final = "HS256"
AUDIENCE: Final = "assetwatch-api"


class InvalidToken(UnauthorizedError):
    """A token that is malformed, badly signed, expired or revoked."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    tenant_id: int
    role: str
    issued_s: int
    expires_s: int


def issue_access(secret: str, claims: AccessClaims) -> str:
    payload: dict[str, Any] = {
        "sub": str(claims.user_id),
        "tid": claims.tenant_id,
        "role": claims.role,
        "iat": claims.issued_s,
        "exp": claims.expires_s,
        "aud": AUDIENCE,
        "typ": "access",
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def read_access(secret: str, token: str, now_s: float) -> AccessClaims:
    """The claims of a valid token; ``InvalidToken`` otherwise (expired included)."""
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "iat", "sub", "aud"], "verify_iat": False},
            leeway=0,
        )
    except jwt.PyJWTError as err:
        raise InvalidToken(f"access token refused: {err}") from None
    if payload.get("typ") != "access" or payload["exp"] <= now_s:
        raise InvalidToken("access token refused: expired")
    return AccessClaims(
        int(payload["sub"]), int(payload["tid"]), str(payload["role"]),
        int(payload["iat"]), int(payload["exp"]),
    )  # fmt: skip


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
