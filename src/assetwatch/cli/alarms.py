"""``assetwatch alarms list|ack|resolve|false-positive|assign|note|history``."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated, Any

import typer
from rich.table import Table

from assetwatch.alarms import lifecycle, service
from assetwatch.alarms.statuses import ACKNOWLEDGED, FALSE_POSITIVE, RESOLVED
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

app = typer.Typer(
    help="List alarms; acknowledge, resolve, assign, annotate them; see their history.",
    no_args_is_help=True,
)

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
    status: Annotated[
        str | None, typer.Option(help="open|acknowledged|resolved|false_positive|active")
    ] = None,
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


Note = Annotated[str | None, typer.Option(help="why, in your words")]
By = Annotated[str | None, typer.Option(help="who acts (until users arrive)")]


def _transition_command(name: str, to: str, help_text: str) -> None:
    """Register ``alarms NAME ALARM_ID [--note] [--by]``, moving the alarm to ``to``."""

    def command(
        alarm_id: int,
        note: Note = None,
        by: By = None,
        data_dir: DataDir = DEFAULT_DATA_DIR,
        database_url: DatabaseUrl = None,
        tenant: Tenant = "demo-bank",
    ) -> None:
        engine = open_data(data_dir, database_url)
        alarm = lifecycle.transition(
            engine, scope=scope_for(engine, tenant), alarm_id=alarm_id, to=to,
            now_ms=now_ms(), note=note, by=by,
        )  # fmt: skip
        console.print(f"alarm {alarm_id} is now [bold]{alarm['status']}[/]")

    command.__doc__ = help_text
    app.command(name)(command)


_transition_command("ack", ACKNOWLEDGED, "Acknowledge an open alarm (stops its escalation).")
_transition_command("resolve", RESOLVED, "Resolve an open or acknowledged alarm.")
_transition_command(
    "false-positive",
    FALSE_POSITIVE,
    "Close an alarm as a false positive (counted against its rule and profile).",
)


@app.command()
def assign(
    alarm_id: int,
    assignee: Annotated[str, typer.Argument(help="new owner; '-' to unassign")],
    note: Note = None,
    by: By = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Give an active alarm an owner."""
    engine = open_data(data_dir, database_url)
    alarm = lifecycle.assign(
        engine, scope=scope_for(engine, tenant), alarm_id=alarm_id,
        assignee=None if assignee == "-" else assignee, now_ms=now_ms(), note=note, by=by,
    )  # fmt: skip
    console.print(f"alarm {alarm_id} is assigned to [bold]{alarm['assignee'] or 'nobody'}[/]")


@app.command()
def note(
    alarm_id: int,
    text: Annotated[str, typer.Argument(help="the note")],
    by: By = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Add a note to an alarm."""
    engine = open_data(data_dir, database_url)
    lifecycle.add_note(
        engine, scope=scope_for(engine, tenant), alarm_id=alarm_id, note=text, now_ms=now_ms(),
        by=by,
    )  # fmt: skip
    console.print(f"note added to alarm {alarm_id}")


@app.command()
def history(
    alarm_id: int,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Show an alarm's full history."""
    engine = open_data(data_dir, database_url)
    rows = lifecycle.history(engine, scope=scope_for(engine, tenant), alarm_id=alarm_id)
    table = Table(title=f"Alarm {alarm_id}", header_style="bold")
    for column in ("time", "actor", "action", "from", "to", "note"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            short_time(r["time_ms"]), r["actor"], r["action"], r["from_status"] or "",
            r["to_status"] or "", r["note"] or "",
        )  # fmt: skip
    console.print(table)


app.command("stats")(alarm_stats.stats)
