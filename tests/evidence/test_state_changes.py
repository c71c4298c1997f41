"""Registry changes are evidence: moving a tracker to another car is in both cars' records."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from assetwatch.api.app import create_app
from assetwatch.evidence import ledger
from assetwatch.live import LiveFeed
from assetwatch.observability import Metrics
from assetwatch.registry.provisioning import apply_text
from assetwatch.settings import Settings
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from assetwatch.storage.schema import tenants

FLEET = """
tenant: bank-e
assets:
  - {key: CAR-A, kind: vehicle}
  - {key: CAR-B, kind: vehicle}
devices:
  - {key: "013900000042", protocol: jt808, asset: CAR-A}
"""


def test_a_tracker_moved_between_cars_is_in_both_records(tmp_path: Path) -> None:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    apply_text(engine, FLEET, "fleet.yaml")
    settings = Settings(environment="development", default_tenant="bank-e", data_dir=tmp_path)
    client = TestClient(create_app(engine, LiveFeed(), Metrics(), settings))
    moved = client.patch("/api/v1/devices/013900000042", json={"asset": "CAR-B"})
    assert moved.status_code == 200, moved.text
    renamed = client.patch("/api/v1/assets/CAR-A", json={"name": "returned to dealer"})
    assert renamed.status_code == 200
    with engine.connect() as conn:
        tenant = int(conn.scalar(select(tenants.c.id).where(tenants.c.key == "bank-e")))
        a = ledger.entries(conn, tenant, below=10**9, subject="asset:CAR-A")
        b = ledger.entries(conn, tenant, below=10**9, subject="asset:CAR-B")
    assert [(e.kind, e.record["what"], e.record["action"]) for e in a] == [
        ("state_change", "device", "update"), ("state_change", "asset", "update"),
    ]  # fmt: skip
    assert a[0].record["before"]["asset"] == "CAR-A" and a[0].record["after"]["asset"] == "CAR-B"
    assert a[1].record["after"]["name"] == "returned to dealer"
    assert [e.record["key"] for e in b] == ["013900000042"]
    assert a[0].record["actor"] == "dev"
