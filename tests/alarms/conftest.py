"""A small portfolio with alarms at known times, on SQLite and on PostgreSQL.

Tenant ``bank-a``: org unit ``north`` with child ``south``; asset ``A1`` (north, dealer-1),
``A2`` (south, dealer-2), ``A3`` (no org unit, no contract), and one alarm without an asset.
Tenant ``bank-b`` has alarms of its own that bank-a's statistics must never count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, Table, insert

from assetwatch.model.scope import Scope
from assetwatch.storage.engine import ensure_tenant, migrate
from assetwatch.storage.schema import alarms, assets, contracts, counterparties, org_units
from tests.storage.conftest import migrated, postgres_engine, sqlite_engine  # noqa: F401


def ms(text: str) -> int:
    """``2026-03-01T08:00`` (UTC) → epoch milliseconds."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


@dataclass(frozen=True)
class Portfolio:
    engine: Engine
    bank_a: Scope
    bank_b: Scope
    north: int
    south: int


# asset, type, severity, status, profile, raised (UTC), s to ack, s to resolve, repeats
ALARMS_A = [
    ("A1", "geofence_exit", "medium", "resolved", "default", "2026-03-01T08:00", 60, 600, 1),
    ("A1", "geofence_exit", "medium", "false_positive", "default", "2026-03-01T15:59", 120, 300, 3),
    ("A2", "geofence_exit", "medium", "false_positive", "strict", "2026-03-01T16:00", None, 900, 1),
    ("A2", "offline", "medium", "acknowledged", "default", "2026-03-01T23:30", 300, None, 1),
    ("A1", "power_cut", "high", "open", "default", "2026-03-02T10:00", None, None, 2),
    ("A3", "sos", "critical", "resolved", "default", "2026-03-02T23:30", 30, 3600, 1),
    (None, "offline", "medium", "open", "default", "2026-03-02T12:00", None, None, 1),
]
ALARMS_B = [
    ("B1", "geofence_exit", "medium", "false_positive", "default", "2026-03-01T08:00", 5, 10, 1),
    ("B1", "tamper", "high", "resolved", "strict", "2026-03-01T23:45", 7, 70, 9),
]


def build(engine: Engine) -> Portfolio:
    with engine.begin() as conn:
        bank_a, bank_b = ensure_tenant(conn, "bank-a"), ensure_tenant(conn, "bank-b")

        def add(table: Table, **values: object) -> int:
            row = conn.execute(insert(table).values(**values)).inserted_primary_key
            assert row is not None
            return int(row[0])

        north = add(org_units, tenant_id=bank_a, key="north")
        south = add(org_units, tenant_id=bank_a, key="south", parent_id=north)
        ids: dict[str, int] = {}
        for tenant, key, unit, dealer in (
            (bank_a, "A1", north, "dealer-1"),
            (bank_a, "A2", south, "dealer-2"),
            (bank_a, "A3", None, None),
            (bank_b, "B1", None, "dealer-9"),
        ):
            contract = None
            if dealer is not None:
                party = add(
                    counterparties, tenant_id=tenant, key=dealer, kind="dealer", addresses=[]
                )
                contract = add(
                    contracts, tenant_id=tenant, key=f"C-{key}", kind="loan", counterparty_id=party
                )
            ids[key] = add(
                assets, tenant_id=tenant, key=key, kind="vehicle", org_unit_id=unit,
                contract_id=contract, attributes={},
            )  # fmt: skip
        for tenant, rows in ((bank_a, ALARMS_A), (bank_b, ALARMS_B)):
            for n, (asset, kind, severity, status, profile, raised, ack, res, count) in enumerate(
                rows
            ):
                created = ms(raised)
                add(
                    alarms, tenant_id=tenant, asset_id=ids[asset] if asset else None,
                    type=kind, subject=f"s{n}", status=status, severity=severity,
                    profile=profile, opened_ms=created - 5000, last_ms=created, count=count,
                    acknowledged_ms=None if ack is None else created + ack * 1000,
                    resolved_ms=None if res is None else created + res * 1000,
                    details={}, created_ms=created,
                )  # fmt: skip
    return Portfolio(engine, Scope(tenant_id=bank_a), Scope(tenant_id=bank_b), north, south)


@pytest.fixture(params=["sqlite", "postgresql"])
def portfolio(request: pytest.FixtureRequest) -> Portfolio:
    if request.param == "sqlite":
        return build(request.getfixturevalue("migrated"))
    engine: Engine = request.getfixturevalue("postgres_engine")
    migrate(engine)
    return build(engine)


@pytest.fixture
def sqlite_portfolio(migrated: Engine) -> Portfolio:  # noqa: F811
    return build(migrated)
