"""The platform's Ed25519 signing keys: ids, files, the chain of endorsements, rotation.

- A key's id is the hex of the first 16 bytes of SHA-256 of its raw 32-byte public key, so a
  verifier recomputes it and a bundle cannot rename a key.
- Private keys are PKCS#8 PEM files ``<data dir>/evidence-keys/<key id>.pem`` with mode 0600
  in a 0700 directory, created on first use. They are never logged, never stored in the
  database, and a file that group or others can read is refused. Public keys, with the
  endorsement that introduced each, are rows of ``evidence_keys``.
- Rotation: the active key signs an *endorsement* naming its successor (id, public key, time);
  the old key is retired at that time. A verifier follows these endorsements from the first
  key to the last (see :mod:`assetwatch.evidence.verify`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, insert, select, update

from assetwatch.errors import ConfigurationError, ConflictError
from assetwatch.evidence.entries import canonical
from assetwatch.evidence.ledger import insert_if_absent
from assetwatch.storage.schema import evidence_keys

KEY_DIR_NAME: Final = "evidence-keys"
ENDORSEMENT_FORMAT: Final = "assetwatch-key-endorsement"


def key_dir_of(data_dir: Path) -> Path:
    """Where the private keys live: ``<data_dir>/evidence-keys``."""
    return data_dir / KEY_DIR_NAME


def key_id_of(public_key: bytes) -> str:
    """Hex of the first 16 bytes of SHA-256(raw public key)."""
    return hashlib.sha256(public_key).hexdigest()[:32]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Canonical base64 → bytes; ``ValueError`` for anything else, including spellings that
    decode to the same bytes (non-zero padding bits), so every changed character counts."""
    data = base64.b64decode(text.encode("ascii"), validate=True)
    if b64(data) != text:
        raise ValueError("not canonical base64")
    return data


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def signature_valid(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Does ``signature`` verify ``message`` under the raw Ed25519 ``public_key``?"""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private key with its id; its repr never shows the key."""

    key_id: str
    generation: int
    private: Ed25519PrivateKey = field(repr=False)

    @property
    def public_key(self) -> bytes:
        return raw_public(self.private.public_key())

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


def endorsement_statement(
    *, key_id: str, public_key: bytes, previous_key_id: str, time_ms: int
) -> dict[str, Any]:
    """What a retiring key signs to introduce its successor."""
    return {
        "format": ENDORSEMENT_FORMAT,
        "v": 1,
        "key_id": key_id,
        "public_key": b64(public_key),
        "previous_key_id": previous_key_id,
        "time_ms": time_ms,
    }


class Keyring:
    """The signing keys of one platform: private files in ``directory``, public rows in
    ``evidence_keys``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def active(self, conn: Connection, *, now_ms: int, exclusive: bool = False) -> SigningKey:
        """The key that signs now; the first key is made on first use. The key's row is
        locked (shared, or ``exclusive`` to retire it) so a rotation waits for signatures
        in flight."""
        row = conn.execute(
            select(evidence_keys.c.key_id, evidence_keys.c.generation)
            .where(evidence_keys.c.retired_ms.is_(None))
            .order_by(evidence_keys.c.generation.desc())
            .limit(1)
            .with_for_update(read=not exclusive)
        ).first()
        if row is None:
            return self._first_key(conn, now_ms=now_ms, exclusive=exclusive)
        return SigningKey(row.key_id, int(row.generation), self._load(row.key_id))

    def _first_key(self, conn: Connection, *, now_ms: int, exclusive: bool) -> SigningKey:
        key = self._generate(generation=0)
        row = {
            "key_id": key.key_id, "generation": 0, "public_key": b64(key.public_key),
            "created_ms": now_ms,
        }  # fmt: skip
        if not insert_if_absent(conn, evidence_keys, row, "generation"):
            self._path(key.key_id).unlink(missing_ok=True)  # another process was first
            return self.active(conn, now_ms=now_ms, exclusive=exclusive)
        return key

    def rotate(self, conn: Connection, *, now_ms: int) -> tuple[SigningKey, SigningKey, str, str]:
        """Replace the active key: returns (old, new, endorsement, signature) where
        ``endorsement`` is the canonical statement the old key signed (base64 ``signature``).
        """
        old = self.active(conn, now_ms=now_ms, exclusive=True)
        new = self._generate(generation=old.generation + 1)
        statement = canonical(
            endorsement_statement(
                key_id=new.key_id, public_key=new.public_key, previous_key_id=old.key_id,
                time_ms=now_ms,
            )
        ).decode()  # fmt: skip
        signature = b64(old.sign(statement.encode()))
        retired = conn.execute(
            update(evidence_keys)
            .where((evidence_keys.c.key_id == old.key_id) & evidence_keys.c.retired_ms.is_(None))
            .values(retired_ms=now_ms)
        ).rowcount
        if retired != 1:
            raise ConflictError("the evidence signing key was rotated at the same time")
        conn.execute(
            insert(evidence_keys).values(
                key_id=new.key_id, generation=new.generation, public_key=b64(new.public_key),
                created_ms=now_ms, endorsement=statement, endorsement_signature=signature,
            )
        )  # fmt: skip
        return old, new, statement, signature

    def _path(self, key_id: str) -> Path:
        return self.directory / f"{key_id}.pem"

    def _generate(self, *, generation: int) -> SigningKey:
        private = Ed25519PrivateKey.generate()
        key_id = key_id_of(raw_public(private.public_key()))
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self._path(key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
        return SigningKey(key_id, generation, private)

    def _load(self, key_id: str) -> Ed25519PrivateKey:
        path = self._path(key_id)
        try:
            mode = path.stat().st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise ConfigurationError(
                    f"evidence key file {path} is accessible to others "
                    f"(mode {stat.S_IMODE(mode):04o}); run chmod 600 on it"
                )
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except FileNotFoundError as err:
            raise ConfigurationError(
                f"the evidence signing key {key_id} is not in {self.directory} (copy its "
                "file there from the node that made it)"
            ) from err
        except (ValueError, TypeError) as err:  # not PEM, or encrypted
            raise ConfigurationError(f"evidence key file {path} cannot be read") from err
        if not isinstance(private, Ed25519PrivateKey):
            raise ConfigurationError(f"evidence key file {path} is not an Ed25519 key")
        if key_id_of(raw_public(private.public_key())) != key_id:
            raise ConfigurationError(f"evidence key file {path} holds another key")
        return private


@dataclass(frozen=True, slots=True)
class PublicKey:
    """One link of the key chain, as a bundle carries it."""

    key_id: str
    public_key: str  # base64 raw Ed25519
    created_ms: int
    retired_ms: int | None
    endorsement: str | None  # canonical statement signed by the previous key
    endorsement_signature: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "algorithm": "ed25519",
            "public_key": self.public_key,
            "endorsement": self.endorsement,
            "endorsement_signature": self.endorsement_signature,
        }


def key_chain(conn: Connection) -> list[PublicKey]:
    """Every public key, first to newest."""
    rows = conn.execute(select(evidence_keys).order_by(evidence_keys.c.generation))
    return [
        PublicKey(
            r.key_id,
            r.public_key,
            int(r.created_ms),
            None if r.retired_ms is None else int(r.retired_ms),
            r.endorsement,
            r.endorsement_signature,
        )  # fmt: skip
        for r in rows
    ]
