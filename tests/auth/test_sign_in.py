"""Login, token expiry and refresh, lockout, TOTP, API-key scope, weak secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from assetwatch.auth import totp
from assetwatch.auth.tokens import AccessClaims, issue_access
from assetwatch.errors import ConfigurationError
from assetwatch.settings import Settings
from assetwatch.storage.clock import now_ms
from assetwatch.storage.schema import users
from tests.auth.world import PASSWORD, SECRET, World, build

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def world(tmp_path: Path) -> World:
    return build(tmp_path, access_token_ttl_s=60)


def _login(world: World, username: str, password: str = PASSWORD, code: str | None = None) -> int:
    body = {"username": username, "password": password, "code": code}
    return world.client.post(LOGIN, json=body).status_code


def test_no_credentials_no_access_and_a_login_opens_the_api(world: World) -> None:
    assert world.client.get("/api/v1/assets").status_code == 401
    assert world.client.get("/healthz").status_code == 200
    world.login("north-op")
    me = world.client.get("/api/v1/auth/me", headers=world.headers("north-op")).json()
    assert me["actor"] == "user:north-op" and me["role"] == "operator" and not me["tenant_wide"]
    keys = [
        a["key"]
        for a in world.client.get("/api/v1/assets", headers=world.headers("north-op")).json()
    ]
    assert keys == ["VIN-NORTH-0007"]


def test_a_wrong_password_is_refused_and_five_lock_the_user(world: World) -> None:
    assert _login(world, "north-op", "not the password") == 401
    assert _login(world, "nobody-at-all") == 401
    for _ in range(4):
        assert _login(world, "north-op", "not the password") == 401
    assert _login(world, "north-op") == 401  # locked, even with the right password now
    audit = world.client.get(
        "/api/v1/audit",
        params={"action": "login"},
        headers={"Authorization": f"Bearer {world.login('auditor-a')}"},
    )
    outcomes = [e["outcome"] for e in audit.json() if e["actor"] == "user:north-op"]
    assert outcomes == ["denied"] * 6


def test_an_expired_or_forged_access_token_is_refused(world: World) -> None:
    with world.engine.connect() as conn:
        user_id = conn.scalar(select(users.c.id).where(users.c.username == "north-op"))
    now_s = now_ms() // 1000
    expired = issue_access(SECRET, AccessClaims(user_id, world.tenant_a, "admin", now_s - 120,
                                                now_s - 60))  # fmt: skip
    forged = issue_access("another secret of thirty-two chars!", AccessClaims(
        user_id, world.tenant_a, "admin", now_s, now_s + 60))  # fmt: skip
    for token in (expired, forged, "not.a.token"):
        response = world.client.get("/api/v1/assets", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
    assert (
        "expired"
        in world.client.get(
            "/api/v1/assets", headers={"Authorization": f"Bearer {expired}"}
        ).json()["detail"]
    )


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_login(world: World) -> None:
    first = world.client.post(LOGIN, json={"username": "north-op", "password": PASSWORD}).json()
    second = world.client.post("/api/v1/auth/refresh",
                               json={"refresh_token": first["refresh_token"]})  # fmt: skip
    assert second.status_code == 200
    pair = second.json()
    assert pair["refresh_token"] != first["refresh_token"]
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert world.client.get("/api/v1/assets", headers=headers).status_code == 200
    stolen = world.client.post("/api/v1/auth/refresh",
                               json={"refresh_token": first["refresh_token"]})  # fmt: skip
    assert stolen.status_code == 401 and "already used" in stolen.json()["detail"]
    after = world.client.post("/api/v1/auth/refresh",
                              json={"refresh_token": pair["refresh_token"]})  # fmt: skip
    assert after.status_code == 401  # the whole family went with the theft


def test_logout_and_disabling_end_access(world: World) -> None:
    pair = world.client.post(LOGIN, json={"username": "viewer-a", "password": PASSWORD}).json()
    assert (
        world.client.post(
            "/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]}
        ).status_code
        == 204
    )
    assert (
        world.client.post(
            "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
        ).status_code
        == 401
    )
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    admin = {"Authorization": f"Bearer {world.login('admin-a')}"}
    changed = world.client.patch("/api/v1/users/viewer-a", json={"disabled": True}, headers=admin)
    assert changed.status_code == 200 and changed.json()["disabled"] is True
    assert world.client.get("/api/v1/assets", headers=headers).status_code == 401


def test_totp_is_needed_once_set_up_and_a_code_works_once(world: World) -> None:
    headers = {"Authorization": f"Bearer {world.login('north-officer')}"}
    begun = world.client.post("/api/v1/auth/totp", headers=headers).json()
    assert begun["uri"].startswith("otpauth://totp/assetwatch:north-officer")
    assert _login(world, "north-officer") == 200  # not confirmed yet: not required
    code = totp.code_at(begun["secret"], now_ms() / 1000)
    wrong = f"{(int(code) + 500_000) % 1_000_000:06d}"
    refused = world.client.post("/api/v1/auth/totp/confirm", json={"code": wrong},
                                headers=headers)  # fmt: skip
    assert refused.status_code == 422
    ok = world.client.post("/api/v1/auth/totp/confirm", json={"code": code}, headers=headers)
    assert ok.status_code == 204
    assert _login(world, "north-officer") == 401  # a code is needed now
    code = totp.code_at(begun["secret"], now_ms() / 1000 + totp.STEP_S)  # the next step's
    assert _login(world, "north-officer", code=code) == 200
    assert _login(world, "north-officer", code=code) == 401  # replayed


def test_api_keys_have_their_role_and_scope_and_can_be_revoked(world: World) -> None:
    admin = {"Authorization": f"Bearer {world.login('admin-a')}"}
    made = world.client.post("/api/v1/api-keys", headers=admin,
                             json={"name": "branch feed", "role": "viewer",
                                   "org_units": ["south"]})  # fmt: skip
    assert made.status_code == 201
    key, prefix = made.json()["key"], made.json()["prefix"]
    listed = world.client.get("/api/v1/api-keys", headers=admin).json()
    assert all("key" not in k for k in listed) and key not in str(listed)
    headers = {"X-API-Key": key}
    assets = world.client.get("/api/v1/assets", headers=headers)
    assert [a["key"] for a in assets.json()] == ["VIN-SOUTH-0001"]
    assert world.client.get("/api/v1/assets/VIN-NORTH-0007", headers=headers).status_code == 404
    write = world.client.patch("/api/v1/assets/VIN-SOUTH-0001", json={"name": "x"},
                               headers=headers)  # fmt: skip
    assert write.status_code == 403  # a viewer's key
    assert world.client.delete(f"/api/v1/api-keys/{prefix}", headers=admin).status_code == 200
    assert world.client.get("/api/v1/assets", headers=headers).status_code == 401
    assert world.client.get("/api/v1/assets", headers={"X-API-Key": key[:-1] + "x"}
                            ).status_code == 401  # fmt: skip


def test_roles_are_enforced(world: World) -> None:
    viewer = {"Authorization": f"Bearer {world.login('viewer-a')}"}
    assert world.client.get("/api/v1/assets", headers=viewer).status_code == 200
    assert world.client.get("/api/v1/users", headers=viewer).status_code == 403
    assert world.client.get("/api/v1/audit", headers=viewer).status_code == 403
    north = {"Authorization": f"Bearer {world.login('north-op')}"}
    assert world.client.get("/api/v1/audit", headers=north).status_code == 403
    place = {"key": "P2", "kind": "allowed", "applies_to": "all",
             "shape": {"circle": {"lat": 1, "lon": 1, "radius_m": 10}}}  # fmt: skip
    assert world.client.put("/api/v1/places/P2", json=place, headers=north).status_code == 403


def test_production_refuses_weak_or_missing_secrets(tmp_path: Path) -> None:
    for secret in (None, "short", "changeme-changeme-changeme-changeme", "a" * 40):
        with pytest.raises(ConfigurationError):
            _ = Settings(secret_key=secret).token_secret
    assert Settings(secret_key=SECRET).token_secret == SECRET
    assert len(Settings(environment="development").token_secret) >= 32


def test_exports_and_refusals_are_in_the_audit_log(world: World) -> None:
    north = {"Authorization": f"Bearer {world.login('north-op')}"}
    url = "/api/v1/assets/VIN-NORTH-0007/track.gpx"
    assert world.client.get(url, headers=north).status_code == 200
    assert world.client.get("/api/v1/assets/VIN-NORTH-0007/track", headers=north).status_code == 200
    assert world.client.get("/api/v1/users", headers=north).status_code == 403
    auditor = {"Authorization": f"Bearer {world.login('auditor-a')}"}
    trail = world.client.get("/api/v1/audit", params={"actor": "user:north-op"},
                             headers=auditor).json()  # fmt: skip
    http = [e for e in trail if e["action"] in ("export", "request")]
    assert [(e["action"], e["target"], e["outcome"]) for e in http] == [
        ("export", f"GET {url}", "ok"), ("request", "GET /api/v1/users", "denied"),
    ]  # fmt: skip
