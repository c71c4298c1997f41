"""``assetwatch track ASSET --from --to --format table|csv|geojson``."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from assetwatch.cli.common import (
    DEFAULT_DATA_DIR,
    DatabaseUrl,
    DataDir,
    Tenant,
    console,
    open_data,
    scope_for,
)
from assetwatch.tracking import service


class TrackFormat(StrEnum):
    table = "table"
    csv = "csv"
    geojson = "geojson"


CSV_FIELDS = (
    "time",
    "lat",
    "lon",
    "altitude_m",
    "speed_kmh",
    "course",
    "valid",
    "fix_source",
    "accuracy_m",
    "alarms",
    "late",
    "device",
)


def fix_label(point: dict[str, Any]) -> str:
    """``gps``, ``cell ±1500 m``...: where the position came from and how good it is."""
    accuracy = point["accuracy_m"]
    return str(point["fix_source"]) + ("" if accuracy is None else f" ±{accuracy:.0f} m")


def to_geojson(asset: str, points: list[dict[str, Any]]) -> dict[str, Any]:
    """A FeatureCollection: the track as a LineString plus one Point per fix."""
    located = [p for p in points if p["lat"] is not None and p["valid"]]
    features: list[dict[str, Any]] = []
    if len(located) >= 2:
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[p["lon"], p["lat"]] for p in located],
                },
                "properties": {
                    "asset": asset,
                    "from": located[0]["time"],
                    "to": located[-1]["time"],
                },
            }
        )
    features.extend(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
            "properties": {k: v for k, v in p.items() if k not in ("lat", "lon")},
        }
        for p in located
    )
    return {"type": "FeatureCollection", "features": features}


def track(
    asset: Annotated[str, typer.Argument(help="asset key (e.g. the VIN)")],
    from_: Annotated[str | None, typer.Option("--from", help="ISO-8601 or epoch ms")] = None,
    to: Annotated[str | None, typer.Option("--to", help="ISO-8601 or epoch ms")] = None,
    fmt: Annotated[TrackFormat, typer.Option("--format")] = TrackFormat.table,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Print an asset's track."""
    engine = open_data(data_dir, database_url)
    points = service.track(
        engine,
        scope=scope_for(engine, tenant),
        asset=asset,
        from_ms=service.parse_time(from_, field="--from"),
        to_ms=service.parse_time(to, field="--to"),
    )
    if fmt is TrackFormat.geojson:
        sys.stdout.write(json.dumps(to_geojson(asset, points), ensure_ascii=False) + "\n")
    elif fmt is TrackFormat.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for p in points:
            writer.writerow({**p, "alarms": ";".join(p["alarms"])})
    else:
        table = Table(title=f"Track of {asset} ({len(points)} fixes)")
        for column in ("time", "lat", "lon", "km/h", "course", "fix", "alarms", "late", "device"):
            table.add_column(column, overflow="fold")
        for p in points:
            table.add_row(
                p["time"],
                "-" if p["lat"] is None else f"{p['lat']:.6f}",
                "-" if p["lon"] is None else f"{p['lon']:.6f}",
                f"{p['speed_kmh'] or 0:.1f}",
                str(p["course"]),
                fix_label(p),
                ",".join(p["alarms"]),
                "late" if p["late"] else "",
                p["device"],
            )
        console.print(table)
