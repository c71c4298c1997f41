"""A tiny provisioned database: VIN1's track in Shenzhen, with events, and noise around it.

VIN1 (device 013900000001), on 2026-03-01 from 08:00:00 UTC:

====== =================== ======== ====== ====== ===== ============ ==================
+s     lat, lon            altitude km/h   course fix   accuracy     notes
====== =================== ======== ====== ====== ===== ============ ==================
0      22.5431, 114.0579   12.0     0.0    0.0    gps
60     22.545, 114.06      12.5     36.0   45.0   gps                alarm power_cut
120    22.55, 114.05                30.0   300.5  cell  1500.0
180    22.55, 114.05                                    (invalid: last known position)
240    22.551, 114.052     13.0     18.0   90.0   gps   5.0
====== =================== ======== ====== ====== ===== ============ ==================

Events of VIN1: ``geofence_exit dealer-001-lot`` at +60 s with its own position, and
``power_cut 013900000001`` at +120 s without one. VIN2 and another tenant have a fix and an
event each, which VIN1's playback must never show.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from assetwatch.model.scope import Scope
from assetwatch.storage import schema as s
from assetwatch.storage.engine import ensure_tenant, migrate, open_engine, sqlite_url
from tests.pipeline.conftest import provision

T0 = int(datetime(2026, 3, 1, 8, 0, tzinfo=UTC).timestamp() * 1000)
# seconds after T0, lat, lon, altitude, speed, course, valid, fix source, accuracy, alarms
FIXES: list[tuple[Any, ...]] = [
    (0, 22.5431, 114.0579, 12.0, 0.0, 0.0, True, "gps", None, ""),
    (60, 22.545, 114.06, 12.5, 36.0, 45.0, True, "gps", None, "power_cut"),
    (120, 22.55, 114.05, None, 30.0, 300.5, True, "cell", 1500.0, ""),
    (180, 22.55, 114.05, None, None, None, False, "none", None, ""),
    (240, 22.551, 114.052, 13.0, 18.0, 90.0, True, "gps", 5.0, ""),
]
EXIT_DETAILS = {"place": "dealer-001-lot", "place_kind": "allowed", "lat": 22.5452, "lon": 114.0601}
EXIT = ("dealer-001-lot", EXIT_DETAILS)


@dataclass(frozen=True)
class Db:
    engine: Engine
    scope: Scope
    other: Scope
    path: Path

    def ids(self, conn: Any, tenant_id: int, asset: str, device: str) -> tuple[int, int]:
        asset_id = conn.scalar(
            select(s.assets.c.id).where(
                (s.assets.c.tenant_id == tenant_id) & (s.assets.c.key == asset)
            )
        )
        device_id = conn.scalar(
            select(s.devices.c.id).where(
                (s.devices.c.tenant_id == tenant_id) & (s.devices.c.key == device)
            )
        )
        return int(asset_id), int(device_id)

    def add_fixes(
        self, tenant_id: int, asset: str, device: str, fixes: list[tuple[Any, ...]]
    ) -> None:
        with self.engine.begin() as conn:
            asset_id, device_id = self.ids(conn, tenant_id, asset, device)
            conn.execute(
                insert(s.observations),
                [
                    {
                        "tenant_id": tenant_id,
                        "device_id": device_id,
                        "asset_id": asset_id,
                        "time_ms": T0 + int(f[0] * 1000),
                        "server_time_ms": T0 + int(f[0] * 1000),
                        "kind": "position",
                        "lat": f[1],
                        "lon": f[2],
                        "altitude_m": f[3],
                        "speed_kmh": f[4],
                        "course": f[5],
                        "valid": f[6],
                        "fix_source": f[7],
                        "accuracy_m": f[8],
                        "alarms": f[9],
                        "attributes": "{}",
                        "late": False,
                        "idem": i,
                    }  # fmt: skip
                    for i, f in enumerate(fixes)
                ],
            )

    def add_event(
        self, tenant_id: int, asset: str, device: str, at_s: float, kind: str, subject: str,
        details: dict[str, Any], retrospective: bool = False,
    ) -> None:  # fmt: skip
        with self.engine.begin() as conn:
            asset_id, device_id = self.ids(conn, tenant_id, asset, device)
            conn.execute(
                insert(s.events).values(
                    tenant_id=tenant_id,
                    asset_id=asset_id,
                    device_id=device_id,
                    time_ms=T0 + int(at_s * 1000),
                    type=kind,
                    subject=subject,
                    retrospective=retrospective,
                    details=details,
                    created_ms=T0,
                )  # fmt: skip
            )


def _other_tenant(engine: Engine) -> int:
    """Tenant ``other-bank`` with an asset ``VIN1`` of its own, bound to ``013900000009``."""
    with engine.begin() as conn:
        tenant = ensure_tenant(conn, "other-bank")
        asset = conn.execute(
            insert(s.assets).values(tenant_id=tenant, key="VIN1", kind="vehicle", attributes={})
        ).inserted_primary_key[0]
        device = conn.execute(
            insert(s.devices).values(
                tenant_id=tenant,
                protocol="jt808",
                key="013900000009",
                report_interval_s=10,
                offline_tolerance=3,
                attributes={},
                created_ms=0,
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(s.bindings).values(
                tenant_id=tenant, device_id=device, asset_id=asset, valid_from_ms=0
            )
        )
    return int(tenant)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Db]:
    engine = open_engine(sqlite_url(tmp_path / "data"))
    migrate(engine)
    provision(engine)
    other = _other_tenant(engine)
    with engine.connect() as conn:
        tenant = int(conn.scalar(select(s.tenants.c.id).where(s.tenants.c.key == "demo-bank")))
    built = Db(engine, Scope(tenant_id=tenant), Scope(tenant_id=other), tmp_path / "data")
    power_cut = {"device": "013900000001"}
    elsewhere = [(30, 22.6, 114.1, None, 5.0, 0.0, True, "gps", None, "")]
    built.add_fixes(tenant, "VIN1", "013900000001", FIXES)
    built.add_event(tenant, "VIN1", "013900000001", 60, "geofence_exit", *EXIT)
    built.add_event(tenant, "VIN1", "013900000001", 120, "power_cut", "013900000001", power_cut)
    built.add_fixes(tenant, "VIN2", "013900000002", elsewhere)
    built.add_event(tenant, "VIN2", "013900000002", 30, "sos", "013900000002", {})
    built.add_fixes(other, "VIN1", "013900000009", elsewhere)
    built.add_event(other, "VIN1", "013900000009", 30, "sos", "013900000009", {})
    yield built
    engine.dispose()
