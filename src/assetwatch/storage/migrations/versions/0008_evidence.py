"""The evidence ledger: per-tenant hash-chained Merkle logs, their heads, signed checkpoints
and the platform's signing keys.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant(table: str, *, primary: bool = False) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants"
        ),
        *([sa.PrimaryKeyConstraint("tenant_id", name=f"pk_{table}")] if primary else []),
    ]


def upgrade() -> None:
    op.create_table(
        "evidence_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_entries"),
        *_tenant("evidence_entries"),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("time_ms", sa.BigInteger(), nullable=False),
        sa.Column("canonical", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("tenant_id", "seq", name="uq_evidence_entries_tenant_id"),
    )
    op.create_index("ix_evidence_entries_tenant_id", "evidence_entries", ["tenant_id"])
    op.create_index(
        "ix_evidence_entries_subject", "evidence_entries", ["tenant_id", "subject", "seq"]
    )
    op.create_index("ix_evidence_entries_kind", "evidence_entries", ["tenant_id", "kind"])
    op.create_table(
        "evidence_heads",
        *_tenant("evidence_heads", primary=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("frontier", sa.JSON(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "evidence_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_checkpoints"),
        *_tenant("evidence_checkpoints"),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("time_ms", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(100), nullable=False),
    )
    op.create_index("ix_evidence_checkpoints_tenant_id", "evidence_checkpoints", ["tenant_id"])
    op.create_index("ix_evidence_checkpoints_size", "evidence_checkpoints", ["tenant_id", "size"])
    op.create_table(
        "evidence_keys",
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name="pk_evidence_keys"),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.UniqueConstraint("generation", name="uq_evidence_keys_generation"),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("retired_ms", sa.BigInteger(), nullable=True),
        sa.Column("endorsement", sa.Text(), nullable=True),
        sa.Column("endorsement_signature", sa.String(100), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("evidence_keys")
    op.drop_table("evidence_checkpoints")
    op.drop_table("evidence_heads")
    op.drop_table("evidence_entries")
