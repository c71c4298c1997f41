"""``assetwatch notify``: notification settings, the outbox and its delivery log.

Settings are put by key from a JSON or YAML document (the API's request body), e.g.::

    assetwatch notify put channels ops-robot --spec '{"kind": "dingtalk", "config": {...}}'
    assetwatch notify put subscriptions ops-critical --spec-file sub.yaml
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from pydantic import BaseModel
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
from assetwatch.errors import ValidationError
from assetwatch.notify import service
from assetwatch.notify.model import Recipient
from assetwatch.notify.models import ChannelIn, ContactIn, EscalationPolicyIn, SubscriptionIn
from assetwatch.notify.run import deliver_forever, deliver_once
from assetwatch.storage.clock import now_ms

app = typer.Typer(
    help="Notification contacts, channels, subscriptions, escalation; the outbox.",
    no_args_is_help=True,
)
KINDS: dict[str, type[BaseModel]] = {
    "contacts": ContactIn,
    "channels": ChannelIn,
    "subscriptions": SubscriptionIn,
    "escalation-policies": EscalationPolicyIn,
}
What = Annotated[
    str, typer.Argument(help="contacts | channels | subscriptions | escalation-policies")
]


def _table(what: str) -> str:
    if what not in KINDS:
        raise ValidationError(f"unknown settings kind {what!r}; use {', '.join(KINDS)}")
    return what.replace("-", "_")


def _spec(spec: str | None, spec_file: Path | None) -> dict[str, Any]:
    if spec_file is not None and spec is None:
        text = spec_file.read_text(encoding="utf-8")
    elif spec is not None and spec_file is None:
        text = spec
    else:
        raise ValidationError("give exactly one of --spec and --spec-file")
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ValidationError(f"the spec is not JSON or YAML: {err}") from None
    if not isinstance(loaded, dict):
        raise ValidationError("the spec must be a JSON/YAML object")
    return loaded


@app.command()
def put(
    what: What,
    key: Annotated[str, typer.Argument(help="the setting's key")],
    spec: Annotated[str | None, typer.Option(help="JSON or YAML object")] = None,
    spec_file: Annotated[Path | None, typer.Option(help="file with the JSON/YAML object")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Create or replace a contact, channel, subscription or escalation policy."""
    table = _table(what)
    try:
        body = KINDS[what].model_validate(_spec(spec, spec_file))
    except ValueError as err:  # pydantic's ValidationError is a ValueError
        raise ValidationError(str(err)) from None
    engine = open_data(data_dir, database_url)
    scope = scope_for(engine, tenant)
    if isinstance(body, ContactIn):
        row = service.put_contact(engine, scope=scope, key=key, body=body)
    elif isinstance(body, ChannelIn):
        row = service.put_channel(engine, scope=scope, key=key, body=body, now_ms=now_ms())
    elif isinstance(body, SubscriptionIn):
        row = service.put_subscription(engine, scope=scope, key=key, body=body)
    else:
        assert isinstance(body, EscalationPolicyIn)
        row = service.put_policy(engine, scope=scope, key=key, body=body)
    console.print(f"{table[:-1].replace('_', ' ')} [bold]{key}[/] saved")
    _print_json(row)


@app.command("list")
def list_(
    what: What,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """List the settings of one kind (secrets redacted), one JSON object per line."""
    engine = open_data(data_dir, database_url)
    for row in service.list_rows(engine, scope=scope_for(engine, tenant), table=_table(what)):
        _print_json(row)


@app.command()
def delete(
    what: What,
    key: str,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Delete a setting (a channel still in use must be disabled instead)."""
    engine = open_data(data_dir, database_url)
    service.delete_row(engine, scope=scope_for(engine, tenant), table=_table(what), key=key)
    console.print(f"{key} deleted")


@app.command()
def outbox(
    status: Annotated[str | None, typer.Option(help="pending|sending|delivered|dead")] = None,
    alarm: Annotated[int | None, typer.Option(help="only those about this alarm")] = None,
    limit: int = 50,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """List notifications, newest first (``--status dead`` is the dead-letter queue)."""
    engine = open_data(data_dir, database_url)
    rows = service.list_notifications(
        engine, scope=scope_for(engine, tenant), status=status, alarm_id=alarm, limit=limit
    )
    if as_json:
        for row in rows:
            _print_json(row)
        return
    table = Table(title="Notifications", header_style="bold")
    for column in ("id", "created", "kind", "channel", "to", "alarms", "status", "tries", "error"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r["id"]), (r["created_at"] or "")[5:19], r["kind"], r["channel"],
            r["recipient"].get("key", ""), ",".join(map(str, r["alarm_ids"][:5])), r["status"],
            str(r["attempts"]), (r["last_error"] or "")[:40],
        )  # fmt: skip
    console.print(table)


@app.command()
def show(
    notification_id: int,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """One notification with its delivery log."""
    engine = open_data(data_dir, database_url)
    scope = scope_for(engine, tenant)
    _print_json(service.get_notification(engine, scope=scope, notification_id=notification_id))


@app.command()
def requeue(
    notification_id: int,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Queue a dead-lettered notification again (a running server sends it)."""
    engine = open_data(data_dir, database_url)
    scope = scope_for(engine, tenant)
    row = service.requeue(engine, scope=scope, notification_id=notification_id, now_ms=now_ms())
    console.print(f"notification {notification_id} is {row['status']} again")


@app.command()
def test(
    channel: str,
    email: Annotated[str | None, typer.Option(help="recipient address (email)")] = None,
    phone: Annotated[str | None, typer.Option(help="recipient number (SMS)")] = None,
    locale: str = "zh-CN",
    send_now: Annotated[bool, typer.Option("--send", help="deliver here, now")] = True,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
) -> None:
    """Send a test notification on a channel and print the outcome of each attempt."""
    engine = open_data(data_dir, database_url)
    scope = scope_for(engine, tenant)
    recipient = Recipient("cli-test", "CLI test", email, phone, locale=locale)
    row = service.send_test(engine, scope=scope, channel=channel, recipient=recipient,
                            now_ms=now_ms())  # fmt: skip
    if send_now:  # an in-app message has no live feed here: it is printed instead
        asyncio.run(deliver_once(engine, publish=lambda message: _print_json(message)))
        row = service.get_notification(engine, scope=scope, notification_id=row["id"])
    _print_json(row)


@app.command()
def deliver(
    once: Annotated[bool, typer.Option(help="one pass, then exit")] = False,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
) -> None:
    """Run the delivery worker on its own (``serve`` runs one already): escalations, storm
    summaries and every due notification, for all tenants."""
    engine = open_data(data_dir, database_url)
    if once:
        console.print(f"{asyncio.run(deliver_once(engine))} notifications attempted")
        return
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(deliver_forever(engine))


def _print_json(row: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
