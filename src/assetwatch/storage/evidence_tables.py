"""Tables of the evidence ledger (docs/evidence.md): one append-only, hash-chained Merkle log
per tenant, its head, its signed checkpoints, and the platform's signing keys.

``evidence_keys`` is platform-wide and has no ``tenant_id``: one platform key signs every
tenant's checkpoints (docs/architecture.md, ADR-23). Its private halves are files in the data
directory, never rows.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from assetwatch.storage.tables_base import metadata, tenant_fk

evidence_entries = Table(
    "evidence_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("seq", BigInteger, nullable=False),  # leaf index in the tenant's tree, from 0
    Column("kind", String(40), nullable=False),  # evidence.entries.KINDS
    Column("subject", String(200), nullable=False),  # "asset:<key>", "platform", ...
    Column("time_ms", BigInteger, nullable=False),  # when the recorded thing happened
    Column("canonical", Text, nullable=False),  # the exact bytes hashed (UTF-8 JSON)
    Column("leaf_hash", String(64), nullable=False),  # hex; the next entry's "prev"
    Column("created_ms", BigInteger, nullable=False),
    UniqueConstraint("tenant_id", "seq"),  # a forked chain cannot be stored
    Index("ix_evidence_entries_subject", "tenant_id", "subject", "seq"),
    Index("ix_evidence_entries_kind", "tenant_id", "kind"),
)

evidence_heads = Table(
    "evidence_heads",
    metadata,
    Column("tenant_id", Integer, ForeignKey("tenants.id"), primary_key=True),
    Column("size", BigInteger, nullable=False),  # entries in the log
    Column("head_hash", String(64), nullable=False),  # leaf hash of the last entry
    Column("frontier", JSON, nullable=False),  # hex roots of the complete subtrees
    Column("updated_ms", BigInteger, nullable=False),
)

evidence_checkpoints = Table(
    "evidence_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("size", BigInteger, nullable=False),
    Column("root", String(64), nullable=False),  # hex Merkle root of the first `size` entries
    Column("time_ms", BigInteger, nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("statement", Text, nullable=False),  # the exact signed bytes (canonical JSON)
    Column("signature", String(100), nullable=False),  # base64 Ed25519
    Index("ix_evidence_checkpoints_size", "tenant_id", "size"),
)

evidence_keys = Table(
    "evidence_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),  # hex, first 16 bytes of SHA-256(key)
    Column("generation", Integer, nullable=False, unique=True),  # 0 = the first key
    Column("public_key", String(64), nullable=False),  # base64 raw Ed25519 public key
    Column("created_ms", BigInteger, nullable=False),
    Column("retired_ms", BigInteger, nullable=True),  # when its successor took over
    Column("endorsement", Text, nullable=True),  # predecessor's signed statement (canonical)
    Column("endorsement_signature", String(100), nullable=True),  # base64, by the predecessor
)
