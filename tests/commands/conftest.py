"""A provisioned database, a command dispatcher on it, and a device link that records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from assetwatch.commands.dispatcher import CommandDispatcher, DispatchSettings
from assetwatch.errors import CommandNotSupported
from assetwatch.gateways.sessions import Sessions
from assetwatch.model.commands import CommandKind
from assetwatch.model.scope import Scope
from assetwatch.observability import Metrics
from assetwatch.registry.provisioning import apply_text
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from tests.commands.fleet import FLEET, T0, Clock


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_engine(sqlite_url(tmp_path / "data"))
    migrate(engine)
    apply_text(engine, FLEET, "fleet.yaml", now_ms=T0 - 3_600_000)
    yield engine
    engine.dispose()


@pytest.fixture
def scope(engine: Engine) -> Scope:
    with engine.connect() as conn:
        tenant_id = conn.exec_driver_sql("SELECT id FROM tenants WHERE key = 'bank-a'").scalar()
    assert tenant_id is not None
    return Scope(tenant_id=int(tenant_id), actor="test")


@dataclass
class RecordingLink:
    """A device connection that keeps what it was sent, and answers nothing by itself."""

    device_key: str
    protocol: str = "jt808"
    sent: list[tuple[CommandKind, dict[str, Any], int]] = field(default_factory=list)
    unsupported: frozenset[CommandKind] = frozenset()
    closing: bool = False
    next_serial: int = 100

    def send_command(self, kind: CommandKind, params: dict[str, Any]) -> int:
        if self.closing:
            raise ConnectionError("closing")
        if kind in self.unsupported:
            raise CommandNotSupported(f"{self.protocol} cannot {kind}")
        self.next_serial += 1
        self.sent.append((kind, params, self.next_serial))
        return self.next_serial


@dataclass
class Desk:
    engine: Engine
    scope: Scope
    sessions: Sessions
    dispatcher: CommandDispatcher
    metrics: Metrics
    clock: Clock


@pytest.fixture
def desk(engine: Engine, scope: Scope) -> Desk:
    sessions, metrics, clock = Sessions(), Metrics(), Clock()
    settings = DispatchSettings(poll_s=3600, reply_timeout_s=60, max_attempts=2)
    dispatcher = CommandDispatcher(engine, sessions, metrics, clock, settings)
    return Desk(engine, scope, sessions, dispatcher, metrics, clock)
