"""Password hashing (argon2id, RFC 9106 "second recommended" parameters) and the policy.

Hashes carry their parameters, so raising them later only re-hashes at the next login
(:func:`needs_rehash`). The policy is length first (NIST SP 800-63B): at least 12
characters, not one of a short list of well-known passwords, not the username.
"""

from __future__ import annotations

from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from assetwatch.errors import ValidationError

MIN_LENGTH: Final = 12
_HASHER: Final = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1)
_WELL_KNOWN: Final = frozenset(
    {
        "password1234", "123456789012", "qwertyuiopas", "administrator", "changeme1234",
        "assetwatch123", "passw0rd1234", "welcome12345", "letmein12345", "iloveyou1234",
    }
)  # fmt: skip
DUMMY_HASH: Final = _HASHER.hash("not a password of anyone's")
"""Verified against when the user does not exist, so both cases take the same time."""


def check_policy(password: str, username: str = "") -> None:
    """``ValidationError`` when the password is too weak to set."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(f"a password needs at least {MIN_LENGTH} characters")
    lowered = password.lower()
    if lowered in _WELL_KNOWN or len(set(password)) < 4:
        raise ValidationError("that password is too easy to guess")
    if username and username.lower() in lowered:
        raise ValidationError("a password must not contain the username")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)
