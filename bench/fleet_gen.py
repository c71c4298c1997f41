"""Benchmark fleet: one tenant, one dealer and contract, N assets with one JT/T 808 device each
(keys from :func:`assetwatch.simulate.load.load_phone`) and K geofences spread over the load
area, written as a fleet YAML document and applied with the real provisioning code.

Fences are circles (radius 100–600 m) and star-shaped polygons (5–8 vertices, 150–800 m) with
centres uniform over a disc slightly larger than the load area, so a wandering car is inside
about one fence at a time and crosses a boundary every ~20 reports: the geofence rule emits
real enter/exit events and alarms. Kinds: 30 % allowed, 20 % forbidden, 50 % watch; 90 % apply
to all assets, 10 % to the dealer's assets.
"""

from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path
from typing import Any

from assetwatch.registry.provisioning import apply_text
from assetwatch.simulate.load import load_phone
from assetwatch.simulate.routes import LatLon
from assetwatch.storage.engine import migrate, open_engine, sqlite_url

TENANT = "bench-bank"
DEALER = "bench-dealer"
CONTRACT = "BENCH-FP-1"
METRES_PER_DEGREE = 111_320.0
DAY_MS = 86_400_000


def asset_key(index: int) -> str:
    return f"BENCHVIN{index:09d}"


def _offset(centre: LatLon, east_m: float, north_m: float) -> tuple[float, float]:
    """(lon, lat) of the point ``east_m``/``north_m`` metres from ``centre`` (flat earth)."""
    lat = centre.lat + north_m / METRES_PER_DEGREE
    lon = centre.lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(centre.lat)))
    return round(lon, 6), round(lat, 6)


def _shape(rng: random.Random, centre: LatLon, area_m: float) -> dict[str, Any]:
    distance = area_m * math.sqrt(rng.random())
    bearing = rng.uniform(0.0, 2.0 * math.pi)
    east, north = distance * math.sin(bearing), distance * math.cos(bearing)
    if rng.random() < 0.5:
        lon, lat = _offset(centre, east, north)
        return {"circle": {"lat": lat, "lon": lon, "radius_m": round(rng.uniform(100, 600), 1)}}
    size = rng.uniform(150, 800)
    vertices = rng.randint(5, 8)
    step = 2.0 * math.pi / vertices
    angles = [(k + rng.uniform(-0.3, 0.3)) * step for k in range(vertices)]
    ring = []
    for angle in angles:  # star-shaped, gaps < 180°: never self-intersecting
        r = size * rng.uniform(0.6, 1.0)
        ring.append(list(_offset(centre, east + r * math.sin(angle), north + r * math.cos(angle))))
    return {"polygon": ring}


def _place(index: int, rng: random.Random, centre: LatLon, area_m: float) -> dict[str, Any]:
    draw = rng.random()
    kind = "allowed" if draw < 0.3 else "forbidden" if draw < 0.5 else "watch"
    applies: Any = "all" if rng.random() < 0.9 else {"counterparty": DEALER}
    shape = _shape(rng, centre, area_m)
    return {"key": f"fence-{index:05d}", "kind": kind, "applies_to": applies, "shape": shape}


def fleet_yaml(devices: int, fences: int, *, centre: LatLon, radius_m: float, seed: int = 1) -> str:
    """The fleet document (YAML block lists of JSON flow items, which YAML accepts)."""
    rng = random.Random(seed)
    dealer = {"key": DEALER, "kind": "dealer", "name": "Bench Motors"}
    contract = {"key": CONTRACT, "kind": "floor_plan", "counterparty": DEALER}
    lines = [f"tenant: {TENANT}", "counterparties:", f"  - {json.dumps(dealer)}"]
    lines += ["contracts:", f"  - {json.dumps(contract)}", "assets:"]
    for i in range(devices):
        asset = {"key": asset_key(i), "kind": "vehicle", "contract": CONTRACT}
        lines.append(f"  - {json.dumps(asset)}")
    lines.append("devices:")
    for i in range(devices):
        device = {"key": load_phone(i), "protocol": "jt808", "asset": asset_key(i)}
        lines.append(f"  - {json.dumps(device)}")
    if fences:
        lines.append("places:")
    for k in range(fences):
        lines.append(f"  - {json.dumps(_place(k, rng, centre, radius_m * 1.05))}")
    return "\n".join(lines) + "\n"


def provision(
    data_dir: Path, *, devices: int, fences: int, centre: LatLon, radius_m: float
) -> dict[str, float]:
    """Create and provision the database in ``data_dir``; returns timings in seconds.

    Bindings start a day ago so that the load client's back-dated device times (up to
    ``reports`` seconds before the run) fall inside them.
    """
    t0 = time.perf_counter()
    text = fleet_yaml(devices, fences, centre=centre, radius_m=radius_m)
    t1 = time.perf_counter()
    engine = open_engine(sqlite_url(data_dir))
    try:
        migrate(engine)
        t2 = time.perf_counter()
        report = apply_text(
            engine, text, "bench-fleet.yaml", now_ms=int(time.time() * 1000) - DAY_MS
        )
        t3 = time.perf_counter()
    finally:
        engine.dispose()
    created = sum(len(keys) for keys in report.created.values())
    return {
        "generate_yaml_s": t1 - t0,
        "migrate_s": t2 - t1,
        "apply_s": t3 - t2,
        "yaml_bytes": float(len(text)),
        "entities_created": float(created),
    }
