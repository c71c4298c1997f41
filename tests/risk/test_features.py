"""Features read from stored stays, alarms, events, trips and contracts, exactly."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select, update

from assetwatch.model.scope import Scope
from assetwatch.registry.provisioning import apply_text
from assetwatch.risk.features import DAY_MS, HOUR_MS, asset_features
from assetwatch.riskpoints import service as risk_points
from assetwatch.riskpoints.index import RiskPointIndex, load_risk_points
from assetwatch.storage.schema import alarms, assets, contracts, events, stays, tenants, trips

NOW = 1_800_000_000_000
FLEET = """
tenant: bank-r
counterparties:
  - {key: CP-1, kind: borrower}
contracts:
  - {key: LOAN-1, kind: loan, counterparty: CP-1}
assets:
  - {key: VIN-R1, kind: vehicle, contract: LOAN-1}
"""
PAWN = (22.5600, 114.0800)
HOME = (22.6000, 114.1000)


def _world(engine: Engine) -> tuple[int, int, RiskPointIndex]:
    apply_text(engine, FLEET, "fleet.yaml")
    with engine.begin() as conn:
        tenant = int(conn.scalar(select(tenants.c.id).where(tenants.c.key == "bank-r")))
        asset = int(conn.scalar(select(assets.c.id).where(assets.c.key == "VIN-R1")))
        csv = f"key,name,category,lat,lon,radius_m\nP1,典当行,pawn_shop,{PAWN[0]},{PAWN[1]},150\n"
        risk_points.import_catalogue(conn, scope=Scope(tenant), data=csv.encode())
        index = RiskPointIndex(load_risk_points(conn, tenant_id=tenant))
    return tenant, asset, index


def _stay(asset: int, tenant: int, start_h: float, hours: float, at: tuple[float, float]) -> dict:
    start = NOW - int(start_h * HOUR_MS)
    return {"tenant_id": tenant, "asset_id": asset, "start_ms": start,
            "end_ms": start + int(hours * HOUR_MS), "lat": at[0], "lon": at[1],
            "radius_m": 30.0, "points": 10, "created_ms": NOW}  # fmt: skip


def _alarm(asset: int | None, tenant: int, kind: str, opened_h: float, **extra: object) -> dict:
    opened = NOW - int(opened_h * HOUR_MS)
    row = {"tenant_id": tenant, "asset_id": asset, "type": kind, "subject": f"at {opened_h} h",
           "status": "open", "opened_ms": opened, "last_ms": opened, "details": {},
           "created_ms": opened, "resolved_ms": None, "count": 1, **extra}  # fmt: skip
    if row["resolved_ms"] is not None:
        row["status"] = "resolved"
    return row


def test_every_feature_from_stored_history(engine: Engine) -> None:
    tenant, asset, index = _world(engine)
    with engine.begin() as conn:
        conn.execute(insert(stays), [
            _stay(asset, tenant, 40 * 24, 10, HOME),  # 40 days ago: history exists
            _stay(asset, tenant, 20, 12, PAWN),  # 12 h at the pawn shop, this week
            _stay(asset, tenant, 7 * 24 + 5, 10, PAWN),  # 5 of its 10 h inside the week
            _stay(asset, tenant, 20 * 24, 6, PAWN),  # 6 h, this month only
            _stay(asset, tenant, 3, 2, HOME),  # not a risk point
        ])  # fmt: skip
        conn.execute(insert(alarms), [
            _alarm(asset, tenant, "offline", 30, resolved_ms=NOW - 20 * HOUR_MS),  # 10 h
            _alarm(asset, tenant, "offline", 8 * 24 + 2, resolved_ms=NOW - 8 * 24 * HOUR_MS),
            _alarm(asset, tenant, "offline", 4),  # still offline: 4 h
            _alarm(asset, tenant, "power_cut", 50, count=2),
            _alarm(asset, tenant, "removal", 31 * 24),  # too old
            _alarm(asset, tenant, "gnss_denied", 60),
            _alarm(asset, tenant, "away_from_usual_places", 24, details={"nights": 6}),
            _alarm(None, tenant, "gathering", 70, details={"assets": [asset, 99]}),
            _alarm(None, tenant, "gathering", 80, details={"assets": [98, 99]}),
        ])  # fmt: skip
        conn.execute(insert(events), [
            {"tenant_id": tenant, "asset_id": asset, "time_ms": NOW - h * HOUR_MS, "type": t,
             "details": {}, "created_ms": NOW}
            for h, t in ((5, "geofence_exit"), (100, "geofence_enter"), (900, "geofence_exit"))
        ])  # fmt: skip
        conn.execute(update(contracts).values(days_overdue=45))
        values = asset_features(conn, tenant_id=tenant, asset_id=asset, now_ms=NOW,
                                risk_points=index)  # fmt: skip
    assert values == {
        "risk_point_dwell_h_7d": 17.0, "risk_point_dwell_h_30d": 28.0, "nights_away_30d": 6.0,
        "geofence_violations_30d": 2.0, "offline_h_7d": 14.0, "tamper_events_30d": 2.0,
        "gathering_events_30d": 1.0, "jammer_events_30d": 1.0, "usage_anomaly_z": None,
        "days_overdue": 45.0,
    }  # fmt: skip


def test_usage_against_its_own_history(engine: Engine) -> None:
    tenant, asset, index = _world(engine)
    rows = []
    for day in range(97):  # 20 km a day, alternating 10/30, then 100 km a day in the last week
        km = 100.0 if day >= 90 else (10.0 if day % 2 else 30.0)
        start = NOW - (97 - day) * DAY_MS + HOUR_MS
        rows.append({"tenant_id": tenant, "asset_id": asset, "start_ms": start,
                     "end_ms": start + HOUR_MS, "distance_m": km * 1000, "max_speed_kmh": 60,
                     "avg_speed_kmh": 40, "points": 10, "created_ms": NOW})  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(trips), rows)
        values = asset_features(conn, tenant_id=tenant, asset_id=asset, now_ms=NOW,
                                risk_points=index)  # fmt: skip
        assert values["usage_anomaly_z"] == (100 - 20) / 10  # mean 20, population sd 10
        assert values["nights_away_30d"] is None  # no stays: its usual places are unknown
        assert values["days_overdue"] == 0.0
