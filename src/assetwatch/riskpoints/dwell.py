"""The risk-point dwell rule: an asset that stays at a risk point for ``threshold_s`` or more.

A pure rule over a :class:`~assetwatch.analytics.model.Stay` and a
:class:`~assetwatch.riskpoints.index.RiskPointIndex`. A stay *overlaps* a risk point when
its disc (centroid, ``radius_m``) intersects the risk point's area; it *dwells* there when,
in addition, ``end_ms - start_ms >= threshold_s`` (exactly the threshold counts). Each risk
point overlapped gives one event ``risk_point_dwell`` whose ``subject`` is the risk point's
key and whose ``alarm`` is true.

The event's ``time_ms`` is the moment the threshold was reached, ``start_ms + threshold``:
the same for a stay seen while it is still going on and for the same stay once closed.

Two entry points:

- :func:`dwell_events` for a closed stay (the car has left);
- :func:`open_dwell_events` for a stay still in progress (the stay so far: ``end_ms`` is
  its latest fix). It alarms as soon as the threshold is passed, without waiting for the car
  to leave.

Repeated calls: the caller may check an open stay after every batch. Pass ``already``, the
risk-point keys alarmed for *this* stay so far, and only risk points not in it are
returned; keep ``already | {e.subject for e in events}`` with the open stay and pass it
again, also to :func:`dwell_events` when the stay closes (so closing adds only risk points
the stay reached after its last open check). Reset it when a new stay starts. Without
``already`` every call repeats the events: the alarm layer still keeps one open alarm per
(asset, ``risk_point_dwell``, risk-point key), but counts each repeat on it and the events
table stores each one.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any, Final

from assetwatch.analytics.model import Stay
from assetwatch.riskpoints.index import Nearby, RiskPointIndex
from assetwatch.rules.events import RuleEvent

RISK_POINT_DWELL: Final = "risk_point_dwell"


def dwell_events(
    stay: Stay,
    index: RiskPointIndex,
    threshold_s: float,
    *,
    retrospective: bool = False,
    tenant_id: int | None = None,
    already: AbstractSet[str] = frozenset(),
) -> list[RuleEvent]:
    """Dwell events of a closed ``stay``: one per risk point it overlapped, when it lasted
    at least ``threshold_s`` seconds; none for the keys in ``already``. ``tenant_id`` limits
    the risk points to the asset's tenant (give it when ``index`` holds several)."""
    return _events(stay, index, threshold_s, retrospective, tenant_id, already, ongoing=False)


def open_dwell_events(
    stay: Stay,
    index: RiskPointIndex,
    threshold_s: float,
    *,
    retrospective: bool = False,
    tenant_id: int | None = None,
    already: AbstractSet[str] = frozenset(),
) -> list[RuleEvent]:
    """Dwell events of a stay still in progress (``stay.end_ms`` is its latest fix), as soon
    as it has lasted ``threshold_s``; ``details["ongoing"]`` is true. See the module
    docstring for calling it repeatedly."""
    return _events(stay, index, threshold_s, retrospective, tenant_id, already, ongoing=True)


def _events(
    stay: Stay,
    index: RiskPointIndex,
    threshold_s: float,
    retrospective: bool,
    tenant_id: int | None,
    already: AbstractSet[str],
    *,
    ongoing: bool,
) -> list[RuleEvent]:
    if threshold_s < 0:
        raise ValueError(f"threshold_s must not be negative, got {threshold_s}")
    threshold_ms = round(threshold_s * 1000)
    if stay.end_ms - stay.start_ms < threshold_ms:
        return []
    return [
        RuleEvent(
            type=RISK_POINT_DWELL,
            time_ms=stay.start_ms + threshold_ms,
            subject=near.point.key,
            alarm=True,
            retrospective=retrospective,
            details=_details(stay, near, threshold_s, ongoing=ongoing),
        )
        for near in index.overlapping(stay, tenant_id=tenant_id)
        if near.point.key not in already
    ]


def _details(stay: Stay, near: Nearby, threshold_s: float, *, ongoing: bool) -> dict[str, Any]:
    return {
        "risk_point": near.point.key,
        "category": near.point.category,
        "name": near.point.name,
        "stay_start_ms": stay.start_ms,
        "stay_end_ms": stay.end_ms,
        "duration_s": stay.duration_s,
        "threshold_s": threshold_s,
        "distance_m": round(near.distance_m, 1),
        "stay_radius_m": round(stay.radius_m, 1),
        "lat": stay.lat,
        "lon": stay.lon,
        "ongoing": ongoing,
    }
