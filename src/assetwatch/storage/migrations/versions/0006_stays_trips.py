"""Stays and trips of each asset (trajectory analytics).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _common(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants"
        ),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("start_ms", sa.BigInteger(), nullable=False),
        sa.Column("end_ms", sa.BigInteger(), nullable=False),
    ]


def _tail() -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("retrospective", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "stays",
        *_common("stays"),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        *_tail(),
    )
    op.create_table(
        "trips",
        *_common("trips"),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("max_speed_kmh", sa.Float(), nullable=False),
        sa.Column("avg_speed_kmh", sa.Float(), nullable=False),
        *_tail(),
    )
    for table in ("stays", "trips"):
        op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"])
        op.create_index(f"ix_{table}_asset_start", table, ["asset_id", "start_ms"])


def downgrade() -> None:
    op.drop_table("trips")
    op.drop_table("stays")
