"""``assetwatch alarms list|ack|resolve``."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated, Any

import typer
from rich.table import Table

from assetwatch.alarms import service
from assetwatch.cli import alarm_stats
from assetwatch.cli.common import (
    DEFAULT_DATA_DIR,
    DatabaseUrl,
    DataDir,
    Tenant,
    console,
    open_data,
    scope_for,
)
from assetwatch.pipeline.processor import now_ms

app = typer.Typer(help="List, acknowledge and resolve alarms.", no_args_is_help=True)

SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def short_time(ms: int) -> str:
    """``MM-DD HH:MM:SS`` UTC: enough to read a table at 80 columns."""
    return time.strftime("%m-%d %H:%M:%S", time.gmtime(ms / 1000))


def alarm_table(rows: list[dict[str, Any]], title: str = "Alarms") -> Table:
    table = Table(title=title, header_style="bold")
    for column in ("id", "opened", "type", "asset", "subject", "severity", "status", "n", "retro"):
        table.add_column(column)
    for r in rows:
        style = SEVERITY_STYLE.get(r["severity"], "")
        table.add_row(
            str(r["id"]),
            short_time(r["opened_ms"]),
            r["type"],
            r["asset"] or "-",
            r["subject"],
            f"[{style}]{r['severity']}[/]",
            r["status"],
            str(r["count"]),
            "yes" if r["retrospective"] else "",
        )
    return table


@app.command("list")
def list_(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
    status: Annotated[str | None, typer.Option(help="open|acknowledged|resolved|active")] = None,
    alarm_type: Annotated[str | None, typer.Option("--type", help="e.g. geofence_exit")] = None,
    asset: Annotated[str | None, typer.Option(help="asset key")] = None,
    limit: int = 100,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """List alarms, newest first."""
    engine = open_data(data_dir, database_url)
    rows = service.list_alarms(
        engine,
        scope=scope_for(engine, tenant),
        status=status,
        alarm_type=alarm_type,
        asset=asset,
        limit=limit,
    )
    if as_json:
        for r in rows:
            sys.stdout.write(
                json.dumps(service.public_view(r), default=str, ensure_ascii=False) + "\n"
            )
        return
    console.print(alarm_table(rows))


def _transition(
    action: str, alarm_id: int, note: str | None, data_dir: Any, database_url: Any, tenant: str
) -> None:
    engine = open_data(data_dir, database_url)
    scope = scope_for(engine, tenant)
    fn = service.acknowledge if action == "ack" else service.resolve
    alarm = fn(engine, scope=scope, alarm_id=alarm_id, now_ms=now_ms(), note=note)
    console.print(f"alarm {alarm_id} is now [bold]{alarm['status']}[/]")


@app.command()
def ack(
    alarm_id: int,
    note: Annotated[str | None, typer.Option(help="why")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Acknowledge an open alarm."""
    _transition("ack", alarm_id, note, data_dir, database_url, tenant)


@app.command()
def resolve(
    alarm_id: int,
    note: Annotated[str | None, typer.Option(help="why")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Resolve an open or acknowledged alarm."""
    _transition("resolve", alarm_id, note, data_dir, database_url, tenant)


app.command("stats")(alarm_stats.stats)
