"""The caller of an API request: who, in which tenant, with which role and org units."""

from __future__ import annotations

from dataclasses import dataclass

from assetwatch.auth.roles import Permission, permissions_of
from assetwatch.model.scope import Scope


@dataclass(frozen=True, slots=True)
class Principal:
    """``actor`` is how the audit log and the workflows name the caller: ``user:NAME``,
    ``key:PREFIX`` (an API key), ``dev`` (development mode without credentials)."""

    tenant_id: int
    actor: str
    role: str
    org_units: frozenset[int] | None  # None: tenant-wide
    user_id: int | None = None
    api_key_id: int | None = None

    def can(self, permission: Permission) -> bool:
        return permission in permissions_of(self.role)

    def scope(self, source: str | None = None) -> Scope:
        return Scope(self.tenant_id, self.org_units, self.actor, source)
