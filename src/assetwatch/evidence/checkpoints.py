"""Signed checkpoints of a tenant's log, and key rotation.

A checkpoint is the statement ``{"format": "assetwatch-checkpoint", "v": 1, "log": <tenant
key>, "size": n, "root": <hex Merkle root of the first n entries>, "time_ms": t, "key_id":
<signing key>}``; its canonical bytes are signed with the platform's active Ed25519 key, and
both the bytes and the base64 signature are stored. A checkpoint costs O(log n): the root comes
from the head's frontier.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, Engine, insert, select

from assetwatch.errors import NotFoundError
from assetwatch.evidence import ledger
from assetwatch.evidence.entries import PLATFORM_SUBJECT, canonical
from assetwatch.evidence.keys import Keyring, SigningKey, b64
from assetwatch.storage.schema import evidence_checkpoints, evidence_heads, tenants

CHECKPOINT_FORMAT: Final = "assetwatch-checkpoint"


def checkpoint_statement(
    *, log: str, size: int, root: str, time_ms: int, key_id: str
) -> dict[str, Any]:
    """What a checkpoint's signature covers."""
    return {
        "format": CHECKPOINT_FORMAT,
        "v": 1,
        "log": log,
        "size": size,
        "root": root,
        "time_ms": time_ms,
        "key_id": key_id,
    }


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed tree head of one tenant's log."""

    log: str
    size: int
    root: str  # hex
    time_ms: int
    key_id: str
    signature: str  # base64 Ed25519 over canonical(statement())

    def statement(self) -> dict[str, Any]:
        return checkpoint_statement(
            log=self.log, size=self.size, root=self.root, time_ms=self.time_ms,
            key_id=self.key_id,
        )  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        return {**self.statement(), "signature": self.signature}

    def statement_key(self) -> str:
        """One string per distinct signed checkpoint."""
        return canonical(self.as_json()).decode("utf-8")


def _from_row(statement: str, signature: str) -> Checkpoint:
    s = json.loads(statement)
    return Checkpoint(s["log"], s["size"], s["root"], s["time_ms"], s["key_id"], signature)


def tenant_key(conn: Connection, tenant_id: int) -> str:
    key = conn.scalar(select(tenants.c.key).where(tenants.c.id == tenant_id))
    if key is None:
        raise NotFoundError(f"tenant {tenant_id} does not exist")
    return str(key)


def make_checkpoint(
    conn: Connection,
    keyring: Keyring,
    tenant_id: int,
    *,
    now_ms: int,
    key: SigningKey | None = None,
) -> Checkpoint:
    """Sign the tenant's current head (in the caller's transaction) and store it."""
    key = key or keyring.active(conn, now_ms=now_ms)
    head = ledger.head(conn, tenant_id)
    statement = checkpoint_statement(
        log=tenant_key(conn, tenant_id), size=head.size, root=head.root.hex(), time_ms=now_ms,
        key_id=key.key_id,
    )  # fmt: skip
    text = canonical(statement)
    signature = b64(key.sign(text))
    conn.execute(
        insert(evidence_checkpoints).values(
            tenant_id=tenant_id, size=head.size, root=statement["root"], time_ms=now_ms,
            key_id=key.key_id, statement=text.decode("utf-8"), signature=signature,
        )
    )  # fmt: skip
    return _from_row(text.decode("utf-8"), signature)


def checkpoint_now(engine: Engine, keyring: Keyring, tenant_id: int, *, now_ms: int) -> Checkpoint:
    """One checkpoint of the tenant's log, in its own transaction."""
    with engine.begin() as conn:
        return make_checkpoint(conn, keyring, tenant_id, now_ms=now_ms)


def checkpoint_all(engine: Engine, keyring: Keyring, *, now_ms: int) -> list[Checkpoint]:
    """A checkpoint of every tenant whose log grew since its latest one: what a periodic job
    calls."""
    made = []
    with engine.begin() as conn:
        for tenant_id, size in conn.execute(
            select(evidence_heads.c.tenant_id, evidence_heads.c.size)
        ).all():
            last = latest(conn, int(tenant_id))
            if last is None or last.size < int(size):
                made.append(make_checkpoint(conn, keyring, int(tenant_id), now_ms=now_ms))
    return made


def latest(conn: Connection, tenant_id: int) -> Checkpoint | None:
    """The tenant's newest checkpoint (largest tree, then latest time)."""
    c = evidence_checkpoints.c
    row = conn.execute(
        select(c.statement, c.signature)
        .where(c.tenant_id == tenant_id)
        .order_by(c.size.desc(), c.time_ms.desc(), c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else _from_row(row.statement, row.signature)


def first_covering(conn: Connection, tenant_id: int, seq: int) -> Checkpoint | None:
    """The earliest checkpoint that includes entry ``seq``: when it was first witnessed."""
    c = evidence_checkpoints.c
    row = conn.execute(
        select(c.statement, c.signature)
        .where((c.tenant_id == tenant_id) & (c.size > seq))
        .order_by(c.size, c.time_ms, c.id)
        .limit(1)
    ).first()
    return None if row is None else _from_row(row.statement, row.signature)


@dataclass(frozen=True, slots=True)
class Rotation:
    old_key_id: str
    new_key_id: str
    checkpoints: list[Checkpoint]


def rotate_key(engine: Engine, keyring: Keyring, *, now_ms: int) -> Rotation:
    """Replace the platform's signing key. In one transaction: the old key endorses the new
    one; every tenant's log records the endorsement (a ``key_rotation`` entry), and a last
    checkpoint signed by the old key covers it. Later checkpoints use the new key."""
    with engine.begin() as conn:
        old, new, statement, signature = keyring.rotate(conn, now_ms=now_ms)
        record = {"endorsement": json.loads(statement), "signature": signature}
        made = []
        for (tenant_id,) in conn.execute(select(evidence_heads.c.tenant_id)).all():
            ledger.append(conn, int(tenant_id), "key_rotation", PLATFORM_SUBJECT, record, now_ms)
            made.append(make_checkpoint(conn, keyring, int(tenant_id), now_ms=now_ms, key=old))
    return Rotation(old.key_id, new.key_id, made)
