"""The cell-tower catalogue (``cells``): global, keyed by (mcc, mnc, lac, cid).

Written by hand like 0001. The table has no ``tenant_id``: cell towers are public
infrastructure shared by every tenant (docs/architecture.md, ADR-14). On SQLite it is a
``WITHOUT ROWID`` table, so the primary key is the only B-tree an import writes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-15
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cells",
        sa.Column("mcc", sa.Integer(), nullable=False),
        sa.Column("mnc", sa.Integer(), nullable=False),
        sa.Column("lac", sa.Integer(), nullable=False),
        sa.Column("cid", sa.BigInteger(), nullable=False),
        sa.Column("radio", sa.String(5), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("range_m", sa.Integer(), nullable=False),
        sa.Column("samples", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("mcc", "mnc", "lac", "cid", name="pk_cells"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("cells")
