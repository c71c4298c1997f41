"""Reading catalogue files: encodings, headers, GeoJSON, datums, and every problem by line."""

from __future__ import annotations

import json

import pytest

from assetwatch.geo.datum import to_wgs84
from assetwatch.geo.distance import haversine_m
from assetwatch.riskpoints.catalogue import CatalogueError, read_catalogue
from tests.riskpoints.conftest import (
    SHOP_GCJ02,
    SHOPS_CSV,
    SHOPS_CSV_ZH,
    SQUARE,
    feature,
    geojson,
    point,
)


def problems(data: bytes, **options: object) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        read_catalogue(data, **options)  # type: ignore[arg-type]
    return [str(p) for p in caught.value.problems]


def test_a_utf8_csv_becomes_risk_point_places() -> None:
    catalogue = read_catalogue(SHOPS_CSV.encode(), source="shops.csv")
    assert (catalogue.format, catalogue.encoding, catalogue.ignored_columns) == ("csv", "utf-8", [])
    shop, market, scrapyard = catalogue.entries
    assert (shop.line, market.line, scrapyard.line) == (2, 3, 4)
    assert shop.place.kind == "risk_point"
    assert shop.place.name == "Futian pawn shop"
    assert shop.place.stored()["shape"] == {
        "circle": {"lat": 22.543096, "lon": 114.057865, "radius_m": 120.0}
    }
    assert shop.place.properties == {
        "category": "pawn_shop",
        "source": "shops.csv",
        "datum_in": "wgs84",
        "address": "Fuhua Rd 3",
        "phone": "0755-8888-0001",
    }
    assert market.place.properties == {
        "category": "used_car_market",
        "source": "shops.csv",
        "datum_in": "wgs84",
    }
    assert scrapyard.place.stored()["shape"]["circle"]["radius_m"] == 150.0  # the default


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gbk"),
        ("gb18030", "gbk"),  # GB18030 agrees with GBK on these characters
        ("utf-16", "utf-16"),
    ],
)
def test_chinese_headers_and_categories_in_every_encoding(encoding: str, detected: str) -> None:
    catalogue = read_catalogue(SHOPS_CSV_ZH.encode(encoding))
    assert catalogue.encoding == detected
    assert catalogue.ignored_columns == ["省份"]
    by_key = {e.place.key: e.place for e in catalogue.entries}
    assert by_key["SZ-PAWN-001"].name == "福田某典当行"
    assert by_key["SZ-PAWN-001"].properties["address"] == "福华路3号"
    assert by_key["SZ-PAWN-001"].properties["phone"] == "0755-8888-0001"
    categories = {key: place.properties["category"] for key, place in by_key.items()}
    assert categories == {
        "SZ-PAWN-001": "pawn_shop",
        "SZ-UCM-001": "used_car_market",
        "SZ-SCRAP-001": "scrapyard",
    }
    english = read_catalogue(SHOPS_CSV.encode())
    shapes = [e.place.shape for e in english.entries]
    assert [e.place.shape for e in catalogue.entries] == shapes


def test_tab_separated_with_english_aliases_and_units() -> None:
    text = "ID\tType\tLatitude\tLongitude\tRadius (m)\nX1\tPawn shop\t22.5\t114.0\t80\n"
    (entry,) = read_catalogue(text.encode()).entries
    assert entry.place.key == "X1"
    assert entry.place.properties["category"] == "pawn_shop"
    assert entry.place.stored()["shape"]["circle"]["radius_m"] == 80.0


def test_gcj02_shop_is_stored_where_to_wgs84_puts_it() -> None:
    catalogue = read_catalogue(SHOPS_CSV.encode(), datum="gcj02")
    circle = catalogue.entries[0].place.stored()["shape"]["circle"]
    expected = to_wgs84(*SHOP_GCJ02, "gcj02")
    assert (circle["lat"], circle["lon"]) == pytest.approx(expected, abs=1e-9)
    moved = haversine_m(*SHOP_GCJ02, circle["lat"], circle["lon"])
    assert 200 < moved < 700, moved
    assert catalogue.entries[0].place.properties["datum_in"] == "gcj02"
    assert catalogue.datum == "gcj02"


def test_bd09_and_polygons_convert_every_vertex() -> None:
    data = geojson(
        feature({"type": "Polygon", "coordinates": [SQUARE]}, key="lot", category="auction")
    )
    (entry,) = read_catalogue(data, datum="bd09").entries
    ring = entry.place.stored()["shape"]["polygon"]
    assert len(ring) == 5 and ring[0] == ring[-1]
    for (lon, lat), (raw_lon, raw_lat) in zip(ring, [*SQUARE, SQUARE[0]], strict=True):
        assert (lat, lon) == pytest.approx(to_wgs84(raw_lat, raw_lon, "bd09"), abs=1e-9)
        assert 500 < haversine_m(lat, lon, raw_lat, raw_lon) < 1500


