"""Outbox rows are written with the alarm: subscriptions, filters, storm limit, quiet hours,
digests, and no notification without its alarm."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from assetwatch.alarms.service import raise_alarm
from assetwatch.notify import sweeps
from assetwatch.storage import schema as s
from tests.notify.conftest import Setup, put_webhook, subscribe
from tests.pipeline.conftest import T0


def test_a_new_alarm_writes_one_row_per_recipient_and_repeats_write_none(setup: Setup) -> None:
    put_webhook(setup, "hook")
    subscribe(setup, "officers", target_kind="role", target="risk_officer", channel="hook")
    subscribe(setup, "robot", target_kind="channel", channel="hook", locale="en")
    first = setup.raise_()
    again = setup.raise_()
    assert first.new and not again.new and again.count == 2
    rows = setup.notifications()
    assert sorted(r["recipient"]["key"] for r in rows) == ["hook", "li", "wang"]
    assert {r["kind"] for r in rows} == {"alarm"} and {r["status"] for r in rows} == {"pending"}
    assert all(r["alarm_ids"] == [first.id] for r in rows)
    assert len({r["idempotency_key"] for r in rows}) == 3


def test_filters_by_type_severity_and_asset_group(setup: Setup) -> None:
    put_webhook(setup, "hook")
    subscribe(setup, "removals", target_kind="contact", target="li", channel="hook",
              filters={"alarm_types": ["removal"]})  # fmt: skip
    subscribe(setup, "high", target_kind="contact", target="wang", channel="hook",
              filters={"min_severity": "high"})  # fmt: skip
    subscribe(setup, "vip", target_kind="contact", target="boss", channel="hook",
              filters={"asset_groups": ["vip"]})  # fmt: skip
    setup.raise_("overspeed")  # low, VIN1: nobody
    setup.raise_("power_cut")  # high: wang
    setup.raise_("removal", asset="VIN2")  # critical, VIN2 (vip): li, wang, boss
    got = sorted((r["alarm_ids"][0], r["recipient"]["key"]) for r in setup.notifications())
    alarms = {a: i for i, a in enumerate(["overspeed", "power_cut", "removal"], start=1)}
    assert got == [
        (alarms["power_cut"], "wang"),
        (alarms["removal"], "boss"),
        (alarms["removal"], "li"),
        (alarms["removal"], "wang"),
    ]


def test_an_org_unit_reaches_everyone_in_its_subtree(setup: Setup) -> None:
    put_webhook(setup, "hook")
    subscribe(setup, "south", target_kind="org_unit", target="south", channel="hook")
    setup.raise_()
    assert sorted(r["recipient"]["key"] for r in setup.notifications()) == ["wang", "zhao"]


def test_ten_thousand_identical_alarms_are_one_alarm_and_one_notification(setup: Setup) -> None:
    put_webhook(setup, "hook")
    subscribe(setup, "li", target_kind="contact", target="li", channel="hook")
    with setup.engine.begin() as conn:
        for n in range(10_000):
            raised = raise_alarm(
                conn, tenant_id=setup.scope.tenant_id, asset_id=setup.asset_ids["VIN1"],
                device_id=None, alarm_type="sos", subject="013900000001",
                time_ms=T0 + n * 5, now_ms=T0 + n * 5,
            )  # fmt: skip
            setup.outbox.on_alarms(conn, [raised], T0 + n * 5)
    with setup.engine.connect() as conn:
        rows = conn.execute(select(s.alarms.c.count)).all()
    assert [r.count for r in rows] == [10_000]
    assert len(setup.notifications()) == 1


def test_a_storm_of_distinct_alarms_is_capped_then_summarised(setup: Setup) -> None:
    put_webhook(setup, "hook")
    subscribe(setup, "li", target_kind="contact", target="li", channel="hook")
    for n in range(40):
        setup.raise_("geofence_enter", subject=f"zone-{n}", now=T0 + n)
    assert len(setup.notifications()) == 5  # the storm limit
    with setup.engine.begin() as conn:
        assert sweeps.summarise_storms(conn, setup.directory, setup.outbox.storm, T0 + 59_999) == 0
        assert sweeps.summarise_storms(conn, setup.directory, setup.outbox.storm, T0 + 60_000) == 1
        assert sweeps.summarise_storms(conn, setup.directory, setup.outbox.storm, T0 + 60_001) == 0
    summary = setup.notifications()[-1]
    assert summary["kind"] == "summary" and summary["suppressed"] == 35
    assert len(summary["alarm_ids"]) == 35
    setup.raise_("geofence_enter", subject="zone-new", now=T0 + 60_002)  # a fresh window
    assert setup.notifications()[-1]["kind"] == "alarm"


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text).astimezone(UTC).timestamp() * 1000)


def test_quiet_hours_hold_all_but_critical_until_they_end(setup: Setup) -> None:
    put_webhook(setup, "hook")
    subscribe(
        setup,
        "li",
        target_kind="contact",
        target="li",
        channel="hook",
        quiet_hours={"start": "22:00", "end": "07:30"},
    )  # Li is in Asia/Shanghai
    night = _ms("2026-12-01T23:10:00+08:00")
    setup.raise_("power_cut", now=night)
    setup.raise_("removal", now=night)  # critical: bypasses
    held, bypass = setup.notifications()
    assert held["next_attempt_ms"] == _ms("2026-12-02T07:30:00+08:00")
    assert bypass["next_attempt_ms"] == night


def test_a_digest_collects_the_window_in_one_row(setup: Setup) -> None:
    put_webhook(setup, "hook")
    subscribe(setup, "daily", target_kind="contact", target="li", channel="hook",
              delivery="digest", digest_minutes=60)  # fmt: skip
    start = (T0 // 3_600_000) * 3_600_000
    ids = [setup.raise_("power_cut", subject=f"d{n}", now=start + n * 1000).id for n in range(3)]
    [digest] = setup.notifications()
    assert digest["kind"] == "digest" and digest["alarm_ids"] == ids
    assert digest["next_attempt_ms"] == start + 3_600_000


def test_no_notification_survives_a_rolled_back_alarm(setup: Setup) -> None:
    put_webhook(setup, "hook")
    subscribe(setup, "li", target_kind="contact", target="li", channel="hook")
    with pytest.raises(RuntimeError), setup.engine.begin() as conn:
        raised = raise_alarm(
            conn, tenant_id=setup.scope.tenant_id, asset_id=setup.asset_ids["VIN1"],
            device_id=None, alarm_type="sos", subject="x", time_ms=T0, now_ms=T0,
        )  # fmt: skip
        setup.outbox.on_alarms(conn, [raised], T0)
        raise RuntimeError("the batch failed")
    with setup.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(s.alarms)) == 0
        assert conn.scalar(select(func.count()).select_from(s.notifications)) == 0
