"""``assetwatch commands send|list|show|approve|reject|cancel``: the downlink queue.

The CLI writes to the same database as the server; a running server picks new commands up
within ``command_poll_s`` and sends them when the device is online.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated, Any

import typer
from rich.table import Table

from assetwatch.cli.common import (
    DEFAULT_DATA_DIR,
    DatabaseUrl,
    DataDir,
    Tenant,
    console,
    open_data,
    scope_for,
)
from assetwatch.commands import service
from assetwatch.commands.models import DEFAULT_EXPIRY_S
from assetwatch.errors import ValidationError
from assetwatch.storage.clock import now_ms

app = typer.Typer(help="Send commands to devices and follow them.", no_args_is_help=True)

STATUS_STYLE = {"acked": "green", "failed": "red", "expired": "red", "sent": "yellow"}
APPROVAL_LABEL = {"not_required": "-"}
SETTLED = frozenset({"acked", "failed", "expired", "cancelled"})


def _params(pairs: list[str], as_json: str | None) -> dict[str, Any]:
    """``-p seconds=30 -p text=hello`` (values read as JSON when they parse) or ``--json``."""
    params: dict[str, Any] = {}
    if as_json:
        try:
            loaded = json.loads(as_json)
        except json.JSONDecodeError as err:
            raise ValidationError(f"--params-json: {err}") from None
        if not isinstance(loaded, dict):
            raise ValidationError("--params-json must be a JSON object")
        params.update(loaded)
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValidationError(f"-p {pair!r}: expected NAME=VALUE")
        try:
            params[name] = json.loads(value)
        except json.JSONDecodeError:
            params[name] = value
    return params


def answer_summary(reply: dict[str, Any]) -> str:
    """One short line of what the device answered (``show`` gives the whole reply)."""
    parts = []
    if "oil_cut" in reply:
        parts.append("fuel cut" if reply["oil_cut"] else "fuel restored")
    location = reply.get("location") or reply.get("position")
    if isinstance(location, dict) and "lat" in location:
        parts.append(f"at {location['lat']:.5f},{location['lon']:.5f}")
    if "parameters" in reply:
        parts.append(f"{len(reply['parameters'])} parameters")
    if "text" in reply:
        parts.append(repr(reply["text"]))
    if not parts and "result_name" in reply:
        parts.append(str(reply["result_name"]))
    return ", ".join(parts)


def command_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Commands", header_style="bold")
    for column in ("id", "created", "device", "kind", "status", "approval", "n", "answer"):
        table.add_column(column, no_wrap=column in ("id", "n", "status"))
    for r in rows:
        style = STATUS_STYLE.get(r["status"], "")
        answer = r["error"] or answer_summary(r["reply"])
        table.add_row(
            str(r["id"]),
            (r["created_at"] or "")[5:16].replace("T", " "),
            r["device"],
            r["kind"],
            f"[{style}]{r['status']}[/]" if style else r["status"],
            APPROVAL_LABEL.get(r["approval"], r["approval"]),
            str(r["attempts"]),
            answer,
        )
    return table


@app.command()
def send(
    device: Annotated[str, typer.Argument(help="device key (terminal phone, IMEI...)")],
    kind: Annotated[str, typer.Argument(help="e.g. set_report_interval, query_location")],
    param: Annotated[
        list[str] | None, typer.Option("-p", "--param", help="NAME=VALUE, repeatable")
    ] = None,
    params_json: Annotated[str | None, typer.Option(help="all params as one JSON object")] = None,
    expires_in_s: Annotated[int, typer.Option(help="give up after (seconds)")] = DEFAULT_EXPIRY_S,
    by: Annotated[str, typer.Option(help="who asks")] = "cli",
    reason: Annotated[str | None, typer.Option(help="why")] = None,
    wait: Annotated[float, typer.Option(help="wait this long for the answer (s)")] = 0.0,
    protocol: Annotated[str | None, typer.Option(help="when two protocols share the key")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Queue a command; it is sent when the device is online."""
    engine = open_data(data_dir, database_url)
    scope = scope_for(engine, tenant)
    row = service.create(
        engine,
        scope=scope,
        device=device,
        protocol=protocol,
        kind=kind,
        params=_params(param or [], params_json),
        now_ms=now_ms(),
        expires_in_s=expires_in_s,
        requested_by=by,
        reason=reason,
    )
    view = service.public_view(row)
    pending = view["approval"] == "pending"
    note = " (needs an approval: `assetwatch commands approve`)" if pending else ""
    console.print(f"command {view['id']} {view['kind']} for {device} is queued{note}")
    if wait > 0:
        _wait(engine, scope, view["id"], wait)


def _wait(engine: Any, scope: Any, command_id: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    with console.status(f"waiting for the answer to command {command_id}…"):
        while time.monotonic() < deadline:
            view = service.public_view(service.get(engine, scope=scope, command_id=command_id))
            if view["status"] in SETTLED:
                break
            time.sleep(0.5)
    console.print(command_table([view]))
    if view["status"] != "acked":
        raise typer.Exit(1)


@app.command("list")
def list_(
    device: Annotated[str | None, typer.Option(help="device key")] = None,
    status: Annotated[str | None, typer.Option(help="queued|sent|acked|failed|expired")] = None,
    kind: Annotated[str | None, typer.Option(help="command kind")] = None,
    limit: int = 100,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """List commands, newest first."""
    engine = open_data(data_dir, database_url)
    rows = service.list_commands(
        engine,
        scope=scope_for(engine, tenant),
        device=device,
        status=status,
        kind=kind,
        limit=limit,
    )
    views = [service.public_view(r) for r in rows]
    if as_json:
        for view in views:
            sys.stdout.write(json.dumps(view, ensure_ascii=False) + "\n")
        return
    console.print(command_table(views))


@app.command()
def show(
    command_id: int,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """One command, whole, as JSON."""
    engine = open_data(data_dir, database_url)
    row = service.get(engine, scope=scope_for(engine, tenant), command_id=command_id)
    sys.stdout.write(json.dumps(service.public_view(row), ensure_ascii=False, indent=2) + "\n")


def _decide(action: str, command_id: int, by: str, data_dir: Any, url: Any, tenant: str) -> None:
    engine = open_data(data_dir, url)
    decide = {"approve": service.approve, "reject": service.reject, "cancel": service.cancel}
    row = decide[action](
        engine, scope=scope_for(engine, tenant), command_id=command_id, by=by, now_ms=now_ms()
    )
    view = service.public_view(row)
    console.print(
        f"command {command_id} is now [bold]{view['status']}[/], approval {view['approval']}"
    )


@app.command()
def approve(
    command_id: int,
    by: Annotated[str, typer.Option(help="who approves (not the requester)")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Approve a pending command (e.g. cut_oil); it is then sent."""
    _decide("approve", command_id, by, data_dir, database_url, tenant)


@app.command()
def reject(
    command_id: int,
    by: Annotated[str, typer.Option(help="who rejects")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Reject a pending command; it is never sent."""
    _decide("reject", command_id, by, data_dir, database_url, tenant)


@app.command()
def cancel(
    command_id: int,
    by: Annotated[str, typer.Option(help="who cancels")] = "cli",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Cancel a command that has not been sent."""
    _decide("cancel", command_id, by, data_dir, database_url, tenant)
