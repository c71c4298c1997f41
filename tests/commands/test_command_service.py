"""Requesting, approving, rejecting and cancelling commands (the operator side)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from assetwatch.commands import service
from assetwatch.errors import ConflictError, NotFoundError, ValidationError
from assetwatch.model.scope import Scope
from assetwatch.storage.engine import ensure_tenant
from tests.commands.fleet import T0

CAR = "013912345678"


def _create(engine: Engine, scope: Scope, kind: str, **params: object) -> dict[str, object]:
    row = service.create(
        engine,
        scope=scope,
        device=CAR,
        kind=kind,
        params=dict(params),
        now_ms=T0,
        expires_in_s=600,
        requested_by="alice",
        reason="test",
    )
    return service.public_view(row)


def test_a_command_is_queued_for_the_device_and_its_asset(engine: Engine, scope: Scope) -> None:
    view = _create(engine, scope, "set_report_interval", seconds=10)
    assert view["status"] == "queued"
    assert view["approval"] == "not_required"
    assert view["asset"] == "LSVAU2180N2183294"
    assert view["params"] == {"seconds": 10}
    assert view["created_at"] == "2026-05-28T20:26:40Z"
    assert view["expires_at"] == "2026-05-28T20:36:40Z"
    assert view["attempts"] == 0 and view["sent_at"] is None


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("self_destruct", {}, "unknown command kind 'self_destruct'"),
        ("set_report_interval", {}, "missing required field `seconds`"),
        ("set_report_interval", {"seconds": -5}, "Expected `int` >= 1"),
        ("text", {"text": ""}, "length >= 1"),
        ("cut_oil", {"now": True}, "unknown field `now`"),
        ("raw", {"msg_id": 0x8201, "body_hex": "xyz"}, "non-hexadecimal"),
        ("raw", {}, "give msg_id and body_hex"),
    ],
)
def test_bad_parameters_are_refused_with_the_reason(
    engine: Engine, scope: Scope, kind: str, params: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _create(engine, scope, kind, **params)
    assert service.list_commands(engine, scope=scope) == []


def test_unknown_revoked_and_foreign_devices(engine: Engine, scope: Scope) -> None:
    with pytest.raises(NotFoundError):
        service.create(
            engine,
            scope=scope,
            device="999",
            kind="reboot",
            params={},
            now_ms=T0,
            expires_in_s=60,
            requested_by="a",
        )
    with pytest.raises(ConflictError, match="revoked"):
        service.create(
            engine,
            scope=scope,
            device="013900000003",
            kind="reboot",
            params={},
            now_ms=T0,
            expires_in_s=60,
            requested_by="a",
        )
    command_id = _create(engine, scope, "reboot")["id"]
    with engine.begin() as conn:
        other = Scope(tenant_id=ensure_tenant(conn, "bank-b"))
    with pytest.raises(NotFoundError):
        service.get(engine, scope=other, command_id=int(str(command_id)))
    assert service.list_commands(engine, scope=other) == []


def test_cutting_fuel_waits_for_a_second_person(engine: Engine, scope: Scope) -> None:
    view = _create(engine, scope, "cut_oil")
    assert view["approval"] == "pending"
    command_id = int(str(view["id"]))
    with pytest.raises(ConflictError, match="someone else must approve"):
        service.approve(engine, scope=scope, command_id=command_id, by="alice", now_ms=T0)
    approved = service.public_view(
        service.approve(engine, scope=scope, command_id=command_id, by="bob", now_ms=T0 + 1)
    )
    assert (approved["approval"], approved["approved_by"]) == ("approved", "bob")
    with pytest.raises(ConflictError, match="only pending"):
        service.approve(engine, scope=scope, command_id=command_id, by="carol", now_ms=T0 + 2)


def test_a_rejected_command_is_cancelled(engine: Engine, scope: Scope) -> None:
    command_id = int(str(_create(engine, scope, "cut_oil")["id"]))
    row = service.reject(engine, scope=scope, command_id=command_id, by="bob", now_ms=T0 + 5)
    view = service.public_view(row)
    assert (view["status"], view["approval"], view["settled_at"]) == (
        "cancelled",
        "rejected",
        "2026-05-28T20:26:40.005Z",
    )
    with pytest.raises(ConflictError):
        service.cancel(engine, scope=scope, command_id=command_id, by="bob", now_ms=T0)


def test_list_filters(engine: Engine, scope: Scope) -> None:
    _create(engine, scope, "reboot")
    _create(engine, scope, "query_location")
    kinds = [r.kind for r in service.list_commands(engine, scope=scope)]
    assert kinds == ["query_location", "reboot"]  # newest first
    assert [r.kind for r in service.list_commands(engine, scope=scope, kind="reboot")] == ["reboot"]
    assert service.list_commands(engine, scope=scope, status="acked") == []
    with pytest.raises(ValidationError):
        service.list_commands(engine, scope=scope, status="done")
