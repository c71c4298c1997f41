"""Two banks for the access tests: bank A with a north and a south branch, and bank B.

Everything of A's north branch carries a marker string, so a test can check that no response
to an outsider (B's admin, or an admin of A's south branch) contains any of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from assetwatch.alarms.service import raise_alarm
from assetwatch.api.app import create_app
from assetwatch.auth import api_keys, users
from assetwatch.commands import service as commands
from assetwatch.live import LiveFeed
from assetwatch.model.scope import Scope
from assetwatch.observability import Metrics
from assetwatch.registry.provisioning import apply_text
from assetwatch.risk import profiles
from assetwatch.settings import Settings
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from assetwatch.storage.schema import assets, devices, observations, org_units, tenants

SECRET = "kR7vQ2mX9pL4tW8zN1cF6hJ3sD5gB0aEyU"
PASSWORD = "a long enough pass phrase"
FLEET = """
tenant: bank-a
org_units:
  - {key: hq, name: 总行}
  - {key: north, name: 北区, parent: hq}
  - {key: south, name: 南区, parent: hq}
counterparties:
  - {key: CP-NORTH-7, kind: borrower, name: 北区借款人甲, org_unit: north}
  - {key: CP-SOUTH-1, kind: borrower, name: 南区借款人乙, org_unit: south}
contracts:
  - {key: LOAN-NORTH-7, kind: loan, counterparty: CP-NORTH-7}
  - {key: LOAN-SOUTH-1, kind: loan, counterparty: CP-SOUTH-1}
assets:
  - {key: VIN-NORTH-0007, kind: vehicle, contract: LOAN-NORTH-7, org_unit: north}
  - {key: VIN-SOUTH-0001, kind: vehicle, contract: LOAN-SOUTH-1, org_unit: south}
devices:
  - {key: "013977770007", protocol: jt808, asset: VIN-NORTH-0007}
  - {key: "013955550001", protocol: jt808, asset: VIN-SOUTH-0001}
places:
  - {key: PLACE-A-LOT, kind: allowed, applies_to: all,
     shape: {circle: {lat: 22.54, lon: 114.05, radius_m: 300}}}
"""
NORTH_MARKERS = ("VIN-NORTH-0007", "013977770007", "CP-NORTH-7", "LOAN-NORTH-7", "北区借款人甲")
TENANT_MARKERS = ("PLACE-A-LOT", "bank-a", "PROFILE-A")


@dataclass
class World:
    engine: Engine
    client: TestClient
    tenant_a: int
    tenant_b: int
    alarm_id: int
    command_id: int
    key_prefix: str
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def login(self, username: str, password: str = PASSWORD) -> str:
        response = self.client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        self.tokens[username] = token
        return token


def _unit(engine: Engine, tenant_id: int, key: str) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(org_units.c.id).where(
            (org_units.c.tenant_id == tenant_id) & (org_units.c.key == key))))  # fmt: skip


def _people(engine: Engine, a: int, b: int) -> str:
    with engine.begin() as conn:
        people = [
            (a, "admin-a", "admin", [], True), (a, "north-op", "operator", ["north"], False),
            (a, "north-officer", "risk_officer", ["north"], False),
            (a, "south-admin", "admin", ["south"], False), (a, "viewer-a", "viewer", [], True),
            (a, "auditor-a", "auditor", [], True), (b, "admin-b", "admin", [], True),
        ]  # fmt: skip
        for tenant, name, role, units, wide in people:
            users.create(conn, tenant_id=tenant, username=name, password=PASSWORD, role=role,
                         now_ms=0, org_unit_keys=units, tenant_wide=wide)  # fmt: skip
        described, _ = api_keys.create(conn, tenant_id=a, name="erp", role="viewer", by="test",
                                       now_ms=0, tenant_wide=True)  # fmt: skip
    return str(described["prefix"])


def _activity(engine: Engine, a: int) -> tuple[int, int]:
    """An observation, an alarm and a pending immobilisation on A's north car."""
    with engine.begin() as conn:
        asset_id, device_id = conn.execute(
            select(assets.c.id, devices.c.id)
            .select_from(assets.join(devices, devices.c.tenant_id == assets.c.tenant_id))
            .where((assets.c.key == "VIN-NORTH-0007") & (devices.c.key == "013977770007"))
        ).one()
        conn.execute(insert(observations), [
            {"tenant_id": a, "device_id": device_id, "asset_id": asset_id, "time_ms": t,
             "server_time_ms": t, "kind": "position", "lat": 22.54, "lon": 114.05,
             "valid": True, "fix_source": "gps", "idem": t}
            for t in (1_000_000, 1_060_000, 1_900_000)
        ])  # fmt: skip
        alarm = raise_alarm(conn, tenant_id=a, asset_id=asset_id, device_id=device_id,
                            alarm_type="geofence_exit", subject="PLACE-A-LOT", time_ms=1_900_000,
                            now_ms=1_900_000)  # fmt: skip
    scope = Scope(a, None, "user:north-op")
    with engine.begin() as conn:
        profiles.copy_preset(conn, scope=scope, preset="consumer_auto_loan", key="PROFILE-A",
                             now_ms=0)  # fmt: skip
    command = commands.create(engine, scope=scope, device="013977770007", kind="cut_oil",
                              params={}, now_ms=2_000_000, expires_in_s=3600,
                              requested_by="user:north-op")  # fmt: skip
    return alarm.id, int(command.id)


def build(tmp_path: Path, **settings: object) -> World:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    apply_text(engine, FLEET, "fleet.yaml")
    apply_text(engine, "tenant: bank-b\norg_units:\n  - {key: b-hq, name: B}\n", "b.yaml")
    with engine.connect() as conn:
        ids = {str(k): int(i) for k, i in conn.execute(select(tenants.c.key, tenants.c.id))}
    a, b = int(ids["bank-a"]), int(ids["bank-b"])
    prefix = _people(engine, a, b)
    alarm_id, command_id = _activity(engine, a)
    app = create_app(engine, LiveFeed(), Metrics(), Settings(secret_key=SECRET, **settings))
    return World(engine, TestClient(app), a, b, alarm_id, command_id, prefix)
