"""Device credentials: random tokens for HTTP and MQTT devices, shown once, stored hashed.

A token is 32 random bytes (URL-safe base64). The database keeps its SHA-256 (``token_hash``,
checked by the HTTP gateway in constant time) and, for MQTT devices, its Mosquitto
password-file hash (``mqtt_password_hash``, PBKDF2-SHA512 in ``mosquitto_passwd``'s ``$7$``
form) so the broker's password file can be written again at any time. Issuing a token
replaces the previous one at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, select, update

from assetwatch.model.scope import Scope
from assetwatch.registry.lookup import device_id_of
from assetwatch.storage.schema import devices

MOSQUITTO_ITERATIONS: Final = 1000
"""PBKDF2 rounds in generated password files (``mosquitto_passwd`` 2.0 writes 101)."""
MOSQUITTO_SALT_BYTES: Final = 12


@dataclass(frozen=True, slots=True)
class IssuedToken:
    device: str
    protocol: str
    token: str
    issued_ms: int


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 hex: the token is random and long, so a slow hash adds nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(presented: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(token_hash(presented), stored_hash)


def mosquitto_hash(
    password: str, *, salt: bytes | None = None, iterations: int = MOSQUITTO_ITERATIONS
) -> str:
    """``$7$<iterations>$<salt b64>$<hash b64>``: PBKDF2-HMAC-SHA512, 64-byte key, as
    ``mosquitto_passwd`` writes it (a password-file line is ``user:<this>``)."""
    salt = salt if salt is not None else secrets.token_bytes(MOSQUITTO_SALT_BYTES)
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def mosquitto_matches(password: str, hashed: str) -> bool:
    """Check ``password`` against a ``$7$`` hash (what Mosquitto does on CONNECT)."""
    try:
        _, kind, rounds, salt, key = hashed.split("$")
        expected = base64.b64decode(key)
        computed = hashlib.pbkdf2_hmac(
            "sha512", password.encode(), base64.b64decode(salt), int(rounds)
        )
    except ValueError:
        return False
    return kind == "7" and hmac.compare_digest(computed, expected)


def issue_token(
    conn: Connection, *, scope: Scope, key: str, protocol: str | None = None, now_ms: int
) -> IssuedToken:
    """A fresh token for device ``key`` in ``scope`` (replacing any earlier one)."""
    device_id = device_id_of(conn, scope=scope, key=key, protocol=protocol)
    device_protocol = conn.scalar(select(devices.c.protocol).where(devices.c.id == device_id))
    token = new_token()
    conn.execute(
        update(devices)
        .where(devices.c.id == device_id)
        .values(
            token_hash=token_hash(token),
            mqtt_password_hash=mosquitto_hash(token) if device_protocol == "mqtt" else None,
            token_issued_ms=now_ms,
        )
    )
    return IssuedToken(key, str(device_protocol), token, now_ms)


def revoke_token(conn: Connection, *, scope: Scope, key: str, protocol: str | None = None) -> None:
    """Remove the device's token: it can no longer authenticate with one."""
    device_id = device_id_of(conn, scope=scope, key=key, protocol=protocol)
    conn.execute(
        update(devices)
        .where(devices.c.id == device_id)
        .values(token_hash=None, mqtt_password_hash=None, token_issued_ms=None)
    )
