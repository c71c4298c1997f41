"""The risk-point service on SQLite and PostgreSQL: import, upsert, scope, nothing on error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from assetwatch.errors import ConflictError, NotFoundError
from assetwatch.model.scope import Scope
from assetwatch.places import service as places
from assetwatch.places.models import PlaceCreate
from assetwatch.riskpoints import service
from assetwatch.riskpoints.catalogue import CatalogueError
from assetwatch.riskpoints.models import RiskPointWrite
from assetwatch.storage import schema as s
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from tests.riskpoints.conftest import SHOPS_CSV, SHOPS_CSV_ZH


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgresql":
        engine: Engine = request.getfixturevalue("postgres_engine")
    else:
        engine = open_engine(sqlite_url(tmp_path / "data"))
    migrate(engine)
    yield engine
    engine.dispose()


def load(engine: Engine, scope: Scope, data: bytes, **options: object) -> service.ImportSummary:
    with engine.begin() as conn:
        return service.import_catalogue(conn, scope=scope, data=data, **options)  # type: ignore[arg-type]


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(s.places)) or 0)


def test_import_then_list_get_and_delete(engine: Engine, bank_a: Scope) -> None:
    summary = load(engine, bank_a, SHOPS_CSV.encode(), source="shops.csv")
    assert (len(summary.created), summary.updated, summary.unchanged) == (3, [], [])
    assert summary.read().model_dump(exclude={"seconds"}) == {
        "format": "csv", "encoding": "utf-8", "datum": "wgs84", "source": "shops.csv",
        "dry_run": False, "rows": 3, "created": 3, "updated": 0, "unchanged": 0,
        "ignored_columns": [],
    }  # fmt: skip
    with engine.begin() as conn:
        listed = service.get_all(conn, scope=bank_a)
        assert [p.key for p in listed] == ["SZ-PAWN-001", "SZ-SCRAP-001", "SZ-UCM-001"]
        markets = service.get_all(conn, scope=bank_a, category="used_car_market")
        assert [p.key for p in markets] == ["SZ-UCM-001"]
        assert service.get_all(conn, scope=bank_a, category="port") == []
        shop = service.get(conn, scope=bank_a, key="SZ-PAWN-001")
        assert shop.model_dump() == {
            "key": "SZ-PAWN-001", "name": "Futian pawn shop", "category": "pawn_shop",
            "shape": {"circle": {"lat": 22.543096, "lon": 114.057865, "radius_m": 120.0}},
            "source": "shops.csv", "datum_in": "wgs84", "address": "Fuhua Rd 3",
            "phone": "0755-8888-0001",
        }  # fmt: skip
        as_place = places.get(conn, scope=bank_a, key="SZ-PAWN-001")
        assert (as_place.kind, as_place.applies_to) == ("risk_point", {"all": True})
        service.delete(conn, scope=bank_a, key="SZ-PAWN-001")
        with pytest.raises(NotFoundError, match="risk point 'SZ-PAWN-001' does not exist"):
            service.get(conn, scope=bank_a, key="SZ-PAWN-001")
        with pytest.raises(NotFoundError):
            service.delete(conn, scope=bank_a, key="SZ-PAWN-001")


def test_reimport_is_idempotent_and_changes_only_what_changed(
    engine: Engine, bank_a: Scope
) -> None:
    load(engine, bank_a, SHOPS_CSV.encode(), source="shops.csv")
    again = load(engine, bank_a, SHOPS_CSV.encode(), source="shops.csv")
    assert (again.created, again.updated, len(again.unchanged)) == ([], [], 3)
    moved = SHOPS_CSV.replace("400,,", "450,,")
    third = load(engine, bank_a, moved.encode(), source="shops.csv")
    assert (third.created, third.updated, len(third.unchanged)) == ([], ["SZ-UCM-001"], 2)
    chinese = load(engine, bank_a, SHOPS_CSV_ZH.encode("gbk"), source="shops.csv")
    assert set(chinese.updated) == {"SZ-PAWN-001", "SZ-UCM-001", "SZ-SCRAP-001"}  # names
    with engine.connect() as conn:
        assert service.get(conn, scope=bank_a, key="SZ-UCM-001").shape["circle"]["radius_m"] == 400
        assert service.get(conn, scope=bank_a, key="SZ-PAWN-001").name == "福田某典当行"
    assert count(engine) == 3


def test_a_file_with_problems_writes_nothing(engine: Engine, bank_a: Scope) -> None:
    bad = SHOPS_CSV + "SZ-BAD,,pawn_shop,22.5,,100\n"
    with pytest.raises(CatalogueError, match="line 5: empty lon"):
        load(engine, bank_a, bad.encode())
    assert count(engine) == 0


def test_dry_run_reports_without_writing(engine: Engine, bank_a: Scope) -> None:
    summary = load(engine, bank_a, SHOPS_CSV.encode(), dry_run=True)
    assert (len(summary.created), summary.read().dry_run) == (3, True)
    assert count(engine) == 0
    load(engine, bank_a, SHOPS_CSV.encode())
    summary = load(engine, bank_a, SHOPS_CSV.replace("120", "130").encode(), dry_run=True)
    assert summary.updated == ["SZ-PAWN-001"]
    with engine.connect() as conn:
        assert service.get(conn, scope=bank_a, key="SZ-PAWN-001").shape["circle"]["radius_m"] == 120


def test_a_geofence_key_is_never_overwritten(engine: Engine, bank_a: Scope) -> None:
    lot = {"circle": {"lat": 22.6, "lon": 114.1, "radius_m": 300}}
    with engine.begin() as conn:
        places.create(
            conn, scope=bank_a, data=PlaceCreate(key="SZ-UCM-001", kind="allowed", shape=lot)
        )
    with pytest.raises(CatalogueError, match="line 3: key 'SZ-UCM-001' is already a place of kind"):
        load(engine, bank_a, SHOPS_CSV.encode())
    assert count(engine) == 1
    with engine.begin() as conn:
        with pytest.raises(NotFoundError):
            service.get(conn, scope=bank_a, key="SZ-UCM-001")
        with pytest.raises(NotFoundError):
            service.delete(conn, scope=bank_a, key="SZ-UCM-001")
        body = RiskPointWrite(category="port", shape=lot)  # type: ignore[arg-type]
        with pytest.raises(ConflictError, match="already a place of kind 'allowed'"):
            service.upsert(conn, scope=bank_a, key="SZ-UCM-001", data=body)
        assert places.get(conn, scope=bank_a, key="SZ-UCM-001").kind == "allowed"


def test_another_tenant_never_sees_them(engine: Engine, bank_a: Scope, bank_b: Scope) -> None:
    load(engine, bank_a, SHOPS_CSV.encode())
    with engine.begin() as conn:
        assert service.get_all(conn, scope=bank_b) == []
        with pytest.raises(NotFoundError):
            service.get(conn, scope=bank_b, key="SZ-PAWN-001")
        with pytest.raises(NotFoundError):
            service.delete(conn, scope=bank_b, key="SZ-PAWN-001")
    own = load(engine, bank_b, SHOPS_CSV.encode(), datum="gcj02")
    assert len(own.created) == 3  # the same keys, separately
    with engine.connect() as conn:
        a = service.get(conn, scope=bank_a, key="SZ-PAWN-001").shape["circle"]
        b = service.get(conn, scope=bank_b, key="SZ-PAWN-001").shape["circle"]
    assert a["lat"] == 22.543096 and b["lat"] != a["lat"]


def test_upsert_converts_the_datum_and_reports_its_action(engine: Engine, bank_a: Scope) -> None:
    body = RiskPointWrite.model_validate(
        {
            "name": "当铺",
            "category": "典当行",
            "shape": {"circle": {"lat": 22.54, "lon": 114.05, "radius_m": 90}},
        }
    )
    with engine.begin() as conn:
        first = service.upsert(conn, scope=bank_a, key="rp", data=body, datum="gcj02")
        again = service.upsert(conn, scope=bank_a, key="rp", data=body, datum="gcj02")
        renamed = body.model_copy(update={"name": "另一家"})
        third = service.upsert(conn, scope=bank_a, key="rp", data=renamed, datum="gcj02")
        stored = service.get(conn, scope=bank_a, key="rp")
    assert (first.action, again.action, third.action) == ("created", "unchanged", "updated")
    assert set(third.fields) == {"name"}
    assert (stored.category, stored.datum_in, stored.source) == ("pawn_shop", "gcj02", "api")
    assert stored.shape["circle"]["lat"] != 22.54


def test_a_big_file_is_written_in_batches_with_progress(engine: Engine, bank_a: Scope) -> None:
    rows = "".join(f"K{n:05d},pawn_shop,{22 + n / 10_000},114.0\n" for n in range(1_200))
    data = ("key,category,lat,lon\n" + rows).encode()
    seen: list[tuple[int, int]] = []
    summary = load(engine, bank_a, data, progress=lambda done, total: seen.append((done, total)))
    assert len(summary.created) == 1_200
    assert seen == [(500, 1_200), (1_000, 1_200), (1_200, 1_200)]
    changed = data.replace(b"K00007,pawn_shop", b"K00007,port").replace(b"K01199,pawn", b"K01199,a")
    with pytest.raises(CatalogueError, match="line 1201: unknown category 'a_shop'"):
        load(engine, bank_a, changed)
    summary = load(engine, bank_a, data.replace(b"K00007,pawn_shop", b"K00007,port"))
    assert (summary.updated, len(summary.unchanged)) == (["K00007"], 1_199)
    with engine.connect() as conn:
        assert [p.key for p in service.get_all(conn, scope=bank_a, category="port")] == ["K00007"]
        assert len(service.get_all(conn, scope=bank_a, limit=10, offset=1_195)) == 5
