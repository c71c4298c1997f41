"""Who is told what: subscriptions, contacts, channels and escalation policies, cached.

The processor asks this directory, inside its transaction, which (channel, recipient) pairs
an alarm goes to. Reading the tables for every alarm would cost a query each; the directory
keeps them in memory and reloads them every ``refresh_s`` seconds, or at once when the API
changes one (:meth:`NotifyDirectory.reload`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select

from assetwatch.alarms.severity import rank
from assetwatch.notify.model import Recipient
from assetwatch.storage.schema import (
    assets,
    channels,
    contacts,
    escalation_policies,
    org_units,
    subscriptions,
    tenants,
)

DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_LOCALE = "zh-CN"


@dataclass(frozen=True, slots=True)
class AlarmFilter:
    """Which alarms a subscription or an escalation policy is about. Empty means any."""

    alarm_types: frozenset[str] = frozenset()
    min_severity: str = "low"
    asset_groups: frozenset[str] = frozenset()

    @classmethod
    def of(cls, raw: dict[str, Any] | None) -> AlarmFilter:
        raw = raw or {}
        return cls(
            frozenset(raw.get("alarm_types") or ()),
            str(raw.get("min_severity") or "low"),
            frozenset(raw.get("asset_groups") or ()),
        )

    def matches(self, alarm_type: str, severity: str, groups: frozenset[str]) -> bool:
        if self.alarm_types and alarm_type not in self.alarm_types:
            return False
        if rank(severity) < rank(self.min_severity):
            return False
        return not self.asset_groups or bool(self.asset_groups & groups)


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    tenant_id: int
    key: str
    target_kind: str  # contact | role | org_unit | channel
    target: str
    channel_id: int
    filter: AlarmFilter
    quiet_hours: dict[str, Any] | None
    delivery: str  # immediate | digest
    digest_minutes: int
    timezone: str | None
    locale: str | None


@dataclass(frozen=True, slots=True)
class Policy:
    id: int
    tenant_id: int
    key: str
    priority: int
    filter: AlarmFilter
    steps: tuple[dict[str, Any], ...]  # {after_minutes, targets: [{kind, key}], channel}


@dataclass(frozen=True, slots=True)
class Channel:
    id: int
    tenant_id: int
    key: str
    kind: str
    config: dict[str, Any]
    updated_ms: int


@dataclass
class _Tables:
    tenant_keys: dict[int, str] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    channel_keys: dict[tuple[int, str], int] = field(default_factory=dict)
    contacts: dict[tuple[int, str], Recipient] = field(default_factory=dict)
    contact_roles: dict[tuple[int, str], list[Recipient]] = field(default_factory=dict)
    contact_units: dict[int, list[Recipient]] = field(default_factory=dict)
    unit_children: dict[int, list[int]] = field(default_factory=dict)
    unit_keys: dict[tuple[int, str], int] = field(default_factory=dict)
    subscriptions: dict[int, list[Subscription]] = field(default_factory=dict)
    policies: dict[int, list[Policy]] = field(default_factory=dict)
    asset_groups: dict[int, frozenset[str]] = field(default_factory=dict)


class NotifyDirectory:
    """Cached notification configuration of every tenant (thread-safe reloads)."""

    def __init__(self, engine: Engine, refresh_s: float = 10.0) -> None:
        self.engine = engine
        self.refresh_s = refresh_s
        self._lock = threading.Lock()
        self._tables = _Tables()
        self._loaded_at = 0.0
        self.reload()

    def reload(self) -> None:
        with self.engine.connect() as conn:
            tables = _load(conn)
        with self._lock:
            self._tables = tables
            self._loaded_at = time.monotonic()

    def maybe_reload(self) -> None:
        if time.monotonic() - self._loaded_at > self.refresh_s:
            self.reload()

    @property
    def empty(self) -> bool:
        return not self._tables.subscriptions and not self._tables.policies

    def tenant_key(self, tenant_id: int) -> str:
        return self._tables.tenant_keys.get(tenant_id, str(tenant_id))

    def channel(self, channel_id: int) -> Channel | None:
        return self._tables.channels.get(channel_id)

    def channel_by_key(self, tenant_id: int, key: str) -> Channel | None:
        channel_id = self._tables.channel_keys.get((tenant_id, key))
        return None if channel_id is None else self._tables.channels.get(channel_id)

    def asset_groups(self, asset_id: int | None) -> frozenset[str]:
        return self._tables.asset_groups.get(asset_id or -1, frozenset())

    def subscriptions_for(
        self, tenant_id: int, alarm_type: str, severity: str, asset_id: int | None
    ) -> Iterator[Subscription]:
        groups = self.asset_groups(asset_id)
        for sub in self._tables.subscriptions.get(tenant_id, ()):
            if sub.channel_id in self._tables.channels and sub.filter.matches(
                alarm_type, severity, groups
            ):
                yield sub

    def policy_for(
        self, tenant_id: int, alarm_type: str, severity: str, asset_id: int | None
    ) -> Policy | None:
        """The first enabled policy (lowest priority number) whose filter matches."""
        groups = self.asset_groups(asset_id)
        for policy in self._tables.policies.get(tenant_id, ()):
            if policy.filter.matches(alarm_type, severity, groups):
                return policy
        return None

    def policy(self, tenant_id: int, policy_id: int) -> Policy | None:
        return next(
            (p for p in self._tables.policies.get(tenant_id, ()) if p.id == policy_id), None
        )

    def recipients(self, sub: Subscription) -> list[Recipient]:
        """Who a subscription reaches; a group channel (robot, webhook) is its own recipient."""
        if sub.target_kind == "channel":
            channel = self._tables.channels[sub.channel_id]
            return [
                Recipient(
                    key=channel.key,
                    name=channel.key,
                    timezone=sub.timezone or DEFAULT_TIMEZONE,
                    locale=sub.locale or DEFAULT_LOCALE,
                )
            ]
        return self.targets(sub.tenant_id, [{"kind": sub.target_kind, "key": sub.target}])

    def targets(self, tenant_id: int, targets: Iterable[dict[str, Any]]) -> list[Recipient]:
        """Contacts named by ``[{kind: contact|role|org_unit, key}]``, each once."""
        found: dict[str, Recipient] = {}
        t = self._tables
        for target in targets:
            kind, key = target.get("kind"), str(target.get("key", ""))
            if kind == "contact":
                contact = t.contacts.get((tenant_id, key))
                people = [contact] if contact is not None else []
            elif kind == "role":
                people = t.contact_roles.get((tenant_id, key), [])
            elif kind == "org_unit":
                people = self._unit_contacts(tenant_id, key)
            else:
                people = []
            for person in people:
                found.setdefault(person.key, person)
        return list(found.values())

    def _unit_contacts(self, tenant_id: int, unit_key: str) -> list[Recipient]:
        t = self._tables
        root = t.unit_keys.get((tenant_id, unit_key))
        if root is None:
            return []
        people: list[Recipient] = []
        stack, seen = [root], set()
        while stack:
            unit = stack.pop()
            if unit in seen:
                continue
            seen.add(unit)
            people.extend(t.contact_units.get(unit, ()))
            stack.extend(t.unit_children.get(unit, ()))
        return people


def _load(conn: Connection) -> _Tables:
    t = _Tables()
    t.tenant_keys = {row.id: row.key for row in conn.execute(select(tenants.c.id, tenants.c.key))}
    for row in conn.execute(select(channels).where(channels.c.enabled)):
        t.channels[row.id] = Channel(
            row.id, row.tenant_id, row.key, row.kind, dict(row.config), row.updated_ms
        )
        t.channel_keys[(row.tenant_id, row.key)] = row.id
    for row in conn.execute(select(org_units.c.id, org_units.c.tenant_id, org_units.c.key,
                                   org_units.c.parent_id)):  # fmt: skip
        t.unit_keys[(row.tenant_id, row.key)] = row.id
        if row.parent_id is not None:
            t.unit_children.setdefault(row.parent_id, []).append(row.id)
    for row in conn.execute(select(contacts).where(contacts.c.active)):
        person = Recipient(row.key, row.name, row.email, row.phone, row.timezone, row.locale)
        t.contacts[(row.tenant_id, row.key)] = person
        if row.role:
            t.contact_roles.setdefault((row.tenant_id, row.role), []).append(person)
        if row.org_unit_id is not None:
            t.contact_units.setdefault(row.org_unit_id, []).append(person)
    for row in conn.execute(select(subscriptions).where(subscriptions.c.enabled)):
        t.subscriptions.setdefault(row.tenant_id, []).append(
            Subscription(
                row.id, row.tenant_id, row.key, row.target_kind, row.target, row.channel_id,
                AlarmFilter.of(row.filters), row.quiet_hours, row.delivery, row.digest_minutes,
                row.timezone, row.locale,
            )
        )  # fmt: skip
    query = select(escalation_policies).where(escalation_policies.c.enabled)
    for row in conn.execute(
        query.order_by(escalation_policies.c.priority, escalation_policies.c.id)
    ):
        t.policies.setdefault(row.tenant_id, []).append(
            Policy(row.id, row.tenant_id, row.key, row.priority, AlarmFilter.of(row.match),
                   tuple(row.steps))
        )  # fmt: skip
    for row in conn.execute(select(assets.c.id, assets.c.attributes)):
        groups = _groups(row.attributes)
        if groups:
            t.asset_groups[row.id] = groups
    return t


def _groups(attributes: Any) -> frozenset[str]:
    """An asset's groups: ``attributes.groups`` (a list) and ``attributes.group`` (one)."""
    if not isinstance(attributes, dict):
        return frozenset()
    groups = attributes.get("groups") or []
    single = attributes.get("group")
    names = [str(g) for g in groups] if isinstance(groups, list) else []
    if single:
        names.append(str(single))
    return frozenset(names)
