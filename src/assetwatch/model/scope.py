"""The caller's scope: which tenant, and which org-unit subtrees, a call may touch."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scope:
    """Every service function takes one of these.

    ``org_units`` is ``None`` for tenant-wide access; otherwise the ids of the org-unit
    subtrees granted (from the user's or API key's grants, see ``assetwatch.auth``).
    """

    tenant_id: int
    org_units: frozenset[int] | None = None
    actor: str = "system"
    source: str | None = None  # where the call came from (an IP, "cli"), for the audit log

    @property
    def tenant_wide(self) -> bool:
        return self.org_units is None
