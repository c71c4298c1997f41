"""The delivery worker against a real webhook receiver: signed at-least-once delivery, retries
with backoff after 500s, the dead letter, leases after a crash, and the delivery log."""

from __future__ import annotations

import random
import time

from sqlalchemy import select

from assetwatch.notify import service
from assetwatch.notify.channels.webhook import verify_signature
from assetwatch.notify.models import ChannelIn
from assetwatch.notify.worker import Deliverer, DeliverySettings, backoff_ms
from assetwatch.observability import Metrics
from assetwatch.storage import schema as s
from tests.notify.channels.http_server import Received, RecordingServer, Reply
from tests.notify.conftest import SECRET, Setup, put_webhook, subscribe
from tests.pipeline.conftest import T0, Clock

SETTINGS = DeliverySettings(max_attempts=3, backoff_ms=1_000, lease_ms=30_000)


def _deliverer(setup: Setup, clock: Clock, settings: DeliverySettings = SETTINGS) -> Deliverer:
    return Deliverer(setup.engine, setup.directory, Metrics(), clock, settings,
                     rng=random.Random(7))  # fmt: skip


def _wire(setup: Setup, http_server: RecordingServer) -> None:
    put_webhook(setup, "hook", f"{http_server.url}/hook")
    subscribe(setup, "robot", target_kind="channel", channel="hook")


def _signed(request: Received) -> bool:
    return verify_signature(
        SECRET, request.headers["X-Assetwatch-Timestamp"], request.body,
        request.headers["X-Assetwatch-Signature"], now_s=time.time(),
    )  # fmt: skip


def _row(setup: Setup) -> dict[str, object]:
    [row] = setup.notifications()
    return row


async def test_retries_after_500_then_delivers_signed_with_one_idempotency_key(
    setup: Setup, http_server: RecordingServer
) -> None:
    _wire(setup, http_server)
    answers = iter([Reply(500), Reply(503), Reply(200)])
    http_server.reply = lambda _request: next(answers)
    alarm = setup.raise_("power_cut")
    clock = Clock(T0)
    deliverer = _deliverer(setup, clock)
    assert await deliverer.tick() == 1
    first = _row(setup)
    assert first["status"] == "pending" and first["attempts"] == 1
    assert await deliverer.tick() == 0  # not due before its backoff
    for _ in range(2):
        clock.now = int(first["next_attempt_ms"])  # type: ignore[call-overload]
        assert await deliverer.tick() == 1
        first = _row(setup)
    await deliverer.aclose()
    assert first["status"] == "delivered" and first["attempts"] == 3
    assert len(http_server.received) == 3 and all(_signed(r) for r in http_server.received)
    keys = {r.headers["Idempotency-Key"] for r in http_server.received}
    assert keys == {first["idempotency_key"]}
    assert [r.headers["X-Assetwatch-Attempt"] for r in http_server.received] == ["1", "2", "3"]
    assert http_server.received[0].json()["alarms"][0]["alarm_id"] == alarm.id
    log = service.get_notification(setup.engine, scope=setup.scope, notification_id=first["id"])
    assert [(a["attempt"], a["ok"], a["status_code"]) for a in log["attempt_log"]] == [
        (1, False, 500), (2, False, 503), (3, True, 200),
    ]  # fmt: skip


async def test_a_receiver_that_keeps_failing_gets_a_dead_letter(
    setup: Setup, http_server: RecordingServer
) -> None:
    _wire(setup, http_server)
    http_server.reply = Reply(500)
    setup.raise_("power_cut")
    clock = Clock(T0)
    deliverer = _deliverer(setup, clock)
    for _ in range(5):
        await deliverer.tick()
        clock.now += SETTINGS.backoff_cap_ms
    await deliverer.aclose()
    row = _row(setup)
    assert row["status"] == "dead" and row["attempts"] == 3 and len(http_server.received) == 3
    assert "500" in str(row["last_error"])
    again = service.requeue(setup.engine, scope=setup.scope, notification_id=int(row["id"]),
                            now_ms=clock.now)  # type: ignore[call-overload]  # fmt: skip
    assert again["status"] == "pending" and again["attempts"] == 0


async def test_a_permanent_refusal_is_not_retried(
    setup: Setup, http_server: RecordingServer
) -> None:
    _wire(setup, http_server)
    http_server.reply = Reply(400, {"error": "bad payload"})
    setup.raise_("power_cut")
    deliverer = _deliverer(setup, Clock(T0))
    await deliverer.tick()
    await deliverer.aclose()
    row = _row(setup)
    assert row["status"] == "dead" and row["attempts"] == 1


async def test_a_claim_whose_sender_died_is_taken_again_after_its_lease(
    setup: Setup, http_server: RecordingServer
) -> None:
    _wire(setup, http_server)
    setup.raise_("power_cut")
    clock = Clock(T0)
    crashed = _deliverer(setup, clock)
    assert len(crashed._claim(clock.now)) == 1  # claimed, then the process "dies"
    assert _row(setup)["status"] == "sending"
    survivor = _deliverer(setup, clock)
    clock.now = T0 + SETTINGS.lease_ms - 1
    assert await survivor.tick() == 0  # the lease still holds
    clock.now = T0 + SETTINGS.lease_ms + 1
    assert await survivor.tick() == 1
    await survivor.aclose()
    row = _row(setup)
    assert row["status"] == "delivered" and row["attempts"] == 2
    assert len(http_server.received) == 1


async def test_a_disabled_channel_dead_letters_with_the_reason(
    setup: Setup, http_server: RecordingServer
) -> None:
    _wire(setup, http_server)
    setup.raise_("power_cut")
    with setup.engine.begin() as conn:
        conn.execute(s.channels.update().values(enabled=False))
    setup.reload()  # as the API does after a write (the CLI's reach it within 10 s)
    deliverer = _deliverer(setup, Clock(T0))
    await deliverer.tick()
    row = _row(setup)
    assert row["status"] == "dead" and "disabled" in str(row["last_error"])
    assert http_server.received == []


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(1)
    settings = DeliverySettings(backoff_ms=1_000, backoff_cap_ms=10_000)
    for attempt, full in ((1, 1_000), (2, 2_000), (3, 4_000), (4, 8_000), (5, 10_000), (9, 10_000)):
        delays = {backoff_ms(attempt, settings, rng) for _ in range(200)}
        assert min(delays) >= full // 2 and max(delays) <= full
        assert len(delays) > 10  # jittered


async def test_in_app_notifications_go_to_the_live_feed(setup: Setup) -> None:
    published: list[dict[str, object]] = []
    service.put_channel(setup.engine, scope=setup.scope, key="feed",
                        body=ChannelIn(kind="inapp"), now_ms=T0)  # fmt: skip
    subscribe(setup, "ops", target_kind="role", target="risk_officer", channel="feed")
    alarm = setup.raise_("removal")
    deliverer = Deliverer(setup.engine, setup.directory, Metrics(), Clock(T0), SETTINGS,
                          publish=published.append)  # fmt: skip
    assert await deliverer.tick() == 2
    await deliverer.aclose()
    assert sorted(p["recipient"] for p in published) == ["li", "wang"]  # type: ignore[type-var]
    assert all(p["type"] == "notification" and p["alarm_ids"] == [alarm.id] for p in published)
    assert {p["tenant_id"] for p in published} == {setup.scope.tenant_id}  # the feed routes on it
    with setup.engine.connect() as conn:
        statuses = conn.scalars(select(s.notifications.c.status)).all()
    assert statuses == ["delivered", "delivered"]
