"""Tables of trajectory analytics (issue 5): stays and trips, found live by the processor
or by the retrospective re-analysis of a window that late data filled in."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, Table, false

from assetwatch.storage.tables_base import metadata, tenant_fk

stays = Table(
    "stays",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("asset_id", Integer, nullable=False),
    Column("start_ms", BigInteger, nullable=False),
    Column("end_ms", BigInteger, nullable=False),
    Column("lat", Float, nullable=False),  # centroid, WGS-84
    Column("lon", Float, nullable=False),
    Column("radius_m", Float, nullable=False),
    Column("points", Integer, nullable=False),
    Column("retrospective", Boolean, nullable=False, server_default=false()),
    Column("created_ms", BigInteger, nullable=False),
    Index("ix_stays_asset_start", "asset_id", "start_ms"),
)

trips = Table(
    "trips",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("asset_id", Integer, nullable=False),
    Column("start_ms", BigInteger, nullable=False),
    Column("end_ms", BigInteger, nullable=False),
    Column("distance_m", Float, nullable=False),
    Column("max_speed_kmh", Float, nullable=False),
    Column("avg_speed_kmh", Float, nullable=False),
    Column("points", Integer, nullable=False),
    Column("retrospective", Boolean, nullable=False, server_default=false()),
    Column("created_ms", BigInteger, nullable=False),
    Index("ix_trips_asset_start", "asset_id", "start_ms"),
)
