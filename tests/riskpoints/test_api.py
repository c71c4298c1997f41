"""``/api/v1/risk-points`` on the real app: import (body or multipart), CRUD, problems."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from assetwatch.api.app import create_app
from assetwatch.geo.datum import to_wgs84
from assetwatch.live import LiveFeed
from assetwatch.observability import Metrics
from assetwatch.settings import Settings
from assetwatch.storage.engine import ensure_tenant
from tests.riskpoints.conftest import (
    SHOP_GCJ02,
    SHOPS_CSV,
    SHOPS_CSV_ZH,
    SQUARE,
    feature,
    geojson,
    point,
)

PROBLEM = "application/problem+json"
API = "/api/v1/risk-points"
B = {"X-Assetwatch-Tenant": "bank-b"}


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with engine.begin() as conn:
        ensure_tenant(conn, "bank-a")
        ensure_tenant(conn, "bank-b")
    app = create_app(
        engine, LiveFeed(), Metrics(), Settings(environment="development", default_tenant="bank-a")
    )
    with TestClient(app) as test_client:
        yield test_client


def test_csv_body_import_then_list_get_put_delete(client: TestClient) -> None:
    response = client.post(
        f"{API}/import?datum=gcj02&source=amap-2024.csv",
        content=SHOPS_CSV.encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["format"], summary["created"], summary["datum"]) == ("csv", 3, "gcj02")
    listed = client.get(API).json()
    assert [p["key"] for p in listed] == ["SZ-PAWN-001", "SZ-SCRAP-001", "SZ-UCM-001"]
    assert [p["key"] for p in client.get(f"{API}?category=scrapyard").json()] == ["SZ-SCRAP-001"]
    assert client.get(f"{API}?category=bakery").status_code == 422
    shop = client.get(f"{API}/SZ-PAWN-001").json()
    circle = shop["shape"]["circle"]
    assert (circle["lat"], circle["lon"]) == pytest.approx(to_wgs84(*SHOP_GCJ02, "gcj02"))
    assert (shop["datum_in"], shop["source"]) == ("gcj02", "amap-2024.csv")
    body = {"name": "New name", "category": "pawn_shop", "shape": shop["shape"]}
    replaced = client.put(f"{API}/SZ-PAWN-001", json=body)
    assert (replaced.status_code, replaced.json()["name"]) == (200, "New name")
    assert replaced.json()["datum_in"] == "wgs84"
    created = client.put(f"{API}/NEW-1?datum=bd09", json={**body, "category": "二手车市场"})
    assert created.status_code == 201
    assert created.json()["category"] == "used_car_market"
    assert client.delete(f"{API}/NEW-1").status_code == 204
    missing = client.get(f"{API}/NEW-1")
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM)
    bad_key = client.put(f"{API}/has%20space", json=body)
    assert bad_key.status_code == 422 and "key" in bad_key.json()["detail"]


def test_geojson_by_content_type_and_by_sniffing(client: TestClient) -> None:
    data = geojson(
        feature(point(114.05, 22.5), key="port-1", category="port"),
        feature({"type": "Polygon", "coordinates": [SQUARE]}, key="yard", category="scrapyard"),
    )
    typed = client.post(
        f"{API}/import", content=data, headers={"Content-Type": "application/geo+json"}
    )
    assert typed.json()["format"] == "geojson" and typed.json()["created"] == 2
    sniffed = client.post(f"{API}/import", content=data)
    assert (sniffed.json()["format"], sniffed.json()["unchanged"]) == ("geojson", 2)


def test_multipart_upload_of_a_gbk_file_with_a_dry_run(client: TestClient) -> None:
    files = {"file": ("商户.csv", SHOPS_CSV_ZH.encode("gbk"), "text/csv")}
    dry = client.post(f"{API}/import?dry_run=true", files=files, data={"note": "x"})
    assert dry.status_code == 200, dry.text
    assert {k: dry.json()[k] for k in ("encoding", "created", "dry_run", "source")} == {
        "encoding": "gbk",
        "created": 3,
        "dry_run": True,
        "source": "商户.csv",
    }
    assert client.get(API).json() == []
    done = client.post(f"{API}/import", files=files).json()
    assert (done["created"], done["ignored_columns"]) == (3, ["省份"])
    assert client.get(f"{API}/SZ-PAWN-001").json()["name"] == "福田某典当行"
    assert client.get(API, headers=B).json() == []  # another tenant sees none of them
    assert client.get(f"{API}/SZ-PAWN-001", headers=B).status_code == 404


def test_a_bad_file_is_a_problem_listing_every_line(client: TestClient) -> None:
    bad = SHOPS_CSV + "SZ-X,,pawn_shop,22.5,,100\nSZ-Y,,bakery,22.5,114,100\n"
    response = client.post(f"{API}/import", content=bad.encode())
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    body = response.json()
    assert body["detail"].startswith("2 problems, nothing imported: line 5: empty lon; line 6:")
    assert [(p["line"], p["feature"]) for p in body["problems"]] == [(5, None), (6, None)]
    assert client.get(API).json() == []
    empty_form = client.post(f"{API}/import", files={"other": ("", b"", "text/plain")})
    assert empty_form.status_code == 422
    assert client.post(f"{API}/import?datum=utm", content=b"x").status_code == 422


def test_a_geofence_key_conflicts(client: TestClient) -> None:
    lot = {"kind": "allowed", "shape": {"circle": {"lat": 22.6, "lon": 114.1, "radius_m": 300}}}
    assert client.put("/api/v1/places/SZ-UCM-001", json=lot).status_code == 201
    body = {"category": "port", "shape": lot["shape"]}
    assert client.put(f"{API}/SZ-UCM-001", json=body).status_code == 409
    response = client.post(f"{API}/import", content=SHOPS_CSV.encode())
    assert response.json()["problems"][0]["line"] == 3
    risk_points = client.get("/api/v1/places?kind=risk_point").json()
    assert risk_points == []
