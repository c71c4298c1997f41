"""Binding history: bind, re-bind, unbind, and lookups at interval boundaries."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, select

from assetwatch.errors import ConflictError, NotFoundError
from assetwatch.model.scope import Scope
from assetwatch.registry import assets, bindings, devices
from assetwatch.registry.bindings import BindingSpan, asset_at, binding_at, bindings_for_devices
from assetwatch.registry.models import AssetCreate, DeviceCreate
from assetwatch.storage.schema import assets as assets_table
from assetwatch.storage.schema import devices as devices_table


def _fleet(conn: Connection, scope: Scope) -> tuple[int, int, int]:
    """Two assets and one device; returns (device_id, asset A id, asset B id)."""
    for key in ("A", "B"):
        assets.create(conn, scope=scope, data=AssetCreate(key=key, kind="vehicle"))
    devices.create(conn, scope=scope, data=DeviceCreate(key="D1", protocol="jt808"))
    ids = dict(conn.execute(select(assets_table.c.key, assets_table.c.id)).all())
    device_id = conn.scalar(select(devices_table.c.id).where(devices_table.c.key == "D1"))
    assert device_id is not None
    return device_id, ids["A"], ids["B"]


def test_rebinding_closes_the_open_binding(engine: Engine, bank_a: Scope) -> None:
    with engine.begin() as conn:
        device_id, a, b = _fleet(conn, bank_a)
        assert bindings.bind(conn, scope=bank_a, device_key="D1", asset_key="A", valid_from_ms=100)
        assert not bindings.bind(
            conn, scope=bank_a, device_key="D1", asset_key="A", valid_from_ms=150
        )
        assert bindings.bind(conn, scope=bank_a, device_key="D1", asset_key="B", valid_from_ms=200)
        assert bindings.unbind(conn, scope=bank_a, device_key="D1", valid_to_ms=300)
        assert not bindings.unbind(conn, scope=bank_a, device_key="D1", valid_to_ms=400)
        history = bindings.history(conn, scope=bank_a, device_key="D1")
        assert [tuple(h) for h in history] == [("A", 100, 200), ("B", 200, 300)]
        assert bindings_for_devices(conn, [device_id]) == {
            device_id: [BindingSpan(100, 200, a), BindingSpan(200, 300, b)]
        }


@pytest.mark.parametrize(
    ("time_ms", "expected"),
    [(99, None), (100, "A"), (199, "A"), (200, "B"), (299, "B"), (300, None), (10**13, None)],
)
def test_binding_at_boundaries(
    engine: Engine, bank_a: Scope, time_ms: int, expected: str | None
) -> None:
    with engine.begin() as conn:
        device_id, a, b = _fleet(conn, bank_a)
        bindings.bind(conn, scope=bank_a, device_key="D1", asset_key="A", valid_from_ms=100)
        bindings.bind(conn, scope=bank_a, device_key="D1", asset_key="B", valid_from_ms=200)
        bindings.unbind(conn, scope=bank_a, device_key="D1", valid_to_ms=300)
        want = {None: None, "A": a, "B": b}[expected]
        assert binding_at(conn, device_id, time_ms) == want
        spans = bindings_for_devices(conn, [device_id])[device_id]
        assert asset_at(spans, time_ms) == want


def test_an_open_binding_holds_forever(engine: Engine, bank_a: Scope) -> None:
    with engine.begin() as conn:
        device_id, a, _ = _fleet(conn, bank_a)
        bindings.bind(conn, scope=bank_a, device_key="D1", asset_key="A", valid_from_ms=100)
        assert binding_at(conn, device_id, 10**13) == a
        assert asset_at([BindingSpan(100, None, a)], 10**13) == a
        assert asset_at([], 5) is None


def test_history_cannot_overlap(engine: Engine, bank_a: Scope) -> None:
    with engine.begin() as conn:
        _fleet(conn, bank_a)
        bindings.bind(conn, scope=bank_a, device_key="D1", asset_key="A", valid_from_ms=100)
        with pytest.raises(ConflictError):
            bindings.bind(conn, scope=bank_a, device_key="D1", asset_key="B", valid_from_ms=100)
        with pytest.raises(ConflictError):
            bindings.unbind(conn, scope=bank_a, device_key="D1", valid_to_ms=50)
        bindings.unbind(conn, scope=bank_a, device_key="D1", valid_to_ms=200)
        with pytest.raises(ConflictError):
            bindings.bind(conn, scope=bank_a, device_key="D1", asset_key="B", valid_from_ms=150)


def test_an_asset_may_have_several_devices(engine: Engine, bank_a: Scope) -> None:
    with engine.begin() as conn:
        _fleet(conn, bank_a)
        devices.create(conn, scope=bank_a, data=DeviceCreate(key="D2", protocol="gt06"))
        for device in ("D1", "D2"):
            bindings.bind(conn, scope=bank_a, device_key=device, asset_key="A", valid_from_ms=1)
        assert assets.get(conn, scope=bank_a, key="A").devices == ["D1", "D2"]


def test_binding_is_scoped(engine: Engine, bank_a: Scope, bank_b: Scope) -> None:
    with engine.begin() as conn:
        _fleet(conn, bank_a)
        assets.create(conn, scope=bank_b, data=AssetCreate(key="X", kind="site"))
        with pytest.raises(NotFoundError):
            bindings.bind(conn, scope=bank_b, device_key="D1", asset_key="X", valid_from_ms=1)
        with pytest.raises(NotFoundError):
            bindings.bind(conn, scope=bank_a, device_key="D1", asset_key="X", valid_from_ms=1)


def test_bindings_for_many_devices_in_chunks(
    engine: Engine, bank_a: Scope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bindings, "CHUNK", 3)
    with engine.begin() as conn:
        assets.create(conn, scope=bank_a, data=AssetCreate(key="A", kind="vehicle"))
        for n in range(7):
            devices.create(
                conn,
                scope=bank_a,
                data=DeviceCreate(key=f"D{n}", protocol="jt808", asset="A"),
                now_ms=1000 + n,
            )
        ids = list(conn.scalars(select(devices_table.c.id)))
        spans = bindings_for_devices(conn, [*ids, 999_999])
    assert sorted(spans) == sorted(ids)
    assert all(len(history) == 1 and history[0].valid_to_ms is None for history in spans.values())
