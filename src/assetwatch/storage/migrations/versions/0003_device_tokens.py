"""Device credentials for HTTP and MQTT ingestion.

``token_hash`` is the SHA-256 (hex) of the device's random token, compared in constant time
by the HTTP gateway; ``mqtt_password_hash`` is the same token in Mosquitto's password-file
form (PBKDF2-SHA512, ``$7$``), so the broker's password file can be regenerated at any time;
``token_issued_ms`` is when the token was issued. The token itself is never stored.

Revision ID: 0003
Revises: 0002
Create Date: 2026-02-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("token_hash", sa.String(64)),
    ("mqtt_password_hash", sa.String(200)),
    ("token_issued_ms", sa.BigInteger()),
)


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        for name, _type in reversed(COLUMNS):
            batch.drop_column(name)
