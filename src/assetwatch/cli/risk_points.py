"""``assetwatch risk-points import|list|delete``: the catalogue of 二押点 (pawn shops, …)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
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
from assetwatch.riskpoints import service, suggestions
from assetwatch.riskpoints.catalogue import CatalogueError, Problem
from assetwatch.riskpoints.models import RiskPointRead
from assetwatch.storage.clock import now_ms as wall_clock_ms

app = typer.Typer(
    help="Import, list and delete risk points (二押点: pawn shops, used-car markets, …).",
    no_args_is_help=True,
)


class DatumName(StrEnum):  # assetwatch.geo.datum.DATUMS
    wgs84 = "wgs84"
    gcj02 = "gcj02"
    bd09 = "bd09"


class CategoryName(StrEnum):  # assetwatch.riskpoints.categories.CATEGORIES
    pawn_shop = "pawn_shop"
    used_car_market = "used_car_market"
    scrapyard = "scrapyard"
    auction = "auction"
    port = "port"
    border = "border"
    repair_shop = "repair_shop"
    custom = "custom"


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def problems_table(problems: list[Problem], shown: int) -> Table:
    table = Table(title="Problems (nothing was imported)", header_style="bold")
    table.add_column("where")
    table.add_column("problem", style="red")
    for problem in problems[:shown]:
        table.add_row(problem.where or "file", problem.message)
    if len(problems) > shown:
        table.add_row("", f"… {len(problems) - shown:,} more")
    return table


def summary_table(summary: service.ImportSummary) -> Table:
    read = summary.read()
    title = "Risk-point import" + (" (dry run: nothing written)" if read.dry_run else "")
    table = Table(title=title, show_header=False)
    for name, value in (
        ("file", f"{read.format}, {read.encoding}, datum {read.datum}"),
        ("risk points", f"{read.rows:,}"),
        ("created", f"{read.created:,}"),
        ("updated", f"{read.updated:,}"),
        ("unchanged", f"{read.unchanged:,}"),
        ("ignored columns", ", ".join(read.ignored_columns) or "-"),
        ("time", f"{read.seconds:.2f} s"),
    ):
        table.add_row(name, value)
    return table


@app.command("import")
def import_(
    file: Annotated[str, typer.Argument(help="CSV or GeoJSON catalogue; - for stdin")],
    datum: Annotated[
        DatumName, typer.Option(help="datum of the file's coordinates (gcj02: AMap, Tencent)")
    ] = DatumName.wgs84,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check and count only")] = False,
    source: Annotated[str | None, typer.Option(help="stored with each; default: file name")] = None,
    show_problems: Annotated[int, typer.Option(help="problems listed", min=1)] = 50,
    tenant: Tenant = "demo-bank",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Upsert a catalogue by key. A file with any problem imports nothing: every problem is
    listed with its line (CSV) or feature (GeoJSON) number."""
    data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    engine = open_data(data_dir, database_url)
    scope = scope_for(engine, tenant)
    with _progress_bar() as bar:
        task = bar.add_task("checking", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, description="writing", completed=done, total=total)

        try:
            with engine.begin() as conn:
                summary = service.import_catalogue(
                    conn,
                    scope=scope,
                    data=data,
                    datum=datum.value,
                    source=source or ("stdin" if file == "-" else Path(file).name),
                    dry_run=dry_run,
                    progress=advance,
                )
        except CatalogueError as err:
            bar.stop()
            err_console.print(problems_table(err.problems, show_problems))
            err_console.print(f"[red]error:[/] {len(err.problems):,} problem(s) in {file}")
            raise typer.Exit(1) from err
        rows = len(summary.catalogue.entries)
        done = "checked" if dry_run else "imported"
        bar.update(task, description=done, completed=rows, total=rows)
    console.print(summary_table(summary))


def _where(point: RiskPointRead) -> str:
    if "circle" in point.shape:
        c = point.shape["circle"]
        return f"{c['lat']:.6f}, {c['lon']:.6f} r={c['radius_m']:g} m"
    return f"polygon of {len(point.shape['polygon']) - 1} vertices"


@app.command("list")
def list_(
    category: Annotated[CategoryName | None, typer.Option(help="only this category")] = None,
    limit: int = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
    tenant: Tenant = "demo-bank",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """List risk points by key (shapes in WGS-84)."""
    engine = open_data(data_dir, database_url)
    scope = scope_for(engine, tenant)
    with engine.connect() as conn:
        found = service.get_all(
            conn, scope=scope, category=category.value if category else None, limit=limit
        )
    if as_json:
        for point in found:
            sys.stdout.write(json.dumps(point.model_dump(), ensure_ascii=False) + "\n")
        return
    table = Table(title=f"Risk points ({len(found)})", header_style="bold")
    for column in ("key", "category", "name", "where (WGS-84)", "given in", "source"):
        table.add_column(column)
    for p in found:
        table.add_row(p.key, p.category, p.name, _where(p), p.datum_in, p.source)
    console.print(table)


@app.command()
def delete(
    key: str,
    tenant: Tenant = "demo-bank",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Delete one risk point."""
    engine = open_data(data_dir, database_url)
    scope = scope_for(engine, tenant)
    with engine.begin() as conn:
        service.delete(conn, scope=scope, key=key)
    console.print(f"deleted risk point {key}")


@app.command()
def suggest(
    days: Annotated[int, typer.Option(help="stays of the last N days")] = 180,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
    tenant: Tenant = "demo-bank",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Learned hotspots: where defaulted contracts' assets stayed far more than the rest.
    Confirm one by importing it (``risk-points import``) with its category."""
    engine = open_data(data_dir, database_url)
    found = suggestions.suggest(
        engine, scope=scope_for(engine, tenant), now_ms=wall_clock_ms(), days=days
    )
    if as_json:
        for spot in found:
            sys.stdout.write(json.dumps(spot) + "\n")
        return
    table = Table(title=f"Suggested risk points ({len(found)})", header_style="bold")
    for column in ("lat", "lon", "defaulted", "others", "lift", "p-value", "stays"):
        table.add_column(column)
    for s in found:
        table.add_row(
            f"{s['lat']:.6f}", f"{s['lon']:.6f}", str(s["defaulted_assets"]),
            str(s["other_assets"]), f"{s['lift']:.1f}", f"{s['p_value']:.1e}", str(s["stays"]),
        )  # fmt: skip
    console.print(table)
