"""Four eyes on immobilisation, and a command's whole life in the audit log."""

from __future__ import annotations

from pathlib import Path

from assetwatch.auth import users
from assetwatch.commands import delivery
from assetwatch.evidence import ledger
from assetwatch.model.commands import CommandOutcome, CommandResult
from assetwatch.storage.clock import now_ms
from tests.auth.world import build

IMEI = "013955550001"  # the south car's terminal


def test_nobody_approves_their_own_immobilisation_and_its_life_is_audited(
    tmp_path: Path,
) -> None:
    world = build(tmp_path)
    admin = {"Authorization": f"Bearer {world.login('admin-a')}"}
    asked = world.client.post(f"/api/v1/devices/{IMEI}/commands", headers=admin,
                              json={"kind": "cut_oil", "reason": "contract 90 days overdue",
                                    "requested_by": "someone-else"})  # fmt: skip
    assert asked.status_code == 201, asked.text
    command = asked.json()
    assert command["approval"] == "pending" and command["requested_by"] == "user:admin-a"
    url = f"/api/v1/commands/{command['id']}"
    own = world.client.post(f"{url}/approve", json={"by": "someone-else"}, headers=admin)
    assert own.status_code == 409 and "someone else must approve" in own.json()["detail"]
    operator = {"Authorization": f"Bearer {world.login('north-op')}"}
    assert world.client.post(f"{url}/approve", json={}, headers=operator).status_code in (403, 404)
    officer = {"Authorization": f"Bearer {world.login('north-officer')}"}
    assert world.client.post(f"{url}/approve", json={}, headers=officer).status_code == 404
    wide = {"Authorization": f"Bearer {world.login('auditor-a')}"}
    assert world.client.post(f"{url}/approve", json={}, headers=wide).status_code == 403

    with world.engine.begin() as conn:  # a tenant-wide risk officer, for the second pair of eyes
        users.create(conn, tenant_id=world.tenant_a, username="officer-hq", role="risk_officer",
                     password="a long enough pass phrase", now_ms=0, tenant_wide=True)  # fmt: skip
    approver = {"Authorization": f"Bearer {world.login('officer-hq')}"}
    approved = world.client.post(f"{url}/approve", json={"note": "checked"}, headers=approver)
    assert approved.status_code == 200 and approved.json()["approved_by"] == "user:officer-hq"

    assert delivery.mark_sent(world.engine, command_id=command["id"], correlation=7,
                              now_ms=now_ms())  # fmt: skip
    outcome = CommandOutcome(correlation=7, result=CommandResult.OK, details={"text": "ok"})
    assert delivery.settle(world.engine, outcome=outcome, now_ms=now_ms(),
                           command_id=command["id"]) == command["id"]  # fmt: skip

    trail = world.client.get("/api/v1/audit", headers=wide,
                             params={"target": f"command:{command['id']}"}).json()  # fmt: skip
    assert [(e["action"], e["actor"]) for e in trail] == [
        ("command.request", "user:admin-a"),
        ("command.approve", "user:officer-hq"),
        ("command.sent", "system"),
        ("command.answered", "system"),
    ]
    assert trail[1]["before"]["approval"] == "pending"
    assert trail[1]["after"]["approval"] == "approved"
    assert trail[3]["after"]["status"] == "acked"
    assert trail[0]["details"]["reason"] == "contract 90 days overdue"
    requests = world.client.get("/api/v1/audit", headers=wide,
                                params={"action": "request"}).json()  # fmt: skip
    refused = [e for e in requests if e["target"] == f"POST {url}/approve"]
    assert [e["outcome"] for e in refused] == ["failed", "denied", "failed", "denied", "ok"]
    with world.engine.connect() as conn:
        evidence = ledger.entries(conn, world.tenant_a, below=10**9,
                                  subject="asset:VIN-SOUTH-0001")  # fmt: skip
    assert [(e.kind, e.record["action"]) for e in evidence] == [
        ("command", "request"), ("command_approval", "approve"), ("command", "sent"),
        ("command", "answered"),
    ]  # fmt: skip
    assert evidence[1].record["actor"] == "user:officer-hq"
