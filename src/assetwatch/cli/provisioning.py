"""``assetwatch apply -f FILE.yaml [--dry-run]``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assetwatch.cli.common import DEFAULT_DATA_DIR, DatabaseUrl, DataDir, console, open_data
from assetwatch.registry.provisioning import apply_file


def apply(
    file: Annotated[
        Path,
        typer.Option(
            "-f", "--file", help="provisioning YAML", exists=True, dir_okay=False, readable=True
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show changes, write nothing")] = False,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Create or update tenants, counterparties, contracts, assets, devices and places."""
    engine = open_data(data_dir, database_url)
    report = apply_file(engine, file, dry_run=dry_run)
    console.print(report.render(), markup=False, highlight=False)
