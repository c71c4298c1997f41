"""Shared CLI plumbing: options, opening the data dir, printing errors in one red line."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine, select

from assetwatch.errors import NotFoundError
from assetwatch.model.scope import Scope
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from assetwatch.storage.schema import tenants

console = Console()
err_console = Console(stderr=True)

DataDir = Annotated[
    Path, typer.Option("--data-dir", envvar="ASSETWATCH_DATA_DIR", help="Embedded data directory")
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="ASSETWATCH_DATABASE_URL",
        help="SQLAlchemy URL (overrides --data-dir)",
    ),
]
Tenant = Annotated[str, typer.Option("--tenant", envvar="ASSETWATCH_TENANT", help="Tenant key")]
DEFAULT_DATA_DIR = Path("./data")


def open_data(data_dir: Path, database_url: str | None) -> Engine:
    engine = open_engine(database_url or sqlite_url(data_dir))
    migrate(engine)
    return engine


def scope_for(engine: Engine, tenant: str) -> Scope:
    with engine.connect() as conn:
        tenant_id = conn.scalar(select(tenants.c.id).where(tenants.c.key == tenant))
    if tenant_id is None:
        raise NotFoundError(f"tenant {tenant!r} does not exist (provision it with `apply`)")
    return Scope(tenant_id=int(tenant_id), actor="cli")


def cli_scope(tenant_id: int) -> Scope:
    """The scope of a CLI change, as the audit log shows it: ``cli:<os user>`` from ``cli``."""
    return Scope(tenant_id, None, f"cli:{getpass.getuser()}", "cli")
