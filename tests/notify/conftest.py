"""A provisioned database (tests.pipeline.conftest's world) plus notification settings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select, update

from assetwatch.alarms.service import RaisedAlarm, raise_alarm
from assetwatch.model.scope import Scope
from assetwatch.notify import service
from assetwatch.notify.directory import NotifyDirectory
from assetwatch.notify.models import (
    ChannelIn,
    ContactIn,
    EscalationPolicyIn,
    SubscriptionIn,
)
from assetwatch.notify.outbox import Outbox, StormLimit
from assetwatch.storage import schema as s
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from tests.notify.channels.http_server import RecordingServer, start
from tests.pipeline.conftest import T0, provision

SECRET = "0123456789abcdef-secret"


@dataclass
class Setup:
    engine: Engine
    scope: Scope
    directory: NotifyDirectory
    outbox: Outbox
    asset_ids: dict[str, int]

    def reload(self) -> None:
        self.directory.reload()

    def raise_(self, alarm_type: str = "power_cut", *, asset: str = "VIN1",
               subject: str = "013900000001", now: int = T0) -> RaisedAlarm:  # fmt: skip
        with self.engine.begin() as conn:
            raised = raise_alarm(
                conn, tenant_id=self.scope.tenant_id, asset_id=self.asset_ids[asset],
                device_id=None, alarm_type=alarm_type, subject=subject, time_ms=now, now_ms=now,
            )  # fmt: skip
            self.outbox.on_alarms(conn, [raised], now)
        return raised

    def notifications(self) -> list[dict[str, object]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(s.notifications).order_by(s.notifications.c.id))
            return [dict(r._mapping) for r in rows]


@pytest.fixture
def http_server() -> Iterator[RecordingServer]:
    """A real HTTP server on loopback that records requests (see ``channels/http_server``)."""
    recorder = RecordingServer()
    stop = start(recorder)
    try:
        yield recorder
    finally:
        stop()


def put_webhook(setup: Setup, key: str, url: str = "http://127.0.0.1:9/hook") -> None:
    body = ChannelIn(kind="webhook", config={"url": url, "secret": SECRET})
    service.put_channel(setup.engine, scope=setup.scope, key=key, body=body, now_ms=T0)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    provision(engine)
    with engine.begin() as conn:
        tenant = int(conn.scalar(select(s.tenants.c.id).where(s.tenants.c.key == "demo-bank")))
        branch = conn.execute(
            insert(s.org_units).values(tenant_id=tenant, key="south", name="South")
        ).inserted_primary_key[0]
        conn.execute(insert(s.org_units).values(tenant_id=tenant, key="shenzhen", parent_id=branch))
        conn.execute(
            update(s.assets).where(s.assets.c.key == "VIN2").values(attributes={"group": "vip"})
        )
        assets = {r.key: r.id for r in conn.execute(select(s.assets.c.key, s.assets.c.id))}
    scope = Scope(tenant_id=tenant, actor="test")
    for key, contact in {
        "li": ContactIn(name="Li", role="risk_officer", email="li@bank.example"),
        "wang": ContactIn(name="Wang", role="risk_officer", org_unit="shenzhen"),
        "zhao": ContactIn(name="Zhao", role="supervisor", org_unit="south", locale="en"),
        "boss": ContactIn(name="Boss", role="head", timezone="Europe/London"),
    }.items():
        service.put_contact(engine, scope=scope, key=key, body=contact)
    directory = NotifyDirectory(engine)
    outbox = Outbox(directory, StormLimit(window_ms=60_000, limit=5))
    yield Setup(engine, scope, directory, outbox, assets)
    engine.dispose()


def subscribe(setup: Setup, key: str, **fields: object) -> None:
    body = SubscriptionIn.model_validate(fields)
    service.put_subscription(setup.engine, scope=setup.scope, key=key, body=body)
    setup.reload()


def policy(setup: Setup, key: str, **fields: object) -> None:
    body = EscalationPolicyIn.model_validate(fields)
    service.put_policy(setup.engine, scope=setup.scope, key=key, body=body)
    setup.reload()
