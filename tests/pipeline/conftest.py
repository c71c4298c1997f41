"""A provisioned SQLite database and a processor on it, with a controllable clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from assetwatch.model.observation import Observation
from assetwatch.observability import Metrics
from assetwatch.pipeline.bus import MemoryBus
from assetwatch.pipeline.directory import DeviceDirectory
from assetwatch.pipeline.processor import Processor
from assetwatch.storage import schema as s
from assetwatch.storage.engine import ensure_tenant, migrate, open_engine, sqlite_url

T0 = 1_780_000_000_000  # a fixed "now" (epoch ms)
LOT = {"circle": {"lat": 22.5431, "lon": 114.0579, "radius_m": 300}}
PAWN = {"polygon": [[114.06, 22.54], [114.07, 22.54], [114.07, 22.55], [114.06, 22.55]]}
IN_LOT = (22.5431, 114.0579)
OUT_OF_LOT = (22.5500, 114.0500)
IN_PAWN = (22.545, 114.065)


@dataclass
class Clock:
    now: int = T0

    def __call__(self) -> int:
        return self.now


@dataclass
class World:
    engine: Engine
    processor: Processor
    clock: Clock
    published: list[dict[str, Any]] = field(default_factory=list)

    def fix(
        self,
        at_ms: int,
        where: tuple[float, float],
        *,
        device: str = "013900000001",
        alarms: tuple[str, ...] = (),
        batch: bool = False,
        idem: int | None = None,
    ) -> Observation:
        return Observation(
            device_key=device,
            protocol="jt808",
            time_ms=at_ms,
            server_time_ms=self.clock.now,
            lat=where[0],
            lon=where[1],
            speed_kmh=30.0,
            alarms=alarms,
            batch=batch,
            idem=idem if idem is not None else at_ms,
        )


def provision(engine: Engine) -> None:
    with engine.begin() as conn:
        tenant = ensure_tenant(conn, "demo-bank")
        cp = conn.execute(
            insert(s.counterparties).values(
                tenant_id=tenant, key="dealer-001", kind="dealer", name="d", addresses=[]
            )
        ).inserted_primary_key[0]
        contract = conn.execute(
            insert(s.contracts).values(
                tenant_id=tenant, key="FP-1", kind="floor_plan", counterparty_id=cp
            )
        ).inserted_primary_key[0]
        for n in (1, 2):
            asset = conn.execute(
                insert(s.assets).values(
                    tenant_id=tenant,
                    key=f"VIN{n}",
                    kind="vehicle",
                    contract_id=contract,
                    attributes={},
                )
            ).inserted_primary_key[0]
            device = conn.execute(
                insert(s.devices).values(
                    tenant_id=tenant,
                    protocol="jt808",
                    key=f"01390000000{n}",
                    report_interval_s=10,
                    offline_tolerance=3,
                    attributes={},
                    created_ms=0,
                )
            ).inserted_primary_key[0]
            conn.execute(
                insert(s.bindings).values(
                    tenant_id=tenant,
                    device_id=device,
                    asset_id=asset,
                    valid_from_ms=T0 - 86_400_000,
                )
            )
        conn.execute(
            insert(s.places).values(
                tenant_id=tenant,
                key="dealer-001-lot",
                kind="allowed",
                applies_to={"counterparty": "dealer-001"},
                shape=LOT,
                properties={},
            )
        )
        conn.execute(
            insert(s.places).values(
                tenant_id=tenant,
                key="pawn-zone",
                kind="forbidden",
                applies_to={"all": True},
                shape=PAWN,
                properties={},
            )
        )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    provision(engine)
    clock = Clock()
    published: list[dict[str, Any]] = []
    processor = Processor(
        engine, MemoryBus(), DeviceDirectory(engine), Metrics(), published.append, clock=clock
    )
    yield World(engine, processor, clock, published)
    engine.dispose()
