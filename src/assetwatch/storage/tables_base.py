"""The shared metadata and column helpers of every table (see :mod:`.schema`)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

QUARANTINE_TENANT_KEY = "_quarantine"
OPEN_ALARM = "status NOT IN ('resolved', 'false_positive')"
"""An alarm that is still active: at most one per (tenant, asset, type, subject)."""


def tenant_fk() -> Column[int]:
    return Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False, index=True)
