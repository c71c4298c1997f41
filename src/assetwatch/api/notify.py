"""Notification routes: contacts, channels, subscriptions, escalation policies (put by key),
the outbox with its delivery log, dead-letter re-queue and test sends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import BaseModel, Field

from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.notify import service
from assetwatch.notify.model import Recipient
from assetwatch.notify.models import (
    KEY,
    ChannelIn,
    ContactIn,
    EscalationPolicyIn,
    SubscriptionIn,
)
from assetwatch.storage.clock import now_ms

router = APIRouter(tags=["notifications"])
Key = Annotated[str, Path(pattern=KEY, description="letters, digits and _.:@-")]


def _changed(request: Request) -> None:
    """Tell the running platform its notification settings changed, and wake the worker."""
    hook: Callable[[], None] | None = getattr(request.app.state, "on_notify_change", None)
    if hook is not None:
        hook()


@router.put("/notify/contacts/{key}")
def put_contact(
    key: Key, body: ContactIn, request: Request, engine: EngineDep, scope: ScopeDep
) -> dict[str, Any]:
    row = service.put_contact(engine, scope=scope, key=key, body=body)
    _changed(request)
    return row


@router.put("/notify/channels/{key}")
def put_channel(
    key: Key, body: ChannelIn, request: Request, engine: EngineDep, scope: ScopeDep
) -> dict[str, Any]:
    """Create or replace a channel. Secrets in its config are never shown again."""
    row = service.put_channel(engine, scope=scope, key=key, body=body, now_ms=now_ms())
    _changed(request)
    return row


@router.put("/notify/subscriptions/{key}")
def put_subscription(
    key: Key, body: SubscriptionIn, request: Request, engine: EngineDep, scope: ScopeDep
) -> dict[str, Any]:
    row = service.put_subscription(engine, scope=scope, key=key, body=body)
    _changed(request)
    return row


@router.put("/notify/escalation-policies/{key}")
def put_policy(
    key: Key, body: EscalationPolicyIn, request: Request, engine: EngineDep, scope: ScopeDep
) -> dict[str, Any]:
    row = service.put_policy(engine, scope=scope, key=key, body=body)
    _changed(request)
    return row


def _table_routes(path: str, table: str) -> None:
    def list_all(engine: EngineDep, scope: ScopeDep) -> list[dict[str, Any]]:
        return service.list_rows(engine, scope=scope, table=table)

    def get_one(key: str, engine: EngineDep, scope: ScopeDep) -> dict[str, Any]:
        return service.get_row(engine, scope=scope, table=table, key=key)

    def delete_one(key: str, request: Request, engine: EngineDep, scope: ScopeDep) -> Response:
        service.delete_row(engine, scope=scope, table=table, key=key)
        _changed(request)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    name = table.replace("_", "-")
    router.add_api_route(f"/notify/{path}", list_all, methods=["GET"], name=f"list-{name}")
    router.add_api_route(f"/notify/{path}/{{key}}", get_one, methods=["GET"], name=f"get-{name}")
    router.add_api_route(
        f"/notify/{path}/{{key}}", delete_one, methods=["DELETE"], status_code=204,
        name=f"delete-{name}", response_class=Response,
    )  # fmt: skip


for _path, _table in (
    ("contacts", "contacts"),
    ("channels", "channels"),
    ("subscriptions", "subscriptions"),
    ("escalation-policies", "escalation_policies"),
):
    _table_routes(_path, _table)


@router.get("/notifications")
def list_notifications(
    engine: EngineDep,
    scope: ScopeDep,
    status: str | None = Query(None, description="pending | sending | delivered | dead"),
    alarm: int | None = Query(None, description="only those about this alarm id"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[dict[str, Any]]:
    return service.list_notifications(
        engine, scope=scope, status=status, alarm_id=alarm, limit=limit, offset=offset
    )


@router.get("/notifications/{notification_id}")
def get_notification(notification_id: int, engine: EngineDep, scope: ScopeDep) -> dict[str, Any]:
    """One notification with its delivery log (every attempt, its outcome and reply)."""
    return service.get_notification(engine, scope=scope, notification_id=notification_id)


@router.post("/notifications/{notification_id}/requeue")
def requeue(
    notification_id: int, request: Request, engine: EngineDep, scope: ScopeDep
) -> dict[str, Any]:
    """Send a dead-lettered notification again."""
    row = service.requeue(engine, scope=scope, notification_id=notification_id, now_ms=now_ms())
    _changed(request)
    return row


class ChannelTest(BaseModel):
    channel: str = Field(..., description="channel key")
    recipient: str = Field("test", description="contact key, or a name for group channels")
    email: str | None = None
    phone: str | None = None
    locale: str = "zh-CN"
    timezone: str = "Asia/Shanghai"


@router.post("/notifications/test", status_code=status.HTTP_202_ACCEPTED)
def send_test(
    body: ChannelTest, request: Request, engine: EngineDep, scope: ScopeDep
) -> dict[str, Any]:
    """Queue a test notification on a channel; follow it with GET /notifications/{id}."""
    recipient = Recipient(
        key=body.recipient, name=body.recipient, email=body.email, phone=body.phone,
        timezone=body.timezone, locale=body.locale,
    )  # fmt: skip
    row = service.send_test(
        engine, scope=scope, channel=body.channel, recipient=recipient, now_ms=now_ms()
    )
    _changed(request)
    return row
