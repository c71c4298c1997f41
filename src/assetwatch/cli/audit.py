"""``assetwatch audit``: read the tenant's audit log (auditors, incident review)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from assetwatch.audit.log import MAX_ROWS, AuditQuery, query
from assetwatch.cli.common import (
    DEFAULT_DATA_DIR,
    DatabaseUrl,
    DataDir,
    Tenant,
    console,
    open_data,
    scope_for,
)  # fmt: skip
from assetwatch.tracking.service import parse_time


def audit(
    data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
    since: Annotated[str | None, typer.Option(help="ISO-8601 or epoch ms")] = None,
    until: Annotated[str | None, typer.Option(help="ISO-8601 or epoch ms")] = None,
    actor: Annotated[str | None, typer.Option(help="e.g. user:alice, key:ab12cd34")] = None,
    action: Annotated[str | None, typer.Option(help='exact, or a prefix ending in "."')] = None,
    target: Annotated[str | None, typer.Option(help="e.g. command:17")] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_ROWS)] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:  # fmt: skip
    """Who did what, when, from where: oldest first."""
    engine = open_data(data_dir, database_url)
    q = AuditQuery(since_ms=parse_time(since, field="since"),
                   until_ms=parse_time(until, field="until"), actor=actor, action=action,
                   target=target, limit=limit)  # fmt: skip
    with engine.connect() as conn:
        rows = query(conn, scope=scope_for(engine, tenant), q=q)
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("time (UTC)", "actor", "from", "action", "target", "outcome")
    for r in rows:
        when = datetime.fromtimestamp(r["time_ms"] / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(when, r["actor"], r["source"] or "", r["action"], r["target"] or "",
                      r["outcome"])  # fmt: skip
    console.print(table)
