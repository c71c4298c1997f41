"""The processor's gathering sweep: six financed cars of four borrowers parked together for
half an hour raise one alarm listing them; the same cars spread over the district do not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from assetwatch.model.observation import Observation
from assetwatch.observability import Metrics
from assetwatch.pipeline.bus import MemoryBus
from assetwatch.pipeline.directory import DeviceDirectory
from assetwatch.pipeline.processor import Processor
from assetwatch.registry.provisioning import apply_text
from assetwatch.storage import schema as s
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from tests.pipeline.conftest import T0, Clock

MIN = 60_000
YARD = (22.6500, 114.1200)


def _fleet() -> str:
    lines = ["tenant: ring-bank", "counterparties:"]
    lines += [f"  - {{key: B{n}, kind: borrower}}" for n in range(4)]
    lines.append("contracts:")
    lines += [f"  - {{key: L{n}, kind: loan, counterparty: B{n % 4}}}" for n in range(6)]
    lines.append("assets:")
    lines += [f"  - {{key: CAR{n}, kind: vehicle, contract: L{n}}}" for n in range(6)]
    lines.append("devices:")
    lines += [f'  - {{key: "0139100000{n:02d}", protocol: jt808, asset: CAR{n}}}' for n in range(6)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    apply_text(engine, _fleet(), "ring.yaml", now_ms=T0 - 86_400_000)
    yield engine
    engine.dispose()


def _park(processor: Processor, clock: Clock, spread_deg: float, minutes: range) -> None:
    for minute in minutes:
        clock.now = T0 + minute * MIN
        processor.process([
            Observation(device_key=f"0139100000{n:02d}", protocol="jt808", time_ms=clock.now - 500,
                        server_time_ms=clock.now, lat=YARD[0] + n * spread_deg, lon=YARD[1],
                        speed_kmh=0.0, idem=clock.now + n)
            for n in range(6)
        ])  # fmt: skip
        processor.sweep_gathering()


def _gatherings(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(select(s.alarms).where(s.alarms.c.type == "gathering")).all()
    return [dict(r._mapping) for r in rows]


def _processor(engine: Engine, clock: Clock) -> Processor:
    return Processor(engine, MemoryBus(), DeviceDirectory(engine), Metrics(), lambda _m: None,
                     clock=clock)  # fmt: skip


def test_six_cars_of_four_borrowers_in_one_yard_raise_one_alarm(engine: Engine) -> None:
    clock = Clock(T0)
    processor = _processor(engine, clock)
    _park(processor, clock, 2e-4, range(30))  # 22 m apart, for 29 minutes: not yet
    assert _gatherings(engine) == []
    _park(processor, clock, 2e-4, range(30, 33))
    [alarm] = _gatherings(engine)
    assert alarm["asset_id"] is None and alarm["severity"] == "high"
    assert sorted(alarm["details"]["asset_keys"]) == [f"CAR{n}" for n in range(6)]  # type: ignore[index]
    assert len(alarm["details"]["counterparties"]) == 4  # type: ignore[index]


def test_the_same_cars_spread_over_the_district_raise_nothing(engine: Engine) -> None:
    clock = Clock(T0)
    processor = _processor(engine, clock)
    _park(processor, clock, 5e-3, range(41))  # 550 m apart
    assert _gatherings(engine) == []
