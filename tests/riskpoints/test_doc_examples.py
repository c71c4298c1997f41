"""The example files of docs/riskpoints.md import as the page says."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from assetwatch.model.scope import Scope
from assetwatch.riskpoints import service

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"


def test_the_documented_examples(engine: Engine, bank_a: Scope) -> None:
    csv_bytes = (EXAMPLES / "risk-points.csv").read_bytes()
    with engine.begin() as conn:
        gbk = service.import_catalogue(
            conn,
            scope=bank_a,
            data=csv_bytes.decode().encode("gbk"),
            datum="gcj02",
            source="amap-export",
        ).read()
        geo = service.import_catalogue(
            conn, scope=bank_a, data=(EXAMPLES / "risk-points.geojson").read_bytes()
        ).read()
        utf8 = service.import_catalogue(
            conn, scope=bank_a, data=csv_bytes, datum="gcj02", source="amap-export"
        ).read()
        shop = service.get(conn, scope=bank_a, key="SZ-PAWN-001")
        listed = service.get_all(conn, scope=bank_a)
    assert (gbk.encoding, gbk.created, gbk.ignored_columns) == ("gbk", 3, ["备注"])
    assert (geo.format, geo.created) == ("geojson", 2)
    assert (utf8.encoding, utf8.unchanged) == ("utf-8", 3)
    circle = shop.shape["circle"]
    assert (round(circle["lat"], 6), round(circle["lon"], 6)) == (22.545823, 114.052757)
    assert (shop.name, shop.category, shop.datum_in) == ("福田示例典当行", "pawn_shop", "gcj02")
    assert [p.key for p in listed] == [
        "SZ-AUCT-001", "SZ-PAWN-001", "SZ-PORT-001", "SZ-SCRAP-001", "SZ-UCM-001",
    ]  # fmt: skip
    port = next(p for p in listed if p.key == "SZ-PORT-001")
    assert port.shape["circle"]["radius_m"] == 600.0
