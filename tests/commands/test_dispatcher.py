"""Delivery: queued while offline, sent on connect, answers correlated, retries, expiry."""

from __future__ import annotations

import asyncio
from typing import Any

from assetwatch.commands import service
from assetwatch.model.commands import CommandKind, CommandOutcome, CommandResult
from tests.commands.conftest import Desk, RecordingLink
from tests.commands.fleet import T0

CAR = "013912345678"


def _request(desk: Desk, kind: str, **params: Any) -> int:
    row = service.create(
        desk.engine,
        scope=desk.scope,
        device=CAR,
        kind=kind,
        params=params,
        now_ms=desk.clock.now,
        expires_in_s=600,
        requested_by="alice",
    )
    return int(row.id)


def _view(desk: Desk, command_id: int) -> dict[str, Any]:
    return service.public_view(service.get(desk.engine, scope=desk.scope, command_id=command_id))


def _metric(desk: Desk, outcome: str) -> float:
    value = desk.metrics.registry.get_sample_value(
        "assetwatch_commands_total", {"protocol": "jt808", "outcome": outcome}
    )
    return value or 0.0


async def _settled(desk: Desk) -> None:
    """Let the answer-recording tasks finish."""
    for _ in range(100):
        await asyncio.sleep(0)
    while desk.dispatcher._tasks:
        await asyncio.gather(*desk.dispatcher._tasks)


async def test_queued_while_offline_then_delivered_and_acked(desk: Desk) -> None:
    command_id = _request(desk, "set_report_interval", seconds=10)
    await desk.dispatcher.cycle()
    assert _view(desk, command_id)["status"] == "queued"  # nobody online

    link = RecordingLink(CAR)
    desk.sessions.online(link)
    desk.clock.now += 1_000
    await desk.dispatcher.cycle()
    assert link.sent == [(CommandKind.SET_REPORT_INTERVAL, {"seconds": 10}, 101)]
    view = _view(desk, command_id)
    assert (view["status"], view["attempts"]) == ("sent", 1)
    assert view["sent_at"] == "2026-05-28T20:26:41Z"

    desk.clock.now += 500
    reply = CommandOutcome(correlation=101, result=CommandResult.OK, details={"n": 1})
    desk.sessions.outcome("jt808", CAR, reply)
    await _settled(desk)
    view = _view(desk, command_id)
    assert (view["status"], view["reply"], view["settled_at"]) == (
        "acked",
        {"n": 1},
        "2026-05-28T20:26:41.500Z",
    )
    await desk.dispatcher.cycle()
    assert len(link.sent) == 1  # never sent twice
    assert desk.dispatcher._inflight == {} == desk.dispatcher._sent_as
    assert (_metric(desk, "sent"), _metric(desk, "acked")) == (1.0, 1.0)


async def test_a_failed_answer_fails_the_command(desk: Desk) -> None:
    command_id = _request(desk, "query_location")
    link = RecordingLink(CAR)
    desk.sessions.online(link)
    await desk.dispatcher.cycle()
    failed = CommandOutcome(correlation=101, result=CommandResult.FAILED)
    desk.sessions.outcome("jt808", CAR, failed)
    await _settled(desk)
    view = _view(desk, command_id)
    assert (view["status"], view["error"]) == ("failed", "device answered failed")


async def test_an_answer_found_by_correlation_after_a_restart(desk: Desk) -> None:
    """The dispatcher that sent it is gone; the database still knows what was sent."""
    command_id = _request(desk, "reboot")
    desk.sessions.online(RecordingLink(CAR))
    await desk.dispatcher.cycle()
    desk.dispatcher._inflight.clear()
    desk.dispatcher._sent_as.clear()
    desk.sessions.outcome("jt808", CAR, CommandOutcome(correlation=101, result=CommandResult.OK))
    await _settled(desk)
    assert _view(desk, command_id)["status"] == "acked"


