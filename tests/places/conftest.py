from __future__ import annotations

import pytest
from sqlalchemy import Engine

from assetwatch.model.scope import Scope
from assetwatch.registry import assets, contracts, counterparties
from assetwatch.registry.models import AssetCreate, ContractCreate, CounterpartyCreate
from assetwatch.storage.engine import ensure_tenant


@pytest.fixture
def bank_a(engine: Engine) -> Scope:
    """A tenant with dealer ``dealer-1``, contract ``FP-1`` and asset ``VIN1`` under it."""
    with engine.begin() as conn:
        scope = Scope(tenant_id=ensure_tenant(conn, "bank-a"))
        counterparties.upsert(
            conn, scope=scope, data=CounterpartyCreate(key="dealer-1", kind="dealer")
        )
        contracts.upsert(
            conn,
            scope=scope,
            data=ContractCreate(key="FP-1", kind="floor_plan", counterparty="dealer-1"),
        )
        assets.create(
            conn, scope=scope, data=AssetCreate(key="VIN1", kind="vehicle", contract="FP-1")
        )
        assets.create(conn, scope=scope, data=AssetCreate(key="VIN2", kind="vehicle"))
    return scope


@pytest.fixture
def bank_b(engine: Engine) -> Scope:
    with engine.begin() as conn:
        return Scope(tenant_id=ensure_tenant(conn, "bank-b"))
