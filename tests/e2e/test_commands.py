"""Command round trip over real TCP: queued while the tracker is offline, delivered when it
connects, answers correlated, the status visible through the API of the real server."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from assetwatch.simulate.jt808_client import Jt808Terminal, TerminalSettings
from assetwatch.simulate.jt808_link import TerminalIdentity
from tests.e2e.server import Server, wait_for
from tests.e2e.test_platform import IN_LOT, fix

pytestmark = pytest.mark.integration
PHONE = "013900000001"
SETTLED = {"acked", "failed", "expired", "cancelled"}


def request(server: Server, kind: str, **params: Any) -> dict[str, Any]:
    body = {"kind": kind, "params": params, "requested_by": "alice", "reason": "e2e"}
    created = server.post(f"/api/v1/devices/{PHONE}/commands", body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def settled(server: Server, command_id: int) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        command = server.get(f"/api/v1/commands/{command_id}")
        return command if command["status"] in SETTLED else None

    return wait_for(check, 20)


async def test_commands_wait_for_the_tracker_and_come_back_answered(server: Server) -> None:
    interval = request(server, "set_report_interval", seconds=10)
    where = request(server, "query_location")
    cut = request(server, "cut_oil")
    await asyncio.sleep(0.5)
    queued = server.get("/api/v1/commands", device=PHONE)
    assert {c["status"] for c in queued} == {"queued"}  # nobody to deliver to yet
    assert cut["approval"] == "pending"

    car = Jt808Terminal(
        TerminalIdentity(PHONE),
        "127.0.0.1",
        server.jt808_port,
        settings=TerminalSettings(ack_timeout_s=5.0),
    )
    car.report(fix(IN_LOT, 30))  # recorded before it connects: it knows where it is
    car.start()
    try:
        assert await car.wait_online(10)
        done = await asyncio.to_thread(settled, server, interval["id"])
        assert (done["status"], done["attempts"]) == ("acked", 1)
        assert done["reply"]["result_name"] == "ok"
        assert car.state.parameters[0x0029].value == 10  # default report interval
        located = await asyncio.to_thread(settled, server, where["id"])
        assert located["status"] == "acked"
        assert located["reply"]["location"]["lat"] == pytest.approx(IN_LOT[0], abs=1e-6)

        # cutting fuel waits for a second person, then goes out at once
        assert server.get(f"/api/v1/commands/{cut['id']}")["status"] == "queued"
        approval = server.post(f"/api/v1/commands/{cut['id']}/approve", {"by": "bob"})
        assert approval.status_code == 200, approval.text
        cut_done = await asyncio.to_thread(settled, server, cut["id"])
        assert cut_done["status"] == "acked"
        assert cut_done["reply"]["message_id"] == "0x0500"  # not the 0x0001 before it
        assert (cut_done["reply"]["oil_cut"], cut_done["reply"]["circuit_cut"]) == (True, True)
        assert car.state.immobilised
        assert car.state.commands == 3
        assert await car.drain(10)
    finally:
        await car.stop()
    metrics = server.get_text("/metrics")
    assert 'assetwatch_commands_total{outcome="acked",protocol="jt808"} 3.0' in metrics


async def test_a_command_the_tracker_refuses_fails_with_its_answer(server: Server) -> None:
    raw = request(server, "raw", msg_id=0x8F01, body_hex="00")  # a vendor id it does not know
    car = Jt808Terminal(TerminalIdentity(PHONE), "127.0.0.1", server.jt808_port)
    car.start()
    try:
        assert await car.wait_online(10)
        done = await asyncio.to_thread(settled, server, raw["id"])
    finally:
        await car.stop()
    assert (done["status"], done["reply"]["result_name"]) == ("failed", "unsupported")
    assert done["error"] == "device answered unsupported"
