"""Monitoring profiles of a lender: named, versioned scorecards copied from a preset.

A lender copies a preset (``consumer_auto_loan``) under its own key and changes its bins,
points and level thresholds. Every change is a new *version*; old versions are kept, so a
kept score names exactly the scorecard it used (``my-auto@v3``). The scorecard's JSON form:

    {"base": 0, "levels": {"medium": 40, "high": 60, "critical": 80},
     "features": {"days_overdue": [[1, 0], [30, 5], [null, 30]], ...}}
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select

from assetwatch.errors import NotFoundError, ValidationError
from assetwatch.model.scope import Scope
from assetwatch.risk.presets import PRESETS
from assetwatch.risk.scorecard import Bin, Feature, Scorecard
from assetwatch.storage.schema import monitoring_profiles


def card_to_json(card: Scorecard) -> dict[str, Any]:
    return {
        "base": card.base,
        "levels": {"medium": card.medium_from, "high": card.high_from,
                   "critical": card.critical_from},
        "features": {f.name: [[b.below, b.points] for b in f.bins] for f in card.features},
    }  # fmt: skip


def card_from_json(data: Any) -> Scorecard:
    """A scorecard from its JSON form; ``ValidationError`` naming what is wrong."""
    try:
        levels = data.get("levels", {})
        features = tuple(
            Feature(str(name), tuple(Bin(None if b is None else float(b), float(p))
                                     for b, p in table))
            for name, table in data["features"].items()
        )  # fmt: skip
        return Scorecard(
            features, base=float(data.get("base", 0)),
            medium_from=float(levels.get("medium", 40)), high_from=float(levels.get("high", 60)),
            critical_from=float(levels.get("critical", 80)),
        )  # fmt: skip
    except ValidationError:
        raise
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise ValidationError(f"not a scorecard: {err!r}") from None


def _latest(conn: Connection, scope: Scope, key: str) -> Any:
    c = monitoring_profiles.c
    return conn.execute(
        select(monitoring_profiles)
        .where((c.tenant_id == scope.tenant_id) & (c.key == key))
        .order_by(c.version.desc())
        .limit(1)
    ).first()


def _view(row: Any) -> dict[str, Any]:
    return {"key": row.key, "version": row.version, "copied_from": row.copied_from,
            "scorecard": row.scorecard, "created_by": row.created_by,
            "created_ms": row.created_ms}  # fmt: skip


def save(
    conn: Connection, *, scope: Scope, key: str, scorecard: Any, now_ms: int,
    copied_from: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A new version of profile ``key`` (version 1 when it is new)."""
    card_from_json(scorecard)  # refuse what would not score
    last = _latest(conn, scope, key)
    version = 1 if last is None else int(last.version) + 1
    conn.execute(
        insert(monitoring_profiles).values(
            tenant_id=scope.tenant_id, key=key, version=version, scorecard=scorecard,
            copied_from=copied_from or (last.copied_from if last else None),
            created_by=scope.actor, created_ms=now_ms,
        )
    )  # fmt: skip
    return get(conn, scope=scope, key=key)


def copy_preset(
    conn: Connection, *, scope: Scope, preset: str, key: str, now_ms: int
) -> dict[str, Any]:
    card = PRESETS.get(preset)
    if card is None:
        raise NotFoundError(f"preset {preset!r} does not exist; known: {sorted(PRESETS)}")
    if _latest(conn, scope, key) is not None:
        raise ValidationError(f"profile {key!r} exists; change it instead of copying over it")
    return save(conn, scope=scope, key=key, scorecard=card_to_json(card), now_ms=now_ms,
                copied_from=preset)  # fmt: skip


def get(conn: Connection, *, scope: Scope, key: str, version: int | None = None) -> dict[str, Any]:
    c = monitoring_profiles.c
    if version is None:
        row = _latest(conn, scope, key)
    else:
        row = conn.execute(
            select(monitoring_profiles).where(
                (c.tenant_id == scope.tenant_id) & (c.key == key) & (c.version == version)
            )
        ).first()
    if row is None:
        raise NotFoundError(f"monitoring profile {key!r} does not exist")
    return _view(row)


def list_all(conn: Connection, *, scope: Scope) -> list[dict[str, Any]]:
    c = monitoring_profiles.c
    latest = (
        select(c.key, func.max(c.version).label("version"))
        .where(c.tenant_id == scope.tenant_id)
        .group_by(c.key)
        .subquery()
    )
    rows = conn.execute(
        select(monitoring_profiles)
        .join(latest, (latest.c.key == c.key) & (latest.c.version == c.version))
        .where(c.tenant_id == scope.tenant_id)
        .order_by(c.key)
    )
    return [_view(r) for r in rows]


def scorecard_for(conn: Connection, *, scope: Scope, name: str) -> tuple[Scorecard, str]:
    """The scorecard ``name`` stands for: a built-in preset, or the tenant's profile (its
    latest version); with the label kept scores carry (``my-auto@v3``)."""
    if name in PRESETS:
        return PRESETS[name], name
    profile = get(conn, scope=scope, key=name)
    return card_from_json(profile["scorecard"]), f"{name}@v{profile['version']}"
