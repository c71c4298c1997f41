"""Escalation with a controllable clock: steps fire on time, once, and stop on acknowledge."""

from __future__ import annotations

from sqlalchemy import select

from assetwatch.alarms import lifecycle
from assetwatch.notify import sweeps
from assetwatch.storage import schema as s
from tests.notify.conftest import Setup, policy, put_webhook
from tests.pipeline.conftest import T0

MINUTE = 60_000


def _escalate(setup: Setup, at: int) -> int:
    with setup.engine.begin() as conn:
        return sweeps.escalate_due(conn, setup.directory, at)


def _recipients(setup: Setup, alarm_id: int) -> list[tuple[int | None, str]]:
    return [
        (r["escalation_step"], str(r["recipient"]["key"]))  # type: ignore[index]
        for r in setup.notifications()
        if r["kind"] == "escalation" and r["alarm_ids"] == [alarm_id]
    ]


def _two_steps(setup: Setup) -> None:
    put_webhook(setup, "hook")
    policy(setup, "critical-chain", match={"min_severity": "high"}, steps=[
        {"after_minutes": 5, "targets": [{"kind": "role", "key": "supervisor"}], "channel": "hook"},
        {"after_minutes": 15, "targets": [{"kind": "contact", "key": "boss"}], "channel": "hook"},
    ])  # fmt: skip


def test_steps_fire_in_order_each_once(setup: Setup) -> None:
    _two_steps(setup)
    alarm = setup.raise_("power_cut")
    assert _escalate(setup, T0 + 5 * MINUTE - 1) == 0
    assert _escalate(setup, T0 + 5 * MINUTE) == 1
    assert _escalate(setup, T0 + 5 * MINUTE + 1) == 0  # not twice
    assert _recipients(setup, alarm.id) == [(1, "zhao")]
    assert _escalate(setup, T0 + 15 * MINUTE) == 1
    assert _recipients(setup, alarm.id) == [(1, "zhao"), (2, "boss")]
    assert _escalate(setup, T0 + 60 * MINUTE) == 0  # no third step
    history = lifecycle.history(setup.engine, scope=setup.scope, alarm_id=alarm.id)
    assert [h["action"] for h in history] == ["opened", "escalated", "escalated"]
    assert history[1]["details"]["to"] == ["zhao"]


def test_acknowledging_stops_the_escalation(setup: Setup) -> None:
    _two_steps(setup)
    alarm = setup.raise_("power_cut")
    assert _escalate(setup, T0 + 5 * MINUTE) == 1
    lifecycle.acknowledge(
        setup.engine, scope=setup.scope, alarm_id=alarm.id, now_ms=T0 + 6 * MINUTE
    )
    assert _escalate(setup, T0 + 15 * MINUTE) == 0
    with setup.engine.connect() as conn:
        row = conn.execute(select(s.alarms).where(s.alarms.c.id == alarm.id)).one()
    assert row.escalate_at_ms is None and row.escalation_step == 1


def test_alarms_below_the_policy_do_not_escalate(setup: Setup) -> None:
    _two_steps(setup)
    alarm = setup.raise_("overspeed")  # low
    assert _escalate(setup, T0 + 60 * MINUTE) == 0
    assert _recipients(setup, alarm.id) == []
