"""Roles and their permissions: the one table in code (rendered in docs/security.md).

A permission is ``area:verb``. A role is a fixed set of permissions; a user or API key has
exactly one role, and org units narrow *which* data it applies to, never *what* may be done.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from assetwatch.errors import ValidationError

Role = Literal["admin", "risk_officer", "operator", "agent", "auditor", "viewer"]
ROLES: Final[tuple[Role, ...]] = get_args(Role)

Permission = Literal[
    "registry:read",  # assets, devices, places, risk points, cells
    "registry:write",  # create, change, delete them; import catalogues
    "devices:credentials",  # issue and revoke device tokens
    "tracking:read",  # positions, tracks, stays, trips, resident places, live feed
    "tracking:export",  # GPX/KML/GeoJSON/CSV exports (recorded in the audit log)
    "alarms:read",
    "alarms:act",  # acknowledge, resolve, false positive, assign, note
    "commands:read",
    "commands:request",  # ask for a command (immobilising kinds wait for an approval)
    "commands:approve",  # approve or reject someone else's request
    "commands:cancel",
    "notify:read",
    "notify:admin",  # contacts, channels, subscriptions, escalation, requeue, test
    "users:admin",  # users, roles, org-unit grants, API keys
    "audit:read",
    "evidence:export",
    "evidence:admin",  # checkpoints, key rotation
]
PERMISSIONS: Final[tuple[Permission, ...]] = get_args(Permission)

_READ: Final[frozenset[Permission]] = frozenset(
    {"registry:read", "tracking:read", "alarms:read", "commands:read", "notify:read"}
)

ROLE_PERMISSIONS: Final[dict[Role, frozenset[Permission]]] = {
    "admin": frozenset(PERMISSIONS),
    "risk_officer": _READ
    | {"tracking:export", "alarms:act", "commands:approve", "commands:cancel", "evidence:export"},
    "operator": _READ
    | {
        "registry:write",
        "devices:credentials",
        "tracking:export",
        "alarms:act",
        "commands:request",
        "commands:cancel",
        "notify:admin",
    },
    "agent": _READ | {"alarms:act"},
    "auditor": _READ | {"tracking:export", "audit:read", "evidence:export"},
    "viewer": _READ,
}
"""What each role may do. ``admin`` may do everything; nobody approves their own request."""


_BY_NAME: Final[dict[str, Role]] = {role: role for role in ROLES}


def permissions_of(role: str) -> frozenset[Permission]:
    """The role's permissions; an unknown role (a row from a newer version) has none."""
    known = _BY_NAME.get(role)
    return frozenset() if known is None else ROLE_PERMISSIONS[known]


def check_role(role: str) -> Role:
    """``role`` as a :data:`Role`; ``ValidationError`` when it is not one."""
    known = _BY_NAME.get(role)
    if known is None:
        raise ValidationError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    return known
