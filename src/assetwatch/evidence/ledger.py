"""Appending to and reading a tenant's evidence log, inside the caller's transaction.

One append is three cheap statements on the caller's connection (four for a tenant's first
entry): claim the tenant's head row, insert the entry, and move the head (hash and frontier).
Claiming is an ``UPDATE evidence_heads ... RETURNING`` on the tenant's row, which on PostgreSQL
takes the same row lock as ``SELECT ... FOR UPDATE`` (a concurrent append of the same tenant
waits for this transaction, then reads the head it left), and on SQLite takes the database's
write lock before the head is read (a plain SELECT first would read a head that another
connection may move before this one writes). Two appends therefore never see the same head,
and the unique ``(tenant_id, seq)`` makes a forked chain impossible to store even if they did.
This relies on READ COMMITTED, PostgreSQL's default isolation (under REPEATABLE READ the
waiting append fails with a serialization error instead, and its transaction must be retried).

The head keeps the tree's *frontier* (:func:`merkle.frontier_push`), so a checkpoint's root
costs O(log n), not a read of every leaf.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from assetwatch.errors import AssetwatchError
from assetwatch.evidence import merkle
from assetwatch.evidence.entries import (
    ZERO_HASH,
    canonical,
    check_kind_and_subject,
    entry_hash,
    make_entry,
    normalised,
)
from assetwatch.storage.schema import evidence_entries, evidence_heads


class LedgerCorrupt(AssetwatchError):
    """The stored log contradicts itself (a missing entry, a head that does not match)."""

    title = "Evidence ledger inconsistent"


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a tenant's log: ``body`` is exactly what was hashed into ``leaf_hash``."""

    seq: int
    kind: str
    subject: str
    time_ms: int
    record: dict[str, Any]
    prev: str
    leaf_hash: str

    @property
    def body(self) -> dict[str, Any]:
        return make_entry(
            seq=self.seq, kind=self.kind, subject=self.subject, time_ms=self.time_ms,
            record=self.record, prev=self.prev,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Head:
    """The tip of a tenant's log."""

    size: int
    head_hash: str
    frontier: list[bytes]

    @property
    def root(self) -> bytes:
        return merkle.frontier_root(self.frontier)


EMPTY_HEAD = Head(0, ZERO_HASH, [])


def insert_if_absent(conn: Connection, table: Table, values: dict[str, Any], key: str) -> bool:
    """``INSERT ... ON CONFLICT (key) DO NOTHING``; True when the row was inserted."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(values)
        .on_conflict_do_nothing(index_elements=[key])
        .returning(table.c[key])  # rowcount is not reliable here on psycopg
    )
    return conn.execute(statement).first() is not None


def append(
    conn: Connection, tenant_id: int, kind: str, subject: str, record: dict[str, Any],
    time_ms: int, *, now_ms: int | None = None,
) -> Entry:  # fmt: skip
    """Append one entry to the tenant's log in the caller's transaction and return it.

    ``kind`` is one of :data:`entries.KINDS`; ``subject`` names what the entry is about
    (:func:`entries.asset_subject` for an asset, which is what exports select); ``record`` is
    a JSON object; ``time_ms`` is when the recorded thing happened (epoch ms, UTC) and
    ``now_ms`` when it was recorded (default ``time_ms``).
    """
    check_kind_and_subject(kind, subject)
    record = normalised(record)
    head = _claim_head(conn, tenant_id, now_ms if now_ms is not None else time_ms)
    body = make_entry(
        seq=head.size, kind=kind, subject=subject, time_ms=time_ms, record=record,
        prev=head.head_hash,
    )  # fmt: skip
    text = canonical(body)
    leaf = merkle.leaf_hash(text)
    conn.execute(
        _INSERT,
        {
            "tenant_id": tenant_id, "seq": head.size, "kind": kind, "subject": subject,
            "time_ms": time_ms, "canonical": text.decode("utf-8"), "leaf_hash": leaf.hex(),
            "created_ms": now_ms if now_ms is not None else time_ms,
        },
    )  # fmt: skip
    frontier = merkle.frontier_push(head.frontier, head.size, leaf)
    conn.execute(
        _MOVE,
        {"tenant": tenant_id, "size": head.size + 1, "head": leaf.hex(),
         "frontier": [h.hex() for h in frontier]},
    )  # fmt: skip
    return Entry(head.size, kind, subject, time_ms, record, head.head_hash, leaf.hex())


_CLAIM = (
    update(evidence_heads)
    .where(evidence_heads.c.tenant_id == bindparam("tenant"))
    .values(updated_ms=bindparam("now"))
    .returning(evidence_heads.c.size, evidence_heads.c.head_hash, evidence_heads.c.frontier)
)  # the statements of an append are built once (SQLAlchemy memoises their cache keys)
_INSERT = evidence_entries.insert()
_MOVE = (
    update(evidence_heads)
    .where(evidence_heads.c.tenant_id == bindparam("tenant"))
    .values(size=bindparam("size"), head_hash=bindparam("head"), frontier=bindparam("frontier"))
)


def _claim_head(conn: Connection, tenant_id: int, now_ms: int) -> Head:
    """Lock the tenant's head row (creating it for the first entry) and read it."""
    for _ in range(2):
        row = conn.execute(_CLAIM, {"tenant": tenant_id, "now": now_ms}).first()
        if row is not None:
            return Head(int(row.size), row.head_hash, [bytes.fromhex(h) for h in row.frontier])
        first = {"tenant_id": tenant_id, "size": 0, "head_hash": ZERO_HASH, "frontier": []}
        if insert_if_absent(conn, evidence_heads, {**first, "updated_ms": now_ms}, "tenant_id"):
            return EMPTY_HEAD
    raise LedgerCorrupt(f"the evidence head of tenant {tenant_id} cannot be claimed")


def head(conn: Connection, tenant_id: int) -> Head:
    """The tenant's head as committed (an empty log when nothing was appended yet)."""
    row = conn.execute(
        select(evidence_heads.c.size, evidence_heads.c.head_hash, evidence_heads.c.frontier).where(
            evidence_heads.c.tenant_id == tenant_id
        )
    ).first()
    if row is None:
        return EMPTY_HEAD
    return Head(int(row.size), row.head_hash, [bytes.fromhex(h) for h in row.frontier])


def leaf_hashes(conn: Connection, tenant_id: int, size: int) -> list[bytes]:
    """The leaf hashes of the tenant's first ``size`` entries, in order (O(size))."""
    rows = conn.execute(
        select(evidence_entries.c.seq, evidence_entries.c.leaf_hash)
        .where((evidence_entries.c.tenant_id == tenant_id) & (evidence_entries.c.seq < size))
        .order_by(evidence_entries.c.seq)
    ).all()
    if len(rows) != size or (rows and int(rows[-1].seq) != size - 1):
        raise LedgerCorrupt(f"tenant {tenant_id}: {len(rows)} evidence entries below {size}")
    return [bytes.fromhex(r.leaf_hash) for r in rows]


def _to_entry(canonical_text: str, leaf: str) -> Entry:
    body = json.loads(canonical_text)
    return Entry(
        int(body["seq"]), body["kind"], body["subject"], int(body["time_ms"]), body["record"],
        body["prev"], leaf,
    )  # fmt: skip


def entries(
    conn: Connection, tenant_id: int, *, below: int, subject: str | None = None,
    kind: str | None = None, from_ms: int | None = None, to_ms: int | None = None,
) -> list[Entry]:  # fmt: skip
    """Entries with ``seq < below``, optionally of one subject or kind, with ``from_ms <=
    time_ms < to_ms``; in log order. Each is re-hashed: a stored entry whose bytes no longer
    match its leaf hash raises :class:`LedgerCorrupt`."""
    c = evidence_entries.c
    where = (c.tenant_id == tenant_id) & (c.seq < below)
    if subject is not None:
        where &= c.subject == subject
    if kind is not None:
        where &= c.kind == kind
    if from_ms is not None:
        where &= c.time_ms >= from_ms
    if to_ms is not None:
        where &= c.time_ms < to_ms
    found = []
    for row in conn.execute(select(c.canonical, c.leaf_hash).where(where).order_by(c.seq)):
        entry = _to_entry(row.canonical, row.leaf_hash)
        if entry_hash(entry.body).hex() != row.leaf_hash:
            raise LedgerCorrupt(f"tenant {tenant_id}: evidence entry {entry.seq} was altered")
        found.append(entry)
    return found
