"""``assetwatch risk score``: an asset's risk score, level and reasons, now."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Engine

from assetwatch.audit.log import record
from assetwatch.cli.common import (
    DEFAULT_DATA_DIR,
    DatabaseUrl,
    DataDir,
    Tenant,
    cli_scope,
    console,
    err_console,
    open_data,
    scope_for,
)  # fmt: skip
from assetwatch.errors import ValidationError
from assetwatch.model.scope import Scope
from assetwatch.risk import profiles
from assetwatch.risk.presets import PRESETS
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


profiles_app = typer.Typer(help="Monitoring profiles: versioned scorecards.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")


def _cli_scope(engine: Engine, tenant: str) -> Scope:
    return cli_scope(scope_for(engine, tenant).tenant_id)


@profiles_app.command("copy")
def profile_copy(
    preset: Annotated[str, typer.Argument(help="built-in preset, e.g. consumer_auto_loan")],
    key: Annotated[str, typer.Argument(help="the new profile's key")],
    data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:  # fmt: skip
    """Start a profile (version 1) from a preset."""
    engine = open_data(data_dir, database_url)
    scope = _cli_scope(engine, tenant)
    with engine.begin() as conn:
        made = profiles.copy_preset(conn, scope=scope, preset=preset, key=key, now_ms=now_ms())
        record(conn, scope=scope, action="profile.copy", target=f"profile:{key}", after=made)
    console.print(f"[green]profile {key!r} v1 copied from {preset!r}[/]")


@profiles_app.command("set")
def profile_set(
    key: Annotated[str, typer.Argument(help="the profile's key")],
    file: Annotated[Path, typer.Option("--file", "-f", help="the scorecard as JSON")],
    data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:  # fmt: skip
    """A new version of the profile from a scorecard JSON file (see `profiles show`)."""
    try:
        card = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValidationError(f"{file}: {err}") from None
    engine = open_data(data_dir, database_url)
    scope = _cli_scope(engine, tenant)
    with engine.begin() as conn:
        before = profiles.get(conn, scope=scope, key=key)
        after = profiles.save(conn, scope=scope, key=key, scorecard=card, now_ms=now_ms())
        record(conn, scope=scope, action="profile.change", target=f"profile:{key}",
               before=before, after=after)  # fmt: skip
    console.print(f"[green]profile {key!r} is now v{after['version']}[/]")


@profiles_app.command("show")
def profile_show(
    key: Annotated[str, typer.Argument(help="a profile, or a built-in preset")],
    version: Annotated[int | None, typer.Option(help="an older version")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:  # fmt: skip
    """Print the scorecard as JSON (edit it and give it to `profiles set`)."""
    if key in PRESETS:
        shown: Any = profiles.card_to_json(PRESETS[key])
    else:
        engine = open_data(data_dir, database_url)
        with engine.connect() as conn:
            shown = profiles.get(conn, scope=scope_for(engine, tenant), key=key, version=version)
    sys.stdout.write(json.dumps(shown, ensure_ascii=False, indent=2) + "\n")
