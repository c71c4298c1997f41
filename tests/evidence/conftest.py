"""A tenant with two assets, a keyring in the test's directory, and helpers to fill the
ledger and tamper with bundles."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from assetwatch.evidence import checkpoints, ledger
from assetwatch.evidence.bundle import export_bundle
from assetwatch.evidence.entries import asset_subject
from assetwatch.evidence.keys import Keyring, key_dir_of
from assetwatch.model.scope import Scope
from assetwatch.storage.engine import ensure_tenant
from assetwatch.storage.schema import assets
from tests.storage.conftest import postgres_engine  # noqa: F401 - a fixture

T0 = 1_764_000_000_000  # 2025-11-24T16:00:00Z


@dataclass
class World:
    engine: Engine
    keyring: Keyring
    scope: Scope
    data_dir: Path

    def append(self, asset: str, n: int, *, start_ms: int = T0, kind: str = "alarm") -> None:
        """``n`` entries about ``asset``, one a minute from ``start_ms``."""
        with self.engine.begin() as conn:
            for i in range(n):
                ledger.append(
                    conn, self.scope.tenant_id, kind, asset_subject(asset),
                    {"n": i, "type": "geofence_exit", "note": f"entry {i} — ok"},
                    start_ms + i * 60_000,
                )  # fmt: skip

    def checkpoint(self, now_ms: int) -> checkpoints.Checkpoint:
        return checkpoints.checkpoint_now(
            self.engine, self.keyring, self.scope.tenant_id, now_ms=now_ms
        )

    def export(
        self, asset: str = "VIN1", *, now_ms: int = T0 + 86_400_000, **window: int | None
    ) -> dict[str, Any]:
        return export_bundle(
            self.engine, self.keyring, scope=self.scope, asset=asset,
            from_ms=window.get("from_ms"), to_ms=window.get("to_ms"), now_ms=now_ms,
        )  # fmt: skip


def add_world(engine: Engine, data_dir: Path) -> World:
    with engine.begin() as conn:
        tenant_id = ensure_tenant(conn, "bank-a")
        for key in ("VIN1", "VIN2"):
            conn.execute(
                insert(assets).values(tenant_id=tenant_id, key=key, kind="vehicle", attributes={})
            )
    return World(engine, Keyring(key_dir_of(data_dir)), Scope(tenant_id=tenant_id), data_dir)


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> World:
    return add_world(engine, tmp_path / "data")


@pytest.fixture
def bundle(world: World) -> dict[str, Any]:
    """VIN1 and VIN2 interleaved, two checkpoints along the way, then the export."""
    world.append("VIN1", 3)
    world.append("VIN2", 2, start_ms=T0 + 1000)
    world.checkpoint(T0 + 3_600_000)
    world.append("VIN1", 4, start_ms=T0 + 7_200_000)
    world.checkpoint(T0 + 10_800_000)
    world.append("VIN2", 1, start_ms=T0 + 11_000_000)
    return world.export()


def tampered(bundle: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(bundle)


def failures_of(bundle: dict[str, Any], **options: Any) -> list[str]:
    from assetwatch.evidence.verify import verify_bundle

    return verify_bundle(bundle, **options).failures
