"""TOTP enrolment of a signed-in user: begin (a new secret), confirm (a first code), remove.

A secret only counts once a code from it was confirmed, so a user who scanned nothing is not
locked out; removing the second factor needs a valid code too.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from assetwatch.auth import totp
from assetwatch.errors import ConflictError, ValidationError
from assetwatch.storage.schema import users


def begin(conn: Connection, *, user_id: int) -> tuple[str, str]:
    """A new secret for the user (replacing an unconfirmed one): (secret, otpauth URI)."""
    row = conn.execute(select(users).where(users.c.id == user_id)).one()
    if row.totp_secret is not None and row.totp_last_step is not None:
        raise ConflictError("a second factor is already set up; remove it first")
    secret = totp.new_secret()
    conn.execute(
        update(users).where(users.c.id == user_id).values(totp_secret=secret, totp_last_step=None)
    )
    return secret, totp.provisioning_uri(secret, row.username)


def confirm(conn: Connection, *, user_id: int, code: str, now_ms: int) -> None:
    row = conn.execute(select(users).where(users.c.id == user_id)).one()
    if row.totp_secret is None:
        raise ConflictError("no second factor is being set up")
    step = totp.matching_step(row.totp_secret, code, now_ms / 1000, row.totp_last_step)
    if step is None:
        raise ValidationError("that code does not match; check the authenticator's clock")
    conn.execute(update(users).where(users.c.id == user_id).values(totp_last_step=step))


def remove(conn: Connection, *, user_id: int, code: str, now_ms: int) -> None:
    row = conn.execute(select(users).where(users.c.id == user_id)).one()
    if row.totp_secret is None or row.totp_last_step is None:
        raise ConflictError("no second factor is set up")
    if totp.matching_step(row.totp_secret, code, now_ms / 1000, row.totp_last_step) is None:
        raise ValidationError("that code does not match")
    conn.execute(
        update(users).where(users.c.id == user_id).values(totp_secret=None, totp_last_step=None)
    )
