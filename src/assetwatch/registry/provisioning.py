"""Declarative provisioning: ``assetwatch apply -f fleet.yaml``.

The file names everything by external key. Applying it creates what is missing and updates
what differs, in one transaction: fields given in the file are set, fields left out keep
their current value (and take their defaults on creation). A device's ``asset`` binds it from
now on (re-binding closes the old binding); ``asset: null`` unbinds it. Applying the same
file twice changes nothing. ``dry_run`` computes the same report and rolls back.

Every problem is reported with its line: schema errors, unknown references, duplicate keys
and conflicts found while applying (a device registered to another tenant).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, select

from assetwatch.errors import AssetwatchError
from assetwatch.model.scope import Scope
from assetwatch.places import service as places
from assetwatch.places.models import PlaceCreate
from assetwatch.registry import assets, contracts, counterparties, devices, org_units
from assetwatch.registry.changes import Change, diff
from assetwatch.registry.lookup import keys_in_scope
from assetwatch.registry.models import (
    AssetCreate,
    ContractCreate,
    CounterpartyCreate,
    DeviceCreate,
    OrgUnitCreate,
)
from assetwatch.registry.provisioning_schema import (
    SECTIONS,
    FleetDocument,
    Loc,
    Problem,
    SourceMap,
    parse,
    raise_problems,
)
from assetwatch.storage import schema
from assetwatch.storage.clock import now_ms as wall_clock_ms
from assetwatch.storage.engine import ensure_tenant

KINDS = ("tenant", *SECTIONS.values())
_TABLES: dict[str, Table] = {
    "org_unit": schema.org_units,
    "counterparty": schema.counterparties,
    "contract": schema.contracts,
    "asset": schema.assets,
}
# section -> (field, kind it refers to)
_REFERENCES = {
    "org_units": [("parent", "org_unit")],
    "counterparties": [("org_unit", "org_unit")],
    "contracts": [("counterparty", "counterparty")],
    "assets": [("contract", "contract"), ("org_unit", "org_unit")],
    "devices": [("asset", "asset")],
}


@dataclass
class ApplyReport:
    """What an apply did (or, in a dry run, would do), per kind of entity."""

    source: str
    tenant: str
    dry_run: bool = False
    created: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    updated: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    unchanged: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    changes: dict[tuple[str, str], dict[str, tuple[Any, Any]]] = field(default_factory=dict)

    def record(self, change: Change) -> None:
        getattr(self, change.action)[change.kind].append(change.key)
        if change.fields:
            self.changes[(change.kind, change.key)] = change.fields

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def render(self) -> str:
        """A compact summary: ``+ asset K``, ``~ device K (field: old → new)``,
        ``= N unchanged``."""
        lines = []
        for kind in KINDS:
            lines += [f"+ {kind} {key}" for key in self.created.get(kind, [])]
            for key in self.updated.get(kind, []):
                fields = self.changes.get((kind, key), {})
                what = ", ".join(
                    f"{n}: {_short(old)} → {_short(new)}" for n, (old, new) in fields.items()
                )
                lines.append(f"~ {kind} {key} ({what})")
        same = sum(len(keys) for keys in self.unchanged.values())
        if same:
            lines.append(f"= {same} unchanged")
        if self.dry_run:
            lines.append("(dry run: nothing was written)")
        return "\n".join(lines) if lines else "nothing to apply"


def _short(value: Any, limit: int = 40) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def apply_file(
    engine: Engine, path: Path | str, *, dry_run: bool = False, now_ms: int | None = None
) -> ApplyReport:
    """Apply the fleet file at ``path`` (UTF-8 YAML)."""
    text = Path(path).read_text(encoding="utf-8")
    return apply_text(engine, text, str(path), dry_run=dry_run, now_ms=now_ms)


def apply_text(
    engine: Engine,
    text: str,
    source_name: str,
    *,
    dry_run: bool = False,
    now_ms: int | None = None,
) -> ApplyReport:
    """Apply a fleet document; ``ValidationError`` (nothing written) lists every problem.
    ``now_ms`` (epoch ms) is when new bindings start; the wall clock by default."""
    document, sources = parse(text, source_name)
    report = ApplyReport(source=source_name, tenant=document.tenant.key, dry_run=dry_run)
    now = wall_clock_ms() if now_ms is None else now_ms
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            scope = _apply_tenant(conn, document, report)
            raise_problems(_check_references(conn, scope, document, sources), source_name)
            raise_problems(
                _apply_sections(conn, scope, document, sources, report, now), source_name
            )
        except BaseException:
            transaction.rollback()
            raise
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    return report


def _apply_tenant(conn: Connection, document: FleetDocument, report: ApplyReport) -> Scope:
    spec = document.tenant
    existing = conn.execute(
        select(schema.tenants.c.id, schema.tenants.c.name).where(schema.tenants.c.key == spec.key)
    ).first()
    if existing is None:
        report.record(Change("tenant", spec.key, "created"))
        return Scope(tenant_id=ensure_tenant(conn, spec.key, spec.name), actor="apply")
    changed = diff(
        {"name": existing.name}, spec.model_dump(include=spec.model_fields_set & {"name"})
    )
    if changed:
        conn.execute(
            schema.tenants.update().where(schema.tenants.c.id == existing.id).values(name=spec.name)
        )
    report.record(Change("tenant", spec.key, "updated" if changed else "unchanged", changed))
    return Scope(tenant_id=int(existing.id), actor="apply")


Item = (
    OrgUnitCreate | CounterpartyCreate | ContractCreate | AssetCreate | DeviceCreate | PlaceCreate
)


def _items(document: FleetDocument) -> Iterator[tuple[str, int, Item]]:
    """(section, index, item) of every item of the file, in the order they are applied."""
    for section in SECTIONS:
        items: list[Item] = getattr(document, section)
        for index, item in enumerate(items):
            yield section, index, item


def _identity(item: Item) -> str:
    """How an item is named in messages (devices are identified with their protocol)."""
    return f"{item.protocol}/{item.key}" if isinstance(item, DeviceCreate) else item.key


def _check_references(
    conn: Connection, scope: Scope, document: FleetDocument, sources: SourceMap
) -> list[Problem]:
    """Duplicate keys, and references to entities neither in the file nor in the tenant."""
    problems: list[Problem] = []
    known = {kind: keys_in_scope(conn, table, scope=scope) for kind, table in _TABLES.items()}
    first_line: dict[tuple[str, str], int] = {}
    for section, index, item in _items(document):
        kind, line = SECTIONS[section], sources.line((section, index, "key"))
        seen = first_line.setdefault((kind, _identity(item)), line)
        if seen != line:
            message = f"duplicate {kind} {_identity(item)!r} (first on line {seen})"
            problems.append(Problem(line, message))
        known.setdefault(kind, set()).add(item.key)
    for section, index, item in _items(document):
        for key, kind, loc in _references_of(section, index, item):
            if key not in known[kind]:
                problems.append(Problem(sources.line(loc), f"unknown {kind} {key!r}"))
    return problems


def _references_of(section: str, index: int, item: Item) -> Iterator[tuple[str, str, Loc]]:
    """(key, kind, location) of every reference an item makes."""
    for name, kind in _REFERENCES.get(section, []):
        value = getattr(item, name)
        if value is not None:
            yield value, kind, (section, index, name)
    if isinstance(item, PlaceCreate):
        target = item.applies_to
        base = (section, index, "applies_to")
        if target.counterparty is not None:
            yield target.counterparty, "counterparty", (*base, "counterparty")
        if target.asset is not None:
            yield target.asset, "asset", (*base, "asset")
        for position, key in enumerate(target.assets or []):
            yield key, "asset", (*base, "assets", position)


def _apply_sections(
    conn: Connection,
    scope: Scope,
    document: FleetDocument,
    sources: SourceMap,
    report: ApplyReport,
    now: int,
) -> list[Problem]:
    upserts: dict[str, Callable[..., Change]] = {
        "org_units": org_units.upsert,
        "counterparties": counterparties.upsert,
        "contracts": contracts.upsert,
        "assets": assets.upsert,
        "devices": lambda conn, **kw: devices.upsert(conn, now_ms=now, **kw),
        "places": places.upsert,
    }
    problems: list[Problem] = []
    for section, index, item in _items(document):
        try:
            change = upserts[section](
                conn, scope=scope, data=item, fields=set(item.model_fields_set)
            )
        except AssetwatchError as err:
            message = f"{SECTIONS[section]} {_identity(item)}: {err}"
            problems.append(Problem(sources.line((section, index)), message))
            continue
        report.record(change)
    return problems
