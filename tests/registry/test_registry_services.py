"""Service CRUD for counterparties, contracts, assets and devices, and scope isolation."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, insert, select

from assetwatch.errors import ConflictError, NotFoundError, ValidationError
from assetwatch.model.scope import Scope
from assetwatch.registry import assets, contracts, counterparties, devices, org_units
from assetwatch.registry.models import (
    AssetCreate,
    AssetUpdate,
    ContractCreate,
    CounterpartyCreate,
    DeviceCreate,
    DeviceUpdate,
    OrgUnitCreate,
)
from assetwatch.storage.schema import QUARANTINE_TENANT_KEY, observations, tenants
from assetwatch.storage.schema import assets as assets_table
from assetwatch.storage.schema import devices as devices_table
from assetwatch.storage.schema import org_units as org_units_table


def _seed(conn: Connection, scope: Scope) -> None:
    counterparties.upsert(
        conn, scope=scope, data=CounterpartyCreate(key="dealer-1", kind="dealer", name="D1")
    )
    contracts.upsert(
        conn,
        scope=scope,
        data=ContractCreate(key="FP-1", kind="floor_plan", counterparty="dealer-1", amount=1e6),
    )
    assets.create(
        conn,
        scope=scope,
        data=AssetCreate(key="VIN1", kind="vehicle", contract="FP-1", value=158000),
    )


def test_asset_crud(engine: Engine, bank_a: Scope) -> None:
    with engine.begin() as conn:
        _seed(conn, bank_a)
        read = assets.get(conn, scope=bank_a, key="VIN1")
        assert (read.contract, read.counterparty, read.value, read.devices) == (
            "FP-1",
            "dealer-1",
            158000.0,
            [],
        )
        updated = assets.update(
            conn, scope=bank_a, key="VIN1", data=AssetUpdate(name="Model 3", contract=None)
        )
        assert (updated.name, updated.contract, updated.counterparty) == ("Model 3", None, None)
        assert [a.key for a in assets.get_all(conn, scope=bank_a, kind="vehicle")] == ["VIN1"]
        assert assets.get_all(conn, scope=bank_a, kind="site") == []
        with pytest.raises(ConflictError):
            assets.create(conn, scope=bank_a, data=AssetCreate(key="VIN1", kind="vehicle"))
        assets.delete(conn, scope=bank_a, key="VIN1")
        with pytest.raises(NotFoundError):
            assets.get(conn, scope=bank_a, key="VIN1")


def test_asset_references_are_checked(engine: Engine, bank_a: Scope) -> None:
    with engine.begin() as conn:
        _seed(conn, bank_a)
        with pytest.raises(ValidationError, match="unknown contract 'nope'"):
            assets.create(
                conn, scope=bank_a, data=AssetCreate(key="V2", kind="vehicle", contract="nope")
            )
        with pytest.raises(ValidationError, match="comes from its contract"):
            assets.create(
                conn,
                scope=bank_a,
                data=AssetCreate(key="V2", kind="vehicle", contract="FP-1", counterparty="x"),
            )
        ok = AssetCreate(key="V2", kind="vehicle", contract="FP-1", counterparty="dealer-1")
        assert assets.create(conn, scope=bank_a, data=ok).counterparty == "dealer-1"


def test_patch_refuses_null_for_required_fields() -> None:
    with pytest.raises(ValueError, match="kind cannot be null"):
        AssetUpdate.model_validate({"kind": None})
    assert AssetUpdate.model_validate({"contract": None}).changes() == {"contract": None}


def test_second_tenant_cannot_see_or_touch_the_first(
    engine: Engine, bank_a: Scope, bank_b: Scope
) -> None:
    with engine.begin() as conn:
        _seed(conn, bank_a)
        devices.create(
            conn,
            scope=bank_a,
            data=DeviceCreate(key="013912345678", protocol="jt808", asset="VIN1"),
            now_ms=1000,
        )
    with engine.begin() as conn:
        assert assets.get_all(conn, scope=bank_b) == []
        assert devices.get_all(conn, scope=bank_b) == []
        assert counterparties.get_all(conn, scope=bank_b) == []
        assert contracts.get_all(conn, scope=bank_b) == []
        for attempt in (
            lambda: assets.get(conn, scope=bank_b, key="VIN1"),
            lambda: assets.update(conn, scope=bank_b, key="VIN1", data=AssetUpdate(name="x")),
            lambda: assets.delete(conn, scope=bank_b, key="VIN1"),
            lambda: devices.get(conn, scope=bank_b, key="013912345678"),
            lambda: devices.update(
                conn, scope=bank_b, key="013912345678", data=DeviceUpdate(status="revoked")
            ),
            lambda: devices.delete(conn, scope=bank_b, key="013912345678"),
            lambda: counterparties.get(conn, scope=bank_b, key="dealer-1"),
            lambda: contracts.get(conn, scope=bank_b, key="FP-1"),
        ):
            with pytest.raises(NotFoundError):
                attempt()
        with pytest.raises(ConflictError, match="another tenant"):
            devices.create(
                conn, scope=bank_b, data=DeviceCreate(key="013912345678", protocol="jt808")
            )
        with pytest.raises(ValidationError, match="unknown contract"):
            assets.create(
                conn, scope=bank_b, data=AssetCreate(key="V9", kind="vehicle", contract="FP-1")
            )
    with engine.connect() as conn:
        assert devices.get(conn, scope=bank_a, key="013912345678").status == "active"
        assert assets.get(conn, scope=bank_a, key="VIN1").devices == ["013912345678"]


def test_same_external_key_in_two_tenants(engine: Engine, bank_a: Scope, bank_b: Scope) -> None:
    with engine.begin() as conn:
        _seed(conn, bank_a)
        _seed(conn, bank_b)
        assets.update(conn, scope=bank_b, key="VIN1", data=AssetUpdate(value=1.0))
        assert assets.get(conn, scope=bank_a, key="VIN1").value == 158000.0


def test_device_crud_and_binding_through_update(engine: Engine, bank_a: Scope) -> None:
    with engine.begin() as conn:
        _seed(conn, bank_a)
        created = devices.create(
            conn,
            scope=bank_a,
            data=DeviceCreate(key="013912345678", protocol="jt808", timezone="+0800"),
            now_ms=1000,
        )
        assert (created.asset, created.timezone, created.report_interval_s) == (None, "+08:00", 30)
        moved = devices.update(
            conn,
            scope=bank_a,
            key="013912345678",
            data=DeviceUpdate(asset="VIN1", report_interval_s=60),
            now_ms=2000,
        )
        assert (moved.asset, moved.report_interval_s) == ("VIN1", 60)
        freed = devices.update(
            conn, scope=bank_a, key="013912345678", data=DeviceUpdate(asset=None), now_ms=3000
        )
        assert freed.asset is None
        with pytest.raises(ConflictError, match="already exists"):
            devices.create(
                conn, scope=bank_a, data=DeviceCreate(key="013912345678", protocol="jt808")
            )
        devices.delete(conn, scope=bank_a, key="013912345678")
        assert devices.get_all(conn, scope=bank_a) == []


def test_a_key_shared_by_two_protocols_needs_the_protocol(engine: Engine, bank_a: Scope) -> None:
    with engine.begin() as conn:
        for protocol in ("jt808", "gt06"):
            devices.create(conn, scope=bank_a, data=DeviceCreate(key="123", protocol=protocol))
        with pytest.raises(ConflictError, match="say which protocol"):
            devices.get(conn, scope=bank_a, key="123")
        assert devices.get(conn, scope=bank_a, key="123", protocol="gt06").protocol == "gt06"


def test_device_with_observations_cannot_be_deleted(engine: Engine, bank_a: Scope) -> None:
    with engine.begin() as conn:
        devices.create(conn, scope=bank_a, data=DeviceCreate(key="7", protocol="osmand"))
        device_id = conn.scalar(select(devices_table.c.id))
        conn.execute(
            insert(observations).values(
                tenant_id=bank_a.tenant_id, device_id=device_id, time_ms=1, server_time_ms=1,
                kind="position", valid=True, fix_source="gps", idem=1,
            )
        )  # fmt: skip
        with pytest.raises(ConflictError, match="revoked"):
            devices.delete(conn, scope=bank_a, key="7")


def test_quarantined_devices_are_listed_and_claimed(engine: Engine, bank_a: Scope) -> None:
    with engine.begin() as conn:
        quarantine = conn.scalar(select(tenants.c.id).where(tenants.c.key == QUARANTINE_TENANT_KEY))
        conn.execute(
            insert(devices_table).values(
                tenant_id=quarantine, protocol="jt808", key="015500000001",
                status="quarantined", attributes={}, created_ms=5,
            )
        )  # fmt: skip
        listed = devices.get_all(conn, scope=bank_a, status="quarantined")
        assert [(d.key, d.status) for d in listed] == [("015500000001", "quarantined")]
        assert devices.get_all(conn, scope=bank_a) == []
        claimed = devices.create(
            conn, scope=bank_a, data=DeviceCreate(key="015500000001", protocol="jt808")
        )
        assert (claimed.status, claimed.created_ms) == ("active", 5)
        assert devices.get_all(conn, scope=bank_a, status="quarantined") == []


def test_org_units_limit_a_narrow_scope(engine: Engine, bank_a: Scope) -> None:
    with engine.begin() as conn:
        for unit in (
            OrgUnitCreate(key="south"),
            OrgUnitCreate(key="shenzhen", parent="south"),
            OrgUnitCreate(key="north"),
        ):
            org_units.upsert(conn, scope=bank_a, data=unit)
        for key, unit in (("V-SZ", "shenzhen"), ("V-N", "north"), ("V-HQ", None)):
            assets.create(
                conn, scope=bank_a, data=AssetCreate(key=key, kind="vehicle", org_unit=unit)
            )
        south = conn.scalar(select(org_units_table.c.id).where(org_units_table.c.key == "south"))
        narrow = Scope(tenant_id=bank_a.tenant_id, org_units=frozenset({south}))
        assert [a.key for a in assets.get_all(conn, scope=narrow)] == ["V-SZ"]
        with pytest.raises(NotFoundError):
            assets.get(conn, scope=narrow, key="V-N")
        assert len(assets.get_all(conn, scope=bank_a)) == 3


def test_upsert_reports_created_updated_unchanged(engine: Engine, bank_a: Scope) -> None:
    data = CounterpartyCreate(key="b-1", kind="borrower", name="Li")
    with engine.begin() as conn:
        assert counterparties.upsert(conn, scope=bank_a, data=data).action == "created"
        assert counterparties.upsert(conn, scope=bank_a, data=data).action == "unchanged"
        renamed = data.model_copy(update={"name": "Li Wei"})
        change = counterparties.upsert(conn, scope=bank_a, data=renamed)
        assert (change.action, change.fields) == ("updated", {"name": ("Li", "Li Wei")})


def test_device_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="unknown protocol 'tk103'"):
        DeviceCreate(key="1", protocol="tk103")
    with pytest.raises(ValueError, match="unknown time zone"):
        DeviceCreate(key="1", protocol="jt808", timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="out of range"):
        DeviceCreate(key="1", protocol="jt808", timezone="+15:00")
    assert DeviceCreate(key="1", protocol="jt808", timezone="Asia/Shanghai").timezone == (
        "Asia/Shanghai"
    )
    assert DeviceCreate(key="1", protocol="jt808", timezone="utc").timezone == "UTC"


def test_a_claimed_device_brings_its_quarantined_observations(
    engine: Engine, bank_a: Scope
) -> None:
    with engine.begin() as conn:
        quarantine = conn.scalar(select(tenants.c.id).where(tenants.c.key == QUARANTINE_TENANT_KEY))
        device_id = conn.execute(
            insert(devices_table).values(
                tenant_id=quarantine, protocol="jt808", key="015500000002",
                status="quarantined", attributes={}, created_ms=5,
            )
        ).inserted_primary_key[0]  # fmt: skip
        conn.execute(insert(observations), [
            {"tenant_id": quarantine, "device_id": device_id, "asset_id": None, "time_ms": t,
             "server_time_ms": t, "kind": "position", "lat": 22.5, "lon": 114.0, "valid": True,
             "fix_source": "gps", "idem": t}
            for t in (1_000, 2_000)
        ])  # fmt: skip
        assets.create(conn, scope=bank_a, data=AssetCreate(key="VIN-Q", kind="vehicle"))
        devices.create(
            conn, scope=bank_a, data=DeviceCreate(key="015500000002", protocol="jt808",
                                                  asset="VIN-Q"),
        )  # fmt: skip
        asset_id = conn.scalar(select(assets_table.c.id).where(assets_table.c.key == "VIN-Q"))
        rows = conn.execute(select(observations.c.tenant_id, observations.c.asset_id)).all()
    assert [tuple(r) for r in rows] == [(bank_a.tenant_id, asset_id)] * 2
