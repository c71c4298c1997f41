"""``assetwatch risk score``: an asset's risk score, level and reasons, now."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.progress import Progress
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
)  # fmt: skip
from assetwatch.risk.scorecard import Locale
from assetwatch.risk.service import score_asset, sweep
from assetwatch.storage.clock import now_ms

app = typer.Typer(help="Risk scores of assets (issue 7).", no_args_is_help=True)


@app.command("score")
def score(
    asset: Annotated[str, typer.Option("--asset", help="asset key (VIN, serial)")],
    data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
    preset: Annotated[str, typer.Option(help="scorecard preset")] = "consumer_auto_loan",
    locale: Annotated[str, typer.Option(help="zh-CN or en")] = "en",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:  # fmt: skip
    """Score 0-100, level, reasons and every feature's points."""
    engine = open_data(data_dir, database_url)
    lang: Locale = "zh-CN" if locale == "zh-CN" else "en"
    result = score_asset(engine, scope=scope_for(engine, tenant), key=asset, now_ms=now_ms(),
                         preset=preset, locale=lang)  # fmt: skip
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    console.print(f"[bold]{asset}[/]: {result['score']:.0f} / 100, [bold]{result['level']}[/]")
    for reason in result["reasons"]:
        console.print(f"  · {reason}")
    table = Table("feature", "value", "points")
    for name, f in result["features"].items():
        table.add_row(name, f"{f['value']:g}", f"{f['points']:g}")
    for name in result["missing"]:
        table.add_row(name, "no data", "")
    console.print(table)


@app.command("sweep")
def sweep_command(
    data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
    preset: Annotated[str, typer.Option(help="scorecard preset")] = "consumer_auto_loan",
) -> None:  # fmt: skip
    """Score every asset of the tenant now and keep the scores (run it daily, e.g. from cron);
    level changes are events, and a rise to high or critical raises a risk_level alarm."""
    engine = open_data(data_dir, database_url)
    scope = scope_for(engine, tenant)
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("scoring", total=None)
        changes = sweep(engine, scope=scope, now_ms=now_ms(), preset=preset,
                        progress=lambda done, total: bar.update(task, completed=done,
                                                                total=total))  # fmt: skip
    for change in changes:
        alarm = f" (alarm {change.alarm_id})" if change.alarm_id is not None else ""
        console.print(f"{change.asset}: {change.before or '-'} -> {change.after} "
                      f"({change.score:.0f}){alarm}")  # fmt: skip
    console.print(f"{len(changes)} level change(s)")
