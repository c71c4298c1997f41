"""``assetwatch analytics stays|trips|places ASSET``: an asset's trajectory analytics."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from assetwatch.analytics import resident_report
from assetwatch.cli.common import (
    DEFAULT_DATA_DIR,
    DatabaseUrl,
    DataDir,
    Tenant,
    console,
    open_data,
    scope_for,
)
from assetwatch.storage.clock import now_ms
from assetwatch.tracking import segments
from assetwatch.tracking.service import parse_time

app = typer.Typer(help="Stays, trips and resident places of an asset.", no_args_is_help=True)
From = Annotated[str | None, typer.Option("--from", help="ISO-8601 or epoch ms")]
To = Annotated[str | None, typer.Option("--to", help="ISO-8601 or epoch ms")]
Json = Annotated[bool, typer.Option("--json", help="one JSON object per line")]


def _show(rows: list[dict[str, Any]], columns: list[str], title: str, as_json: bool) -> None:
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        return
    table = Table(title=title, header_style="bold")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*[_cell(row.get(c)) for c in columns])
    console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-":
        return value[5:19].replace("T", " ")  # MM-DD HH:MM:SS, UTC
    return "" if value is None else str(value)


@app.command()
def stays(
    asset: str, from_: From = None, to: To = None, as_json: Json = False,
    data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:  # fmt: skip
    """Where the asset stopped, oldest first (times UTC)."""
    engine = open_data(data_dir, database_url)
    rows = segments.stay_rows(
        engine, scope=scope_for(engine, tenant), asset=asset,
        from_ms=parse_time(from_, field="from"), to_ms=parse_time(to, field="to"),
    )  # fmt: skip
    columns = ["start", "end", "duration_s", "lat", "lon", "radius_m", "points", "retrospective"]
    _show(rows, columns, f"Stays of {asset}", as_json)


@app.command()
def trips(
    asset: str, from_: From = None, to: To = None, as_json: Json = False,
    data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:  # fmt: skip
    """The asset's trips between stays (times UTC)."""
    engine = open_data(data_dir, database_url)
    rows = segments.trip_rows(
        engine, scope=scope_for(engine, tenant), asset=asset,
        from_ms=parse_time(from_, field="from"), to_ms=parse_time(to, field="to"),
    )  # fmt: skip
    columns = ["start", "end", "distance_m", "duration_s", "max_speed_kmh", "avg_speed_kmh"]
    _show(rows, columns, f"Trips of {asset}", as_json)


@app.command()
def places(
    asset: str,
    days: Annotated[int, typer.Option(help="stays of the last N days")] = 60,
    tz: Annotated[str, typer.Option(help="IANA zone that defines night and day")] = (
        "Asia/Shanghai"
    ),
    as_json: Json = False,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Home, work and frequent places, and the signals they give."""
    engine = open_data(data_dir, database_url)
    found = resident_report.report(
        engine, scope=scope_for(engine, tenant), asset=asset, now_ms=now_ms(), days=days,
        timezone=tz,
    )  # fmt: skip
    if as_json:
        sys.stdout.write(json.dumps(found, ensure_ascii=False, default=str) + "\n")
        return
    columns = ["label", "lat", "lon", "radius_m", "stays", "dwell_h", "night_h", "workday_h"]
    _show(found["places"], columns, f"Places of {asset} ({found['stays']} stays)", False)
    for signal in found["signals"]:
        console.print(f"[yellow]{signal['type']}[/] {signal['subject']}")
