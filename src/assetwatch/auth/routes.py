"""Which permission each API route needs: one table, checked for every request.

A route missing from the table is refused (fail closed), and a test enumerates the OpenAPI
document so that a new route cannot be added without a line here. ``PUBLIC`` routes need no
credentials; ``AUTHENTICATED`` ones need a caller but no particular permission.
"""

from __future__ import annotations

from typing import Final, Literal

from assetwatch.auth.roles import Permission

PUBLIC: Final = "public"
AUTHENTICATED: Final = "authenticated"
Need = Permission | Literal["public", "authenticated"]

_V1 = "/api/v1"

_NOTIFY_SETTINGS: Final[tuple[tuple[str, str, Need], ...]] = (
    ("GET", "", "notify:read"),
    ("GET", "/{key}", "notify:read"),
    ("PUT", "/{key}", "notify:admin"),
    ("DELETE", "/{key}", "notify:admin"),
)

_TABLE: Final[dict[str, Need]] = {
    "GET /healthz": PUBLIC,
    "GET /metrics": PUBLIC,  # process metrics only, no tenant data (docs/security.md)
    # sign-in
    "POST /auth/login": PUBLIC,
    "POST /auth/refresh": PUBLIC,
    "POST /auth/logout": PUBLIC,  # revokes the refresh token it is given
    "GET /auth/me": AUTHENTICATED,
    "POST /auth/password": AUTHENTICATED,
    "POST /auth/totp": AUTHENTICATED,
    "POST /auth/totp/confirm": AUTHENTICATED,
    "DELETE /auth/totp": AUTHENTICATED,
    # users and API keys
    "GET /users": "users:admin",
    "POST /users": "users:admin",
    "GET /users/{username}": "users:admin",
    "PATCH /users/{username}": "users:admin",
    "GET /api-keys": "users:admin",
    "POST /api-keys": "users:admin",
    "DELETE /api-keys/{prefix}": "users:admin",
    "GET /audit": "audit:read",
    # registry
    "GET /assets": "registry:read",
    "POST /assets": "registry:write",
    "GET /assets/{key}": "registry:read",
    "PATCH /assets/{key}": "registry:write",
    "DELETE /assets/{key}": "registry:write",
    "GET /devices": "registry:read",
    "POST /devices": "registry:write",
    "GET /devices/{key}": "registry:read",
    "PATCH /devices/{key}": "registry:write",
    "DELETE /devices/{key}": "registry:write",
    "GET /devices/{key}/bindings": "registry:read",
    "POST /devices/{key}/token": "devices:credentials",
    "DELETE /devices/{key}/token": "devices:credentials",
    "GET /places": "registry:read",
    "POST /places": "registry:write",
    "GET /places/{key}": "registry:read",
    "PUT /places/{key}": "registry:write",
    "DELETE /places/{key}": "registry:write",
    "GET /risk-points": "registry:read",
    "POST /risk-points/import": "registry:write",
    "GET /risk-points/suggestions": "registry:read",
    "GET /risk-points/{key}": "registry:read",
    "PUT /risk-points/{key}": "registry:write",
    "DELETE /risk-points/{key}": "registry:write",
    "POST /cells/import": "registry:write",
    "POST /cells/resolve": "registry:read",
    "GET /cells/{mcc}/{mnc}/{lac}/{cid}": "registry:read",
    # tracking and analytics
    "GET /assets/{key}/track": "tracking:read",
    "GET /assets/{key}/track.{fmt}": "tracking:export",
    "GET /assets/{key}/stays": "tracking:read",
    "GET /assets/{key}/trips": "tracking:read",
    "GET /assets/{key}/resident-places": "tracking:read",
    "GET /assets/{key}/risk": "tracking:read",
    "GET /assets/{key}/risk/history": "tracking:read",
    "GET /risk/presets": "registry:read",
    "GET /risk/profiles": "registry:read",
    "GET /risk/profiles/{key}": "registry:read",
    "POST /risk/profiles/{key}": "registry:write",
    "PUT /risk/profiles/{key}": "registry:write",
    "GET /live": "tracking:read",
    # alarms
    "GET /alarms": "alarms:read",
    "GET /alarms/stats": "alarms:read",
    "GET /alarms/stats.png": "alarms:read",
    "GET /alarms/{alarm_id}": "alarms:read",
    "GET /alarms/{alarm_id}/history": "alarms:read",
    "POST /alarms/{alarm_id}/ack": "alarms:act",
    "POST /alarms/{alarm_id}/resolve": "alarms:act",
    "POST /alarms/{alarm_id}/false-positive": "alarms:act",
    "PUT /alarms/{alarm_id}/assignee": "alarms:act",
    "POST /alarms/{alarm_id}/notes": "alarms:act",
    # commands
    "GET /commands": "commands:read",
    "GET /commands/{command_id}": "commands:read",
    "GET /devices/{key}/commands": "commands:read",
    "POST /devices/{key}/commands": "commands:request",
    "POST /commands/{command_id}/approve": "commands:approve",
    "POST /commands/{command_id}/reject": "commands:approve",
    "POST /commands/{command_id}/cancel": "commands:cancel",
    # notifications
    "GET /notifications": "notify:read",
    "GET /notifications/{notification_id}": "notify:read",
    "POST /notifications/test": "notify:admin",
    "POST /notifications/{notification_id}/requeue": "notify:admin",
    **{
        f"{verb} /notify/{what}{tail}": need
        for what in ("channels", "contacts", "escalation-policies", "subscriptions")
        for verb, tail, need in _NOTIFY_SETTINGS
    },
    # evidence
    "POST /evidence/checkpoints": "evidence:admin",
    "GET /evidence/checkpoints/latest": "evidence:export",
    "GET /assets/{key}/evidence": "evidence:export",
    "POST /evidence/verify": AUTHENTICATED,
}

ROUTE_NEEDS: Final[dict[str, Need]] = {
    (k if k.split(" ", 1)[1] in ("/healthz", "/metrics") else k.replace(" ", f" {_V1}", 1)): v
    for k, v in _TABLE.items()
}
"""``"METHOD /path/template"`` (as in the OpenAPI document) to what it needs."""


def need_of(method: str, path_template: str) -> Need | None:
    """What the route needs, or ``None`` when it is not in the table (then it is refused)."""
    return ROUTE_NEEDS.get(f"{method.upper()} {path_template}")


TENANT_WIDE_PERMISSIONS: Final[frozenset[str]] = frozenset(
    {"users:admin", "audit:read", "evidence:admin", "notify:read", "notify:admin"}
)
"""Permissions about the whole tenant: a caller limited to org units never has them."""
TENANT_LEVEL_PATHS: Final = (
    f"{_V1}/places",
    f"{_V1}/risk-points",
    f"{_V1}/cells",
    f"{_V1}/risk/profiles",
)
"""Tenant-wide configuration: a caller limited to org units may read it, not change it."""


def needs_tenant_wide(method: str, path_template: str, need: Need) -> bool:
    """Whether the route is closed to a caller limited to org units."""
    if need in TENANT_WIDE_PERMISSIONS:
        return True
    writes = method.upper() in ("POST", "PUT", "PATCH", "DELETE")
    return writes and need == "registry:write" and path_template.startswith(TENANT_LEVEL_PATHS)
