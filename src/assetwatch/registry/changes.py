"""What an upsert did: created, updated (with the changed fields) or unchanged."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Action = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # "asset", "device", ...
    key: str
    action: Action
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # name -> (old, new)


def diff(current: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields of ``desired`` whose value differs from ``current``: name -> (old, new)."""
    return {
        name: (current.get(name), value)
        for name, value in desired.items()
        if current.get(name) != value
    }


def upsert_with(
    *,
    kind: str,
    key: str,
    current: Mapping[str, Any] | None,
    desired: Mapping[str, Any],
    create: Callable[[], object],
    update: Callable[[dict[str, Any]], object],
) -> Change:
    """Create when ``current`` is ``None``; else update only the fields that differ."""
    if current is None:
        create()
        return Change(kind, key, "created")
    changed = diff(current, desired)
    if not changed:
        return Change(kind, key, "unchanged")
    update({name: new for name, (_old, new) in changed.items()})
    return Change(kind, key, "updated", changed)
