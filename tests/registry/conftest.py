from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from assetwatch.model.scope import Scope
from assetwatch.storage.engine import ensure_tenant

DATA = Path(__file__).with_name("data")


@pytest.fixture
def bank_a(engine: Engine) -> Scope:
    with engine.begin() as conn:
        return Scope(tenant_id=ensure_tenant(conn, "bank-a"))


@pytest.fixture
def bank_b(engine: Engine) -> Scope:
    with engine.begin() as conn:
        return Scope(tenant_id=ensure_tenant(conn, "bank-b"))