async def test_answers_that_match_nothing_change_nothing(desk: Desk) -> None:
    command_id = _request(desk, "reboot")
    desk.sessions.online(RecordingLink(CAR))
    await desk.dispatcher.cycle()
    desk.sessions.outcome("jt808", CAR, CommandOutcome(correlation=7, result=CommandResult.OK))
    desk.sessions.outcome(
        "jt808", "013900000002", CommandOutcome(correlation=101, result=CommandResult.OK)
    )
    await _settled(desk)
    assert _view(desk, command_id)["status"] == "sent"


async def test_immobilising_waits_for_approval(desk: Desk) -> None:
    command_id = _request(desk, "cut_oil")
    link = RecordingLink(CAR)
    desk.sessions.online(link)
    await desk.dispatcher.cycle()
    assert link.sent == []
    service.approve(desk.engine, scope=desk.scope, command_id=command_id, by="bob", now_ms=T0)
    await desk.dispatcher.cycle()
    assert [kind for kind, _, _ in link.sent] == [CommandKind.CUT_OIL]


async def test_a_kind_the_protocol_cannot_express_fails_at_once(desk: Desk) -> None:
    command_id = _request(desk, "text", text="请回电")
    desk.sessions.online(RecordingLink(CAR, unsupported=frozenset({CommandKind.TEXT})))
    await desk.dispatcher.cycle()
    view = _view(desk, command_id)
    assert (view["status"], view["error"]) == ("failed", "jt808 cannot text")
    assert _metric(desk, "unsupported") == 1.0


async def test_a_closing_connection_keeps_the_command_queued(desk: Desk) -> None:
    command_id = _request(desk, "reboot")
    desk.sessions.online(RecordingLink(CAR, closing=True))
    await desk.dispatcher.cycle()
    assert _view(desk, command_id)["status"] == "queued"


async def test_no_answer_means_another_attempt_then_failure(desk: Desk) -> None:
    command_id = _request(desk, "query_location")
    link = RecordingLink(CAR)
    desk.sessions.online(link)
    await desk.dispatcher.cycle()
    desk.clock.now += 59_000
    await desk.dispatcher.cycle()
    assert len(link.sent) == 1  # still within the reply timeout
    desk.clock.now += 2_000
    await desk.dispatcher.cycle()
    assert [serial for _, _, serial in link.sent] == [101, 102]  # sent again, new serial
    assert _view(desk, command_id)["attempts"] == 2
    desk.clock.now += 61_000
    await desk.dispatcher.cycle()
    view = _view(desk, command_id)
    assert (view["status"], view["error"]) == ("failed", "no answer after 2 attempts")
    assert len(link.sent) == 2
    assert desk.dispatcher._inflight == {} == desk.dispatcher._sent_as
    assert _metric(desk, "retried") == 1.0


async def test_an_undelivered_command_expires(desk: Desk) -> None:
    command_id = _request(desk, "reboot")
    desk.clock.now += 600_000
    await desk.dispatcher.cycle()
    view = _view(desk, command_id)
    assert (view["status"], view["error"]) == ("expired", "not delivered before expiry")
    link = RecordingLink(CAR)
    desk.sessions.online(link)
    await desk.dispatcher.cycle()
    assert link.sent == []


async def test_a_device_coming_online_wakes_the_dispatcher(desk: Desk) -> None:
    command_id = _request(desk, "reboot")
    stop = asyncio.Event()
    runner = asyncio.create_task(desk.dispatcher.run(stop))
    await asyncio.sleep(0)
    link = RecordingLink(CAR)
    desk.sessions.online(link)  # poll_s is an hour: only the wake-up can deliver it
    for _ in range(200):
        if link.sent:
            break
        await asyncio.sleep(0.01)
    stop.set()
    desk.dispatcher.kick()
    await asyncio.wait_for(runner, 5)
    assert len(link.sent) == 1
    assert _view(desk, command_id)["status"] == "sent"