def test_geojson_points_polygons_and_ids() -> None:
    data = geojson(
        feature(point(114.05, 22.5), key="a", category="port", name="Yantian"),
        {**feature(point(114.06, 22.51), category="border", radius_m=500), "id": "b"},
        {**feature({"type": "Polygon", "coordinates": [SQUARE]}, category="scrapyard"), "id": 7},
        feature(
            {"type": "MultiPolygon", "coordinates": [[[[*v, 12.0] for v in SQUARE]]]},
            key="m",
            category="custom",
            地址="某路",
        ),
    )
    catalogue = read_catalogue(data)
    assert catalogue.format == "geojson"
    shapes = {e.place.key: (e.feature, e.place.stored()["shape"]) for e in catalogue.entries}
    assert shapes["a"] == (1, {"circle": {"lat": 22.5, "lon": 114.05, "radius_m": 150.0}})
    assert shapes["b"] == (2, {"circle": {"lat": 22.51, "lon": 114.06, "radius_m": 500.0}})
    assert shapes["7"] == (3, {"polygon": [*SQUARE, SQUARE[0]]})
    assert shapes["m"] == (4, {"polygon": [*SQUARE, SQUARE[0]]})
    assert catalogue.entries[3].place.properties["address"] == "某路"


def test_bad_rows_are_all_reported_with_their_line_numbers() -> None:
    text = (
        "key,name,category,lat,lon,radius_m\n"
        "ok-1,fine,pawn_shop,22.5,114.0,100\n"
        "bad-lat,,pawn_shop,95,114.0,100\n"
        "bad-cat,,bakery,22.5,114.0,100\n"
        ",,pawn_shop,22.5,114.0,100\n"
        "\n"
        'bad-num,"two\nlines",pawn_shop,north,114.0,100\n'
        "bad-radius,,pawn_shop,22.5,114.0,-5\n"
        "ok-1,again,pawn_shop,22.5,114.0,100\n"
        "wide,,pawn_shop,22.5,114.0,100,extra\n"
    )
    assert problems(text.encode()) == [
        "line 3: lat: Input should be less than or equal to 90",
        "line 4: unknown category 'bakery' (use one of pawn_shop, used_car_market, scrapyard,"
        " auction, port, border, repair_shop, custom)",
        "line 5: empty key",
        "line 7: lat: Input should be a valid number, unable to parse string as a number",
        "line 9: radius_m: Input should be greater than 0",
        "line 10: key 'ok-1' repeats line 2",
        "line 11: 7 fields, the header has 6",
    ]


def test_the_error_message_names_the_count_and_the_first_problems() -> None:
    rows = "".join(f"k{n},pawn_shop,99,114\n" for n in range(25))
    with pytest.raises(CatalogueError) as caught:
        read_catalogue(("key,category,lat,lon\n" + rows).encode())
    message = str(caught.value)
    assert message.startswith("25 problems, nothing imported: line 2: lat: ")
    assert message.endswith("; … 5 more")
    assert caught.value.line == 2


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", ["line 1: the file is empty"]),
        (b"key,category,lat,lon\n", ["line 1: no risk points in the file"]),
        (
            b"name,category,lat,lat\n",
            [
                "line 1: two columns mean lat: 'lat'",
                "line 1: missing column key, lon (header: 'name', 'category', 'lat', 'lat')",
            ],
        ),
        (
            b"key,category,lat,lon\nA,pawn_shop,22,114\n\xff\xfe\xff,x,1,2\n",
            ["line 3: not text in UTF-8, UTF-16 or GBK/GB18030 (byte offset 40)"],
        ),
        (
            b'{"type": "FeatureCollection", "features": [\n{"type": "Feature" "id": 1}]}',
            ["line 2: not valid JSON: Expecting ',' delimiter (column 20)"],
        ),
        (b'{"type": "Topology"}', ["line 1: not a GeoJSON FeatureCollection or Feature"]),
    ],
)
def test_unreadable_files(data: bytes, expected: list[str]) -> None:
    assert problems(data) == expected


def test_geojson_problems_name_the_feature() -> None:
    data = geojson(
        feature(point(114.0, 22.5), key="a", category="pawn_shop"),
        feature({"type": "LineString", "coordinates": [[1, 2], [3, 4]]}, key="b", category="port"),
        feature({"type": "Polygon", "coordinates": [SQUARE, SQUARE]}, key="c", category="port"),
        feature(point(114.0, 122.5), key="d", category="port"),
        feature(point(114.0, 22.5), key="a", category="port"),
        {"type": "Point", "coordinates": [1, 2]},
        feature(None, key="e", category="port"),  # type: ignore[arg-type]
        feature(point(114.0, 22.5), key="f", category="shop"),
        feature(point(114.0, 22.5), category="port"),
    )
    assert problems(data) == [
        "feature 2: unsupported geometry 'LineString' (use Point or Polygon)",
        "feature 3: polygons with holes are not supported",
        "feature 4: lat: Input should be less than or equal to 90",
        "feature 5: key 'a' repeats feature 1",
        "feature 6: not a GeoJSON Feature",
        "feature 7: no geometry",
        "feature 8: unknown category 'shop' (use one of pawn_shop, used_car_market, scrapyard,"
        " auction, port, border, repair_shop, custom)",
        "feature 9: empty key",
    ]


def test_format_can_be_forced() -> None:
    data = json.dumps({"type": "FeatureCollection", "features": []}).encode()
    assert problems(data, fmt="csv")[0].startswith("line 1: missing column key, category")
