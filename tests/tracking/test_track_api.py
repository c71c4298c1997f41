"""``GET /assets/{key}/track`` (JSON, as before and with the new options) and
``GET /assets/{key}/track.{gpx,kml,geojson,csv}`` on the real app."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assetwatch.api.app import create_app
from assetwatch.api.deps import TENANT_HEADER
from assetwatch.live import LiveFeed
from assetwatch.observability import Metrics
from assetwatch.settings import Settings
from assetwatch.tracking.service import track
from tests.tracking.conftest import Db

TRACK = "/api/v1/assets/VIN1/track"


@pytest.fixture
def client(db: Db) -> Iterator[TestClient]:
    app = create_app(
        db.engine,
        LiveFeed(),
        Metrics(),
        Settings(environment="development", default_tenant="demo-bank"),
    )
    with TestClient(app) as test_client:
        yield test_client


def test_without_new_options_the_answer_is_unchanged(client: TestClient, db: Db) -> None:
    answer = client.get(TRACK, params={"from": "2026-03-01T08:01:00Z"})
    assert answer.status_code == 200
    assert answer.json() == track(db.engine, scope=db.scope, asset="VIN1", from_ms=1772352060000)
    assert [p["time"] for p in answer.json()][:1] == ["2026-03-01T08:01:00Z"]


def test_simplified_in_gcj02(client: TestClient) -> None:
    body = client.get(TRACK, params={"simplify_m": "100000", "datum": "gcj02"}).json()
    assert [(p["time"][11:16], p["lat"], p["lon"]) for p in body] == [
        ("08:00", 22.5403828, 114.063014),
        ("08:01", 22.5422866, 114.0651165),
        ("08:02", 22.5472682, 114.0551039),
        ("08:04", 22.5482723, 114.0571069),
    ]


def test_with_the_overlay(client: TestClient) -> None:
    body = client.get(TRACK, params={"overlay": "true", "limit": 2}).json()
    assert sorted(body) == [
        "asset", "datum", "events", "fixes", "points", "simplify_m", "stays", "truncated"
    ]  # fmt: skip
    assert (body["fixes"], body["truncated"], body["stays"]) == (2, True, [])
    assert [(e["type"], e["located"]) for e in body["events"]] == [
        ("geofence_exit", "event"), ("power_cut", "fix")
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("gpx", "application/gpx+xml"),
        ("kml", "application/vnd.google-earth.kml+xml"),
        ("geojson", "application/geo+json"),
        ("csv", "text/csv; charset=utf-8"),
    ],
)
def test_files_have_their_media_type_and_a_file_name(
    client: TestClient, fmt: str, media_type: str
) -> None:
    answer = client.get(f"{TRACK}.{fmt}", params={"datum": "gcj02", "overlay": "1"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == media_type
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="VIN1-track-gcj02.{fmt}"'
    )
    assert "x-assetwatch-truncated" not in answer.headers
    if fmt in ("gpx", "kml"):
        ET.fromstring(answer.content)
    elif fmt == "geojson":
        assert json.loads(answer.content)["datum"] == "gcj02"
    else:
        assert answer.text.splitlines()[0].startswith("time,lat_gcj02,lon_gcj02,")
        assert len(answer.text.splitlines()) == 6


def test_file_contents_follow_the_options(client: TestClient) -> None:
    gpx = client.get(f"{TRACK}.gpx", params={"to": "2026-03-01T08:01:00Z"}).content
    points = ET.fromstring(gpx).findall(".//{http://www.topografix.com/GPX/1/1}trkpt")
    assert [p.attrib["lat"] for p in points] == ["22.5431", "22.545"]
    short = client.get(f"{TRACK}.geojson", params={"limit": 1})
    assert short.headers["x-assetwatch-truncated"] == "true"
    other = client.get(f"{TRACK}.csv", headers={TENANT_HEADER: "other-bank"}).text
    assert other.splitlines()[1].endswith(",013900000009")


@pytest.mark.parametrize(
    ("path", "params", "detail"),
    [
        (f"{TRACK}.shp", {}, "format: 'shp' is not one of gpx, kml, geojson, csv"),
        (TRACK, {"datum": "mars"}, "datum: 'mars' is not one of wgs84, gcj02, bd09"),
        (f"{TRACK}.gpx", {"datum": "WGS84"}, "datum: 'WGS84' is not one of wgs84, gcj02, bd09"),
        (TRACK, {"simplify_m": "-5"}, "simplify_m: -5.0 is not a distance ≥ 0 in metres"),
        (f"{TRACK}.kml", {"simplify_m": "nan"}, "simplify_m: nan is not a distance ≥ 0 in metres"),
        (TRACK, {"from": "2026-03-02", "to": "2026-03-01"}, "from must not be after to"),
        (f"{TRACK}.csv", {"from": "yesterday"}, "from: 'yesterday' is not an ISO-8601 time"),
        (TRACK, {"simplify_m": "far"}, "query.simplify_m: Input should be a valid number, "
         "unable to parse string as a number"),
    ],
)  # fmt: skip
def test_bad_input_is_a_422_problem(
    client: TestClient, path: str, params: dict[str, str], detail: str
) -> None:
    answer = client.get(path, params=params)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert (answer.json()["title"], answer.json()["detail"]) == ("Invalid input", detail)


def test_an_unknown_asset_is_a_404_for_files_too(client: TestClient) -> None:
    for path in ("/api/v1/assets/NOPE/track", "/api/v1/assets/NOPE/track.gpx"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer.json()["detail"] == "asset 'NOPE' does not exist"
    assert client.get(f"{TRACK}.gpx", headers={TENANT_HEADER: "nobody"}).status_code == 404


def test_the_openapi_schema_lists_both_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/assets/{key}/track" in paths
    file_route = paths["/api/v1/assets/{key}/track.{fmt}"]["get"]
    assert {p["name"] for p in file_route["parameters"]} >= {
        "key", "fmt", "from", "to", "simplify_m", "datum", "overlay", "limit"
    }  # fmt: skip
    assert set(file_route["responses"]["200"]["content"]) >= {"application/gpx+xml", "text/csv"}
