"""Loading and labelling for the stay benchmarks: the Amazon GOAL traces and synthetic tracks.

The GOAL traces (``trajectories.zip``, see its ``README.upstream.md``) are 6-minute chunks of
delivery agents' GPS at ~5 s, in metres (x, y) relative to an arbitrary centre, each point
labelled ``Driving`` or ``OnFoot`` (OnFoot includes time in the vehicle not driving: a stop).
We place them around an arbitrary origin so every method sees the same WGS-84 points.
"""

from __future__ import annotations

import csv
import io
import math
import random
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assetwatch.analytics.model import Fix
from assetwatch.geo.distance import EARTH_RADIUS_M

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / ".." / "shared" / "data" / "gps" / "amazon_goal"
ORIGIN_LAT, ORIGIN_LON = 47.6062, -122.3321  # arbitrary
M_PER_DEG_LAT = EARTH_RADIUS_M * math.pi / 180
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(ORIGIN_LAT))


@dataclass(frozen=True, slots=True)
class Track:
    name: str
    fixes: list[Fix]
    stopped: list[bool]  # ground truth per fix (OnFoot); empty for synthetic tracks


def to_latlon(x_m: float, y_m: float) -> tuple[float, float]:
    """Local metres (east, north) around the origin to WGS-84 degrees (equirectangular)."""
    return ORIGIN_LAT + y_m / M_PER_DEG_LAT, ORIGIN_LON + x_m / M_PER_DEG_LON


def find_zip(data: Path) -> Path | None:
    path = data / "trajectories.zip" if data.is_dir() else data
    return path if path.is_file() else None


def _time_ms(text: str) -> int:
    """'1964-01-12 00:00:05.007000208' (nanoseconds, naive UTC) to epoch milliseconds."""
    whole, _, frac = text.partition(".")
    t = datetime.fromisoformat(whole).replace(tzinfo=UTC)
    return round(t.timestamp() * 1000) + int((frac + "000")[:3])


def load_goal(zip_path: Path, limit: int | None = None) -> list[Track]:
    tracks = []
    with zipfile.ZipFile(zip_path) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".csv"))[:limit]
        for name in names:
            fixes, stopped = [], []
            with z.open(name) as raw:
                for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
                    lat, lon = to_latlon(float(row["x"]), float(row["y"]))
                    fixes.append(Fix(_time_ms(row["timestamp"]), lat, lon))
                    stopped.append(row["groundtruth"] == "OnFoot")
            order = sorted(range(len(fixes)), key=lambda i: fixes[i].time_ms)
            tracks.append(Track(name, [fixes[i] for i in order], [stopped[i] for i in order]))
    return tracks


def label_by_spans(times: Sequence[int], spans: Sequence[tuple[int, int]]) -> list[bool]:
    """True for every time inside one of the (start, end) spans (inclusive), spans sorted."""
    out, j = [], 0
    spans = sorted(spans)
    for t in times:
        while j < len(spans) and spans[j][1] < t:
            j += 1
        out.append(j < len(spans) and spans[j][0] <= t)
    return out


def synthetic_track(n: int, seed: int = 1) -> list[Fix]:
    """A vehicle day after day: parked for 10-120 min with +-15 m jitter (30 s fixes), then
    driving 5-40 min at 20-90 km/h with turns (10 s fixes); ``n`` fixes in all."""
    rng = random.Random(seed)
    fixes: list[Fix] = []
    t, x, y, heading = 1_700_000_000_000, 0.0, 0.0, 0.0
    while len(fixes) < n:
        for _ in range(rng.randint(20, 240)):  # parked
            t += 30_000
            lat, lon = to_latlon(x + rng.gauss(0, 15), y + rng.gauss(0, 15))
            fixes.append(Fix(t, lat, lon, 10.0, 0.0))
        for _ in range(rng.randint(30, 240)):  # driving
            t += 10_000
            speed = rng.uniform(20, 90)
            heading += rng.gauss(0, 0.3)
            x += speed / 3.6 * 10 * math.cos(heading)
            y += speed / 3.6 * 10 * math.sin(heading)
            lat, lon = to_latlon(x, y)
            fixes.append(Fix(t, lat, lon, 10.0, speed))
    return fixes[:n]


def to_xy(lat: float, lon: float) -> tuple[float, float]:
    """The inverse of :func:`to_latlon`: local metres (east, north) around the origin."""
    return (lon - ORIGIN_LON) * M_PER_DEG_LON, (lat - ORIGIN_LAT) * M_PER_DEG_LAT
