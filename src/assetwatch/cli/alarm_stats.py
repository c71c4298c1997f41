"""``assetwatch alarms stats``: alarm counts, response times and false-positive rates."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from assetwatch.alarms.stats import alarm_stats
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
from assetwatch.tracking.service import parse_time

BAR_WIDTH = 30


def stats(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
    since: Annotated[
        str | None, typer.Option(help="raised at or after (ISO-8601 or epoch ms)")
    ] = None,
    until: Annotated[str | None, typer.Option(help="raised before (ISO-8601 or epoch ms)")] = None,
    alarm_type: Annotated[str | None, typer.Option("--type", help="only this alarm type")] = None,
    tz: Annotated[str, typer.Option("--tz", help="IANA time zone of the days")] = "UTC",
    top: Annotated[int, typer.Option(help="assets and counterparties listed")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="also draw the charts into this PNG file")
    ] = None,
) -> None:
    """Alarm counts, time to acknowledge and resolve, false-positive rates per type and profile."""
    engine = open_data(data_dir, database_url)
    result = alarm_stats(
        engine,
        scope=scope_for(engine, tenant),
        since_ms=parse_time(since, field="since"),
        until_ms=parse_time(until, field="until"),
        alarm_type=alarm_type,
        timezone=tz,
        top=top,
    )
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        print_stats(result)
    if plot is not None:
        from assetwatch.alarms.stats_plot import default_title, render_stats_png

        render_stats_png(result, plot, title=default_title(result, tenant=tenant))
        (err_console if as_json else console).print(
            f"charts written to {plot}", highlight=False, soft_wrap=True
        )


def print_stats(result: dict[str, Any]) -> None:
    """The figures as a summary and rich tables."""
    filters = result["filters"]
    console.print(
        f"[bold]{result['total']}[/] alarms ({result['repeats']} with repeats) raised from "
        f"{filters['since'] or 'the start'} to {filters['until'] or 'now'}",
        highlight=False,
    )
    if not result["total"]:
        return
    console.print(f"time to acknowledge: {_times(result['mtta_s'])}", highlight=False)
    console.print(f"time to resolve:     {_times(result['mttr_s'])}", highlight=False)
    console.print("severity:            " + _counts(result["by_severity"]), highlight=False)
    console.print("status:              " + _counts(result["by_status"]), highlight=False)
    console.print(_type_table(result))
    console.print(_profile_table(result["false_positive_rate"]["by_profile"]))
    console.print(_day_table(result["by_day"], filters["timezone"]))
    for key, title in (("asset", "Top assets"), ("counterparty", "Top counterparties")):
        if result[f"by_{key}"]:
            console.print(_top_table(result[f"by_{key}"], key, title))


def _type_table(result: dict[str, Any]) -> Table:
    table = Table(title="By type", header_style="bold")
    for column in ("type", "alarms", "MTTA", "MTTR", "false positives"):
        table.add_column(column, justify="left" if column == "type" else "right")
    rates = result["false_positive_rate"]["by_type"]
    for kind, count in result["by_type"].items():
        times = result["times_by_type"].get(kind, {})
        table.add_row(
            kind,
            str(count),
            duration(times.get("mtta_s", {}).get("mean")),
            duration(times.get("mttr_s", {}).get("mean")),
            _rate(rates.get(kind)),
        )
    return table


def _profile_table(by_profile: dict[str, Any]) -> Table:
    table = Table(title="False positives by profile", header_style="bold")
    for column in ("profile", "closed", "false positives", "rate"):
        table.add_column(column, justify="left" if column == "profile" else "right")
    for profile, row in by_profile.items():
        rate = "-" if row["rate"] is None else f"{row['rate']:.0%}"
        table.add_row(profile, str(row["closed"]), str(row["false_positive"]), rate)
    return table


def _day_table(by_day: dict[str, int], timezone: str) -> Table:
    table = Table(title=f"By day ({timezone})", header_style="bold")
    table.add_column("day")
    table.add_column("alarms", justify="right")
    table.add_column("")
    most = max(by_day.values(), default=1)
    for day, count in by_day.items():
        table.add_row(day, str(count), "█" * max(1, round(count / most * BAR_WIDTH)))
    return table


def _top_table(rows: list[dict[str, Any]], key: str, title: str) -> Table:
    table = Table(title=title, header_style="bold")
    table.add_column(key)
    table.add_column("alarms", justify="right")
    for row in rows:
        table.add_row(row[key], str(row["count"]))
    return table


def duration(seconds: float | None) -> str:
    """``42s``, ``4m 10s``, ``3h 05m``, ``2d 04h``; ``-`` for no value."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    if whole < 86400:
        return f"{whole // 3600}h {whole % 3600 // 60:02d}m"
    return f"{whole // 86400}d {whole % 86400 // 3600:02d}h"


def _times(summary: dict[str, Any]) -> str:
    if not summary["n"]:
        return "none yet"
    return (
        f"mean {duration(summary['mean'])}, median {duration(summary['median'])}, "
        f"p90 {duration(summary['p90'])} (n={summary['n']})"
    )


def _counts(counts: dict[str, int]) -> str:
    return " · ".join(f"{name} {count}" for name, count in counts.items())


def _rate(row: dict[str, Any] | None) -> str:
    if row is None or row["rate"] is None:
        return "-"
    return f"{row['rate']:.0%} of {row['closed']}"
