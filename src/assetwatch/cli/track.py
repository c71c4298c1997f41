"""``assetwatch track ASSET --from --to --format table|csv|geojson|gpx|kml [--datum]
[--simplify-m] [--overlay] [--out FILE]``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Final, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assetwatch.cli.common import (
    DEFAULT_DATA_DIR,
    DatabaseUrl,
    DataDir,
    Tenant,
    console,
    err_console,
    open_data,
    scope_for,
)
from assetwatch.tracking import export, service
from assetwatch.tracking import overlay as overlays
from assetwatch.tracking.export_xml import DATUM_NAMES
from assetwatch.tracking.playback import Playback, event_json, playback, point_json, stay_json

PROGRESS_ABOVE: Final = 10_000  # fixes: a file export this large shows a progress bar


class TrackFormat(StrEnum):
    table = "table"
    csv = "csv"
    geojson = "geojson"
    gpx = "gpx"
    kml = "kml"


class DatumChoice(StrEnum):
    wgs84 = "wgs84"
    gcj02 = "gcj02"
    bd09 = "bd09"


def fix_label(point: dict[str, Any]) -> str:
    """``gps``, ``cell ±1500 m``...: where the position came from and how good it is."""
    accuracy = point["accuracy_m"]
    return str(point["fix_source"]) + ("" if accuracy is None else f" ±{accuracy:.0f} m")


def track(
    asset: Annotated[str, typer.Argument(help="asset key (e.g. the VIN)")],
    from_: Annotated[str | None, typer.Option("--from", help="ISO-8601 or epoch ms")] = None,
    to: Annotated[str | None, typer.Option("--to", help="ISO-8601 or epoch ms")] = None,
    fmt: Annotated[TrackFormat, typer.Option("--format")] = TrackFormat.table,
    datum: Annotated[
        DatumChoice, typer.Option(help="datum of the coordinates written (gcj02: Chinese maps)")
    ] = DatumChoice.wgs84,
    simplify_m: Annotated[
        float | None,
        typer.Option(
            "--simplify-m",
            min=0.0,
            help="Douglas-Peucker tolerance in metres; alarm fixes, fix-source changes and "
            "fixes at events are kept",
        ),
    ] = None,
    with_overlay: Annotated[
        bool, typer.Option("--overlay/--no-overlay", help="add stays and events")
    ] = False,
    fix_points: Annotated[
        bool, typer.Option(help="geojson: one Point feature per fix, as before the track line")
    ] = True,
    out: Annotated[Path | None, typer.Option("--out", help="write to FILE, not stdout")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Print an asset's track, or export it (GPX, KML, GeoJSON, CSV)."""
    engine = open_data(data_dir, database_url)
    found = playback(
        engine,
        scope=scope_for(engine, tenant),
        asset=asset,
        from_ms=service.parse_time(from_, field="--from"),
        to_ms=service.parse_time(to, field="--to"),
        simplify_m=simplify_m,
        with_overlay=with_overlay,
        datum=datum.value,
        stays=overlays.STAYS_PROVIDER,
    )
    if found.truncated:
        err_console.print(f"[yellow]stopped at {found.fixes:,} fixes: narrow --from/--to[/]")
    if out is None:
        _write(sys.stdout, found, fmt, fix_points, progress=False)
        return
    fixes = _fixes_written(found, fmt)
    with out.open("w", encoding="utf-8", newline="") as file:
        _write(file, found, fmt, fix_points, progress=fixes > PROGRESS_ABOVE)
    err_console.print(
        f"{fixes:,} fixes written to {out} ({fmt.value}, {DATUM_NAMES[found.datum]})",
        highlight=False,
        soft_wrap=True,
    )


def _fixes_written(found: Playback, fmt: TrackFormat) -> int:
    """Tables and CSV list every fix read; the map formats draw the displayable ones."""
    if fmt in (TrackFormat.table, TrackFormat.csv):
        return len(found.points)
    return len(found.located())


def _write(
    file: TextIO, found: Playback, fmt: TrackFormat, fix_points: bool, *, progress: bool
) -> None:
    if fmt is TrackFormat.table:
        _print_tables(console if file is sys.stdout else Console(file=file, width=160), found)
        return
    if not progress:
        file.writelines(_chunks(found, fmt, fix_points, None))
        return
    with Progress(
        TextColumn(f"[bold]writing {fmt.value}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("fixes"),
        TimeElapsedColumn(),
        console=err_console,
    ) as bar:
        task = bar.add_task("write", total=_fixes_written(found, fmt))
        file.writelines(
            _chunks(found, fmt, fix_points, lambda done: bar.update(task, completed=done))
        )


def _chunks(
    found: Playback, fmt: TrackFormat, fix_points: bool, progress: export.Progress | None
) -> Iterator[str]:
    if fmt is TrackFormat.geojson:
        return export.geojson(found, progress, fix_points=fix_points)
    return export.FORMATS[fmt.value].write(found, progress)


def _print_tables(out: Console, found: Playback) -> None:
    datum = "" if found.datum == "wgs84" else f", coordinates {found.datum}"
    table = Table(title=f"Track of {found.asset} ({len(found.points)} fixes{datum})")
    for column in ("time", "lat", "lon", "km/h", "course", "fix", "alarms", "late", "device"):
        table.add_column(column, overflow="fold")
    for p in (point_json(found, p) for p in found.points):
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
    out.print(table)
    if found.overlay is None:
        return
    stays = Table(title=f"Stays ({len(found.overlay.stays)})")
    for column in ("start", "end", "lat", "lon", "radius m", "fixes"):
        stays.add_column(column)
    for s in (stay_json(found, s) for s in found.overlay.stays):
        stays.add_row(s["start"], s["end"], f"{s['lat']:.6f}", f"{s['lon']:.6f}",
                      f"{s['radius_m']:.0f}", str(s["points"]))  # fmt: skip
    events = Table(title=f"Events ({len(found.overlay.events)})")
    for column in ("time", "type", "subject", "lat", "lon", "retrospective"):
        events.add_column(column, overflow="fold")
    for e in (event_json(found, e) for e in found.overlay.events):
        events.add_row(
            e["time"], e["type"], e["subject"],
            "-" if e["lat"] is None else f"{e['lat']:.6f}",
            "-" if e["lon"] is None else f"{e['lon']:.6f}",
            "yes" if e["retrospective"] else "",
        )  # fmt: skip
    out.print(*([stays] if found.overlay.stays else []), events)
