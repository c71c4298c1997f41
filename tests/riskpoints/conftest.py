"""Tenants on a migrated database, and small catalogue files around Shenzhen."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from sqlalchemy import Engine

from assetwatch.model.scope import Scope
from assetwatch.storage.engine import ensure_tenant
from tests.storage.conftest import postgres_engine  # noqa: F401 - a fixture

# A pawn shop in Futian as a Chinese map app shows it (GCJ-02), and two more risk points.
SHOP_GCJ02 = (22.543096, 114.057865)
SHOPS_CSV = """key,name,category,lat,lon,radius_m,address,phone
SZ-PAWN-001,Futian pawn shop,pawn_shop,22.543096,114.057865,120,Fuhua Rd 3,0755-8888-0001
SZ-UCM-001,Buji used-car market,used_car_market,22.6052,114.1137,400,,
SZ-SCRAP-001,Pinghu scrapyard,scrapyard,22.6891,114.1290,,,
"""
SHOPS_CSV_ZH = """编号,名称,类别,纬度,经度,半径(米),地址,联系电话,省份
SZ-PAWN-001,福田某典当行,典当行,22.543096,114.057865,120,福华路3号,0755-8888-0001,广东
SZ-UCM-001,布吉二手车市场,二手车市场,22.6052,114.1137,400,,,广东
SZ-SCRAP-001,平湖拆车厂,拆车厂,22.6891,114.1290,,,,广东
"""
SQUARE = [[114.06, 22.54], [114.07, 22.54], [114.07, 22.55], [114.06, 22.55]]


def geojson(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def destination(
    lat: float, lon: float, bearing_deg: float, distance_m: float
) -> tuple[float, float]:
    """The point ``distance_m`` metres from (lat, lon) along ``bearing_deg`` (sphere)."""
    radius = 6_371_008.8
    p1, l1, b = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    d = distance_m / radius
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), math.degrees(l2)


@pytest.fixture
def bank_a(engine: Engine) -> Scope:
    with engine.begin() as conn:
        return Scope(tenant_id=ensure_tenant(conn, "bank-a"))


@pytest.fixture
def bank_b(engine: Engine) -> Scope:
    with engine.begin() as conn:
        return Scope(tenant_id=ensure_tenant(conn, "bank-b"))
