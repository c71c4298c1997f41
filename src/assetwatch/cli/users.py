"""``assetwatch users``: the first admin of a fresh install, users, roles, grants, API keys.

Whoever runs the CLI has the database, so it acts as ``cli:<os user>``; every change is in
the audit log. Passwords are asked for (twice) or read from standard input, never taken as an
argument where the shell history would keep them.
"""

from __future__ import annotations

import getpass
import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import Engine

from assetwatch.audit.log import record
from assetwatch.auth import api_keys, sessions
from assetwatch.auth import users as accounts
from assetwatch.cli.common import (
    DEFAULT_DATA_DIR,
    DatabaseUrl,
    DataDir,
    Tenant,
    cli_scope,
    console,
    open_data,
)
from assetwatch.errors import ValidationError
from assetwatch.model.scope import Scope
from assetwatch.storage.clock import now_ms
from assetwatch.storage.engine import ensure_tenant

app = typer.Typer(help="Users, roles, org-unit grants and API keys.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for integrations (shown once).", no_args_is_help=True)
app.add_typer(keys_app, name="api-key")

Username = Annotated[str, typer.Argument(help="login name")]
Role = Annotated[
    str, typer.Option("--role", help="admin|risk_officer|operator|agent|auditor|viewer")
]
OrgUnits = Annotated[list[str] | None, typer.Option("--org-unit", help="granted subtree (repeat)")]
TenantWide = Annotated[bool, typer.Option("--tenant-wide", help="all org units")]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="read it from stdin")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ValidationError("the two passwords differ")
    return first


def _tenant_scope(conn: Any, tenant: str) -> Scope:
    return cli_scope(accounts.tenant_id_of(conn, tenant))


def _add_user(
    engine: Engine, *, tenant: str, username: str, password: str, role: str,
    org_units: list[str], tenant_wide: bool, new_tenant: bool = False,
) -> None:  # fmt: skip
    with engine.begin() as conn:
        tenant_id = (
            ensure_tenant(conn, tenant) if new_tenant else accounts.tenant_id_of(conn, tenant)
        )
        scope = cli_scope(tenant_id)
        user = accounts.create(conn, tenant_id=tenant_id, username=username, password=password,
                               role=role, now_ms=now_ms(), org_unit_keys=org_units,
                               tenant_wide=tenant_wide)  # fmt: skip
        record(conn, scope=scope, action="user.create", target=f"user:{username}", after=user)


@app.command("create-admin")
def create_admin(
    username: Username, data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank", password_stdin: PasswordStdin = False,
) -> None:  # fmt: skip
    """The first administrator of a tenant (created if it does not exist): tenant-wide."""
    password = _password(password_stdin)
    _add_user(open_data(data_dir, database_url), tenant=tenant, username=username,
              password=password, role="admin", org_units=[], tenant_wide=True,
              new_tenant=True)  # fmt: skip
    console.print(f"[green]admin {username!r} of {tenant!r} created[/]; sign in at POST "
                  "/api/v1/auth/login")  # fmt: skip


@app.command("create")
def create(
    username: Username, role: Role, org_unit: OrgUnits = None, tenant_wide: TenantWide = False,
    data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank", password_stdin: PasswordStdin = False,
) -> None:  # fmt: skip
    """A user with one role, granted org-unit subtrees (or --tenant-wide)."""
    password = _password(password_stdin)
    _add_user(open_data(data_dir, database_url), tenant=tenant, username=username,
              password=password, role=role, org_units=org_unit or [],
              tenant_wide=tenant_wide)  # fmt: skip
    console.print(f"[green]user {username!r} ({role}) created[/]")


@app.command("list")
def list_users(
    data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank", as_json: AsJson = False,
) -> None:  # fmt: skip
    engine = open_data(data_dir, database_url)
    with engine.connect() as conn:
        rows = accounts.list_all(conn, scope=_tenant_scope(conn, tenant))
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("user", "role", "org units", "TOTP", "disabled")
    for u in rows:
        units = "(tenant-wide)" if u["tenant_wide"] else ", ".join(u["org_units"])
        table.add_row(u["username"], u["role"], units, "yes" if u["totp"] else "",
                      "yes" if u["disabled"] else "")  # fmt: skip
    console.print(table)


@app.command("set")
def change(
    username: Username,
    role: Annotated[str | None, typer.Option(help="new role")] = None,
    disable: Annotated[bool | None, typer.Option("--disable/--enable")] = None,
    org_unit: OrgUnits = None, tenant_wide: Annotated[bool | None, typer.Option()] = None,
    reset_password: Annotated[bool, typer.Option(help="ask for a new password")] = False,
    data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank", password_stdin: PasswordStdin = False,
) -> None:  # fmt: skip
    """Change a user's role, grants or password, or disable them (ending their logins)."""
    password = _password(password_stdin) if reset_password else None
    engine = open_data(data_dir, database_url)
    now = now_ms()
    with engine.begin() as conn:
        scope = _tenant_scope(conn, tenant)
        before, after = accounts.change(
            conn, tenant_id=scope.tenant_id, username=username, now_ms=now, role=role,
            disabled=disable, password=password, org_unit_keys=org_unit,
            tenant_wide=tenant_wide,
        )  # fmt: skip
        if password is not None or disable:
            row = accounts.row_of(conn, tenant_id=scope.tenant_id, username=username)
            sessions.revoke_user(conn, row.id, now)
        record(conn, scope=scope, action="user.change", target=f"user:{username}",
               before=before, after=after)  # fmt: skip
    console.print(f"[green]user {username!r} changed[/]")


@keys_app.command("create")
def key_create(
    name: Annotated[str, typer.Argument(help="what the key is for")], role: Role,
    org_unit: OrgUnits = None, tenant_wide: TenantWide = False,
    data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:  # fmt: skip
    """A new API key, printed once on standard output (only its hash is kept)."""
    engine = open_data(data_dir, database_url)
    with engine.begin() as conn:
        scope = _tenant_scope(conn, tenant)
        described, key = api_keys.create(
            conn, tenant_id=scope.tenant_id, name=name, role=role, by=scope.actor,
            now_ms=now_ms(), org_unit_keys=org_unit or [], tenant_wide=tenant_wide,
        )  # fmt: skip
        record(conn, scope=scope, action="api_key.create",
               target=f"key:{described['prefix']}", after=described)  # fmt: skip
    sys.stdout.write(key + "\n")


@keys_app.command("list")
def key_list(
    data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:  # fmt: skip
    engine = open_data(data_dir, database_url)
    with engine.connect() as conn:
        rows = api_keys.list_all(conn, scope=_tenant_scope(conn, tenant))
    sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")


@keys_app.command("revoke")
def key_revoke(
    prefix: Annotated[str, typer.Argument(help="the key's prefix, as listed")],
    data_dir: DataDir = DEFAULT_DATA_DIR, database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:  # fmt: skip
    engine = open_data(data_dir, database_url)
    with engine.begin() as conn:
        scope = _tenant_scope(conn, tenant)
        before = api_keys.revoke(conn, tenant_id=scope.tenant_id, prefix=prefix, now_ms=now_ms())
        record(conn, scope=scope, action="api_key.revoke", target=f"key:{prefix}", before=before)
    console.print(f"[green]API key {prefix} revoked[/]")
