"""Device trust: a JT/T 808 auth code belongs to one device only.

``devices.auth_code`` becomes unique (NULLs, devices that never registered, may repeat). Codes
are 64 random bits, so existing duplicates are all but impossible; should two devices share
one anyway, every device but the first (lowest id) loses it and registers again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "uq_devices_auth_code"


def upgrade() -> None:
    op.execute(
        "UPDATE devices SET auth_code = NULL WHERE auth_code IS NOT NULL AND id > ("
        "SELECT MIN(d.id) FROM devices AS d WHERE d.auth_code = devices.auth_code)"
    )
    with op.batch_alter_table("devices") as batch:
        batch.create_unique_constraint(CONSTRAINT, ["auth_code"])


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_constraint(CONSTRAINT, type_="unique")
