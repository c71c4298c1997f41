"""``assetwatch cells import|lookup|resolve``: the global cell-tower catalogue."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import pydantic
import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from assetwatch.cells import service
from assetwatch.cells.importer import ImportSummary
from assetwatch.cells.models import ResolveRequest
from assetwatch.cli.common import DEFAULT_DATA_DIR, DatabaseUrl, DataDir, console, open_data
from assetwatch.errors import ValidationError

app = typer.Typer(help="Import and query the cell-tower catalogue.", no_args_is_help=True)

Source = Annotated[str, typer.Argument(help="OpenCellID CSV or .csv.gz file; - for stdin")]


def _open(path: str) -> tuple[BinaryIO, int | None]:
    """The file (or stdin) and its size in bytes when known."""
    if path == "-":
        return sys.stdin.buffer, None
    file = Path(path).open("rb")  # closed by the caller
    return file, Path(path).stat().st_size


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]importing"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]:>12,} rows"),
        TextColumn("{task.fields[rate]:>9,.0f} rows/s"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def summary_table(summary: ImportSummary, rejects_shown: int) -> Table:
    table = Table(title="Cell import", show_header=False)
    for name, value in (
        ("rows read", f"{summary.rows_read:,}"),
        ("added", f"{summary.added:,}"),
        ("updated", f"{summary.updated:,}"),
        ("unchanged", f"{summary.unchanged:,}"),
        ("rejected", f"{summary.rejected:,}"),
        ("skipped (--mcc)", f"{summary.skipped:,}"),
        ("time", f"{summary.seconds:.1f} s ({summary.rows_per_second:,.0f} rows/s)"),
    ):
        table.add_row(name, value)
    for reject in summary.rejects[:rejects_shown]:
        table.add_row(f"line {reject.line}", f"[red]{reject.reason}[/]")
    if summary.rejected > min(rejects_shown, len(summary.rejects)):
        table.add_row("", f"… {summary.rejected - min(rejects_shown, len(summary.rejects)):,} more")
    return table


@app.command("import")
def import_(
    file: Source,
    mcc: Annotated[
        list[int] | None, typer.Option("--mcc", help="keep only this country code (repeatable)")
    ] = None,
    show_rejects: Annotated[int, typer.Option(help="rejected rows listed", min=0)] = 10,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Import an OpenCellID file (millions of rows, streamed; bad rows are reported, never
    fatal). Re-importing is safe: only newer records change the catalogue."""
    engine = open_data(data_dir, database_url)
    source, total = _open(file)
    with source, _progress_bar() as bar:
        task = bar.add_task("import", total=total, rows=0, rate=0.0)

        def advance(bytes_read: int, rows: int, task: TaskID = task) -> None:
            elapsed = bar.tasks[task].elapsed or 0.0
            bar.update(task, completed=bytes_read, rows=rows, rate=rows / elapsed if elapsed else 0)

        summary = service.import_csv(
            engine,
            actor="cli",
            source=source,
            mcc=frozenset(mcc) if mcc else None,
            progress=advance,
        )
    console.print(summary_table(summary, show_rejects))


def _print_json(value: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")


@app.command()
def lookup(
    mcc: int,
    mnc: int,
    lac: Annotated[int, typer.Argument(help="LAC or TAC")],
    ci: Annotated[int, typer.Argument(help="cell id")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Print one catalogue cell as JSON."""
    engine = open_data(data_dir, database_url)
    with engine.connect() as conn:
        _print_json(service.get(conn, mcc=mcc, mnc=mnc, lac=lac, cid=ci).model_dump())


@app.command()
def resolve(
    file: Annotated[
        str, typer.Argument(help='JSON: [{"mcc", "mnc", "lac", "ci", "signal_dbm"}...]; - stdin')
    ] = "-",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Print the position and accuracy radius of a device hearing the given cells."""
    text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
        request = ResolveRequest.model_validate(data if isinstance(data, dict) else {"cells": data})
    except (json.JSONDecodeError, pydantic.ValidationError) as err:
        raise ValidationError(f"not a list of cells: {err}".splitlines()[0]) from err
    engine = open_data(data_dir, database_url)
    with engine.connect() as conn:
        _print_json(service.resolve(conn, cells=request.cells).model_dump())
