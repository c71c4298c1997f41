"""Risk scoring (issue 7): the history of scores, and the lenders' versioned monitoring
profiles (scorecards copied from a preset)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from assetwatch.storage.tables_base import metadata, tenant_fk

risk_scores = Table(
    "risk_scores",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("asset_id", Integer, nullable=False),
    Column("time_ms", BigInteger, nullable=False),
    Column("preset", String(60), nullable=False),  # the scorecard (profile) it used
    Column("score", Float, nullable=False),
    Column("level", String(10), nullable=False),
    Column("features", JSON, nullable=False),  # name -> {value, points}
    Column("missing", JSON, nullable=False),
    Column("reasons", JSON, nullable=False),  # en sentences (zh-CN rendered on read)
    Index("ix_risk_scores_asset_time", "asset_id", "time_ms"),
)

monitoring_profiles = Table(
    "monitoring_profiles",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("key", String(60), nullable=False),
    Column("version", Integer, nullable=False),
    Column("copied_from", String(60), nullable=True),  # the preset it started as
    Column("scorecard", JSON, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    UniqueConstraint("tenant_id", "key", "version"),
)
