"""The alarm lifecycle: transitions, conflicts, assignee, notes and the full history."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from assetwatch.alarms import lifecycle
from assetwatch.alarms.service import auto_resolve, get_alarm, raise_alarm
from assetwatch.errors import ConflictError, NotFoundError, ValidationError
from assetwatch.model.scope import Scope
from assetwatch.storage import schema as s
from assetwatch.storage.engine import ensure_tenant, migrate, open_engine, sqlite_url

T0 = 1_780_000_000_000


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    yield engine
    engine.dispose()


def _scope(engine: Engine, tenant: str = "bank") -> Scope:
    with engine.begin() as conn:
        return Scope(tenant_id=ensure_tenant(conn, tenant), actor="api")


def _raise(engine: Engine, scope: Scope, subject: str = "dev-1", alarm_type: str = "sos") -> int:
    with engine.begin() as conn:
        return raise_alarm(
            conn, tenant_id=scope.tenant_id, asset_id=None, device_id=None,
            alarm_type=alarm_type, subject=subject, time_ms=T0, now_ms=T0,
        ).id  # fmt: skip


def _actions(engine: Engine, scope: Scope, alarm_id: int) -> list[tuple[str, str, str | None]]:
    return [
        (h["action"], h["actor"], h["to_status"])
        for h in lifecycle.history(engine, scope=scope, alarm_id=alarm_id)
    ]


def test_open_acknowledge_resolve_with_history(engine: Engine) -> None:
    scope = _scope(engine)
    alarm_id = _raise(engine, scope)
    lifecycle.assign(engine, scope=scope, alarm_id=alarm_id, assignee="li", now_ms=T0 + 1)
    acked = lifecycle.acknowledge(
        engine, scope=scope, alarm_id=alarm_id, now_ms=T0 + 2, note="on it", by="li"
    )
    assert acked["status"] == "acknowledged" and acked["acknowledged_by"] == "li"
    lifecycle.add_note(engine, scope=scope, alarm_id=alarm_id, note="called the borrower",
                       now_ms=T0 + 3)  # fmt: skip
    done = lifecycle.resolve(engine, scope=scope, alarm_id=alarm_id, now_ms=T0 + 4)
    assert done["status"] == "resolved" and done["assignee"] == "li"
    assert done["note"] == "on it\ncalled the borrower"
    assert _actions(engine, scope, alarm_id) == [
        ("opened", "system", "open"),
        ("assigned", "api", None),
        ("acknowledged", "li", "acknowledged"),
        ("note", "api", None),
        ("resolved", "api", "resolved"),
    ]


def test_transitions_that_do_not_exist_conflict(engine: Engine) -> None:
    scope = _scope(engine)
    alarm_id = _raise(engine, scope)
    lifecycle.acknowledge(engine, scope=scope, alarm_id=alarm_id, now_ms=T0)
    with pytest.raises(ConflictError, match="is acknowledged"):
        lifecycle.acknowledge(engine, scope=scope, alarm_id=alarm_id, now_ms=T0)
    lifecycle.mark_false_positive(engine, scope=scope, alarm_id=alarm_id, now_ms=T0)
    for move in (lifecycle.resolve, lifecycle.mark_false_positive):
        with pytest.raises(ConflictError, match="is false_positive"):
            move(engine, scope=scope, alarm_id=alarm_id, now_ms=T0)
    with pytest.raises(ConflictError, match="cannot be assigned"):
        lifecycle.assign(engine, scope=scope, alarm_id=alarm_id, assignee="li", now_ms=T0)
    with pytest.raises(ValidationError, match="cannot be moved"):
        lifecycle.transition(engine, scope=scope, alarm_id=alarm_id, to="open", now_ms=T0)
    with pytest.raises(ValidationError, match="at most"):
        lifecycle.add_note(engine, scope=scope, alarm_id=alarm_id, note="x" * 2001, now_ms=T0)


def test_a_false_positive_frees_the_key_for_a_new_alarm(engine: Engine) -> None:
    scope = _scope(engine)
    first = _raise(engine, scope)
    assert _raise(engine, scope) == first  # a repeat
    lifecycle.mark_false_positive(engine, scope=scope, alarm_id=first, now_ms=T0)
    second = _raise(engine, scope)
    assert second != first
    assert get_alarm(engine, scope=scope, alarm_id=first)["status"] == "false_positive"


def test_auto_resolve_writes_history_and_leaves_other_subjects(engine: Engine) -> None:
    scope = _scope(engine)
    offline = _raise(engine, scope, "dev-1", "offline")
    other = _raise(engine, scope, "dev-2", "offline")
    with engine.begin() as conn:
        resolved = auto_resolve(
            conn,
            tenant_id=scope.tenant_id,
            alarm_type="offline",
            subject="dev-1",
            now_ms=T0 + 5,
            why="device reported again",
        )
    assert resolved == [offline]
    assert _actions(engine, scope, offline)[-1] == ("auto_resolved", "system", "resolved")
    assert get_alarm(engine, scope=scope, alarm_id=other)["status"] == "open"


def test_another_tenant_cannot_see_or_touch_an_alarm(engine: Engine) -> None:
    mine, theirs = _scope(engine, "bank"), _scope(engine, "other")
    alarm_id = _raise(engine, mine)
    for call in (
        lambda: lifecycle.acknowledge(engine, scope=theirs, alarm_id=alarm_id, now_ms=T0),
        lambda: lifecycle.history(engine, scope=theirs, alarm_id=alarm_id),
        lambda: lifecycle.add_note(engine, scope=theirs, alarm_id=alarm_id, note="x", now_ms=T0),
    ):
        with pytest.raises(NotFoundError):
            call()
    with engine.connect() as conn:
        assert conn.execute(select(s.alarms.c.status)).scalar() == "open"
