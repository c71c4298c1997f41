"""Every API route, called as an outsider, leaks nothing of bank A's north branch.

The routes come from the OpenAPI document, so a new route cannot escape: each needs its path
parameters and (for writes) a body below, or this test fails. Outsiders are bank B's admin
and an admin of A's *south* branch (a sibling: same bank, other subtree). For each call:
no server error; nothing of the north branch in the response (nor anything of bank A for
bank B); a route that names a north object answers 403 or 404. After the whole matrix the
north branch's data is as it was.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from assetwatch.auth.routes import PUBLIC, need_of
from tests.auth.world import NORTH_MARKERS, TENANT_MARKERS, World, build

OUTSIDERS = ("admin-b", "south-admin")
VIN, IMEI = "VIN-NORTH-0007", "013977770007"
KEY_BY_PREFIX = {
    "/api/v1/assets/": VIN, "/api/v1/devices/": IMEI, "/api/v1/places/": "PLACE-A-LOT",
    "/api/v1/risk-points/": "RP-A-1", "/api/v1/notify/": "CONTACT-A",
    "/api/v1/risk/profiles/": "PROFILE-A",
}  # fmt: skip
CELLS = "/api/v1/cells/"  # the cell catalogue is shared public infrastructure (ADR-14)
WRITE_BODIES: dict[str, Any] = {
    "POST /api/v1/assets": {"key": VIN, "kind": "vehicle", "org_unit": "south"},
    "PATCH /api/v1/assets/{key}": {"name": "taken over"},
    "DELETE /api/v1/assets/{key}": None,
    "POST /api/v1/devices": {"key": IMEI, "protocol": "jt808"},
    "PATCH /api/v1/devices/{key}": {"asset": "VIN-SOUTH-0001"},
    "DELETE /api/v1/devices/{key}": None,
    "POST /api/v1/devices/{key}/token": None,
    "DELETE /api/v1/devices/{key}/token": None,
    "POST /api/v1/devices/{key}/commands": {"kind": "restore_oil"},
    "POST /api/v1/places": {"key": "PLACE-A-LOT", "kind": "forbidden", "applies_to": "all",
                            "shape": {"circle": {"lat": 1, "lon": 1, "radius_m": 10}}},
    "PUT /api/v1/places/{key}": {"key": "PLACE-A-LOT", "kind": "forbidden", "applies_to": "all",
                                 "shape": {"circle": {"lat": 1, "lon": 1, "radius_m": 10}}},
    "DELETE /api/v1/places/{key}": None,
    "POST /api/v1/risk-points/import": "key,name,category,lat,lon\nRP-X,x,pawn_shop,1,1\n",
    "PUT /api/v1/risk-points/{key}": {"name": "x", "category": "pawn_shop", "lat": 1, "lon": 1},
    "DELETE /api/v1/risk-points/{key}": None,
    "POST /api/v1/cells/import": "mcc,mnc,lac,cid,lat,lon\n460,0,1,1,1,1\n",
    "POST /api/v1/cells/resolve": {"cells": [{"mcc": 460, "mnc": 0, "lac": 1, "cid": 1}]},
    "POST /api/v1/alarms/{alarm_id}/ack": {},
    "POST /api/v1/alarms/{alarm_id}/resolve": {},
    "POST /api/v1/alarms/{alarm_id}/false-positive": {},
    "PUT /api/v1/alarms/{alarm_id}/assignee": {"assignee": "south-admin"},
    "POST /api/v1/alarms/{alarm_id}/notes": {"note": "mine now"},
    "POST /api/v1/commands/{command_id}/approve": {},
    "POST /api/v1/commands/{command_id}/reject": {},
    "POST /api/v1/commands/{command_id}/cancel": {},
    "POST /api/v1/notifications/test": {"contact": "CONTACT-A"},
    "POST /api/v1/notifications/{notification_id}/requeue": {},
    "POST /api/v1/users": {"username": "intruder", "password": "a long enough pass phrase",
                           "role": "admin", "tenant_wide": True},
    "PATCH /api/v1/users/{username}": {"role": "viewer"},
    "POST /api/v1/api-keys": {"name": "mine", "role": "admin", "tenant_wide": True},
    "DELETE /api/v1/api-keys/{prefix}": None,
    "POST /api/v1/auth/password": {"current": "wrong", "new": "another long pass phrase"},
    "POST /api/v1/auth/totp": None,
    "POST /api/v1/auth/totp/confirm": {"code": "000000"},
    "DELETE /api/v1/auth/totp": {"code": "000000"},
    "POST /api/v1/evidence/checkpoints": None,
    "POST /api/v1/risk/profiles/{key}": {"preset": "consumer_auto_loan"},
    "PUT /api/v1/risk/profiles/{key}": {"scorecard": {"features": {"x": [[None, 1]]}}},
    "POST /api/v1/evidence/verify": {"records": []},
    **{f"PUT /api/v1/notify/{what}/{{key}}": {"name": "x"}
       for what in ("channels", "contacts", "escalation-policies", "subscriptions")},
    **{f"DELETE /api/v1/notify/{what}/{{key}}": None
       for what in ("channels", "contacts", "escalation-policies", "subscriptions")},
}  # fmt: skip
TENANT_LEVEL = (
    "/api/v1/places",
    "/api/v1/risk-points",
    "/api/v1/notify/",
    "/api/v1/cells/",
    "/api/v1/risk/profiles",
)


def _path(world: World, template: str) -> str:
    values = {
        "alarm_id": str(world.alarm_id), "command_id": str(world.command_id),
        "notification_id": "1", "username": "north-op", "prefix": world.key_prefix,
        "fmt": "gpx", "mcc": "460", "mnc": "0", "lac": "1", "cid": "1",
    }  # fmt: skip
    for prefix, key in KEY_BY_PREFIX.items():
        if template.startswith(prefix):
            values["key"] = key
    path = template
    for name in re.findall(r"{(\w+)}", template):
        assert name in values, f"{template}: add a value for {{{name}}} to the matrix"
        path = path.replace(f"{{{name}}}", values[name])
    return path


def _call(world: World, who: str, method: str, template: str) -> Any:
    route = f"{method} {template}"
    kwargs: dict[str, Any] = {"headers": world.headers(who)}
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        assert route in WRITE_BODIES, f"{route}: add a body (or None) to WRITE_BODIES"
        body = WRITE_BODIES[route]
        if isinstance(body, str):
            kwargs["content"] = body
            kwargs["headers"] = {**kwargs["headers"], "Content-Type": "text/csv"}
        elif body is not None:
            kwargs["json"] = body
    params = {"from": "1970-01-01T00:00:00Z", "to": "1970-01-02T00:00:00Z"}
    return world.client.request(method, _path(world, template), params=params, **kwargs)


def _names_north(template: str) -> bool:
    named = re.search(r"{(key|alarm_id|command_id|notification_id)}", template)
    return bool(named) and not template.startswith(TENANT_LEVEL)


def _leaks(text: str, who: str, asked: str) -> list[str]:
    """Markers in the response that the caller did not send itself (a 404 may name the key
    it was asked for)."""
    markers = NORTH_MARKERS + (TENANT_MARKERS if who == "admin-b" else ())
    return [m for m in markers if m in text and m not in asked]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    world = build(Path(tmp_path_factory.mktemp("matrix")))
    for who in (*OUTSIDERS, "admin-a"):
        world.login(who)
    return world


def _routes(world: World) -> list[tuple[str, str]]:
    paths = world.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    out = [(m.upper(), p) for p, ops in paths.items() for m in ops]
    assert len(out) > 70
    return sorted(out, key=lambda r: (r[0] in ("POST", "PUT", "PATCH", "DELETE"), r[1]))


def test_every_route_is_in_the_permission_table(world: World) -> None:
    missing = [f"{m} {p}" for m, p in _routes(world) if need_of(m, p) is None]
    assert missing == []


def _problems(world: World) -> list[str]:
    """Every call of every route by every outsider that errs, leaks or should have refused."""
    problems = []
    for method, template in _routes(world):
        if need_of(method, template) == PUBLIC or template.startswith("/api/v1/auth/"):
            continue
        for who in OUTSIDERS:
            response = _call(world, who, method, template)
            own = str(WRITE_BODIES.get(f"{method} {template}", "")) + _path(world, template)
            where = f"{who}: {method} {template} -> {response.status_code}"
            if response.status_code >= 500:
                problems.append(f"{where} (server error)")
            if leaked := _leaks(response.text, who, own):
                problems.append(f"{where} leaked {leaked}: {response.text[:200]}")
            if _names_north(template) and response.status_code not in (403, 404):
                problems.append(f"{where} (expected 403/404)")
    return problems


def test_outsiders_see_and_change_nothing_of_the_north_branch(world: World) -> None:
    assert _problems(world) == []
    _north_is_intact(world)


def _north_is_intact(world: World) -> None:
    headers = world.headers("admin-a")
    asset = world.client.get(f"/api/v1/assets/{VIN}", headers=headers).json()
    assert asset["org_unit"] == "north" and asset["name"] == "" and asset["devices"] == [IMEI]
    alarm = world.client.get(f"/api/v1/alarms/{world.alarm_id}", headers=headers).json()
    assert alarm["status"] == "open" and alarm["assignee"] is None
    command = world.client.get(f"/api/v1/commands/{world.command_id}", headers=headers).json()
    assert command["approval"] == "pending" and command["status"] == "queued"
    users = world.client.get("/api/v1/users", headers=headers).json()
    assert {u["username"]: u["role"] for u in users}["north-op"] == "operator"
    assert "intruder" not in {u["username"] for u in users}


if __name__ == "__main__":  # a readable list of the problems, for fixing them
    import tempfile

    w = build(Path(tempfile.mkdtemp()))
    for who in (*OUTSIDERS, "admin-a"):
        w.login(who)
    print("\n".join(_problems(w)) or "no problems")
