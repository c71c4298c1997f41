"""``alarm_stats`` on a tiny portfolio with exact expected figures, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from assetwatch.alarms.stats import alarm_stats, percentile, summarise
from assetwatch.errors import ValidationError
from assetwatch.model.scope import Scope
from tests.alarms.conftest import Portfolio, ms


def test_counts(portfolio: Portfolio) -> None:
    stats = alarm_stats(portfolio.engine, scope=portfolio.bank_a)
    assert stats["total"] == 7
    assert stats["repeats"] == 10
    assert stats["by_type"] == {"geofence_exit": 3, "offline": 2, "power_cut": 1, "sos": 1}
    assert list(stats["by_type"]) == ["geofence_exit", "offline", "power_cut", "sos"]
    assert stats["by_severity"] == {"critical": 1, "high": 1, "medium": 5, "low": 0}
    assert stats["by_status"] == {
        "open": 2, "acknowledged": 1, "resolved": 2, "false_positive": 2,
    }  # fmt: skip
    assert stats["by_asset"] == [
        {"asset": "A1", "count": 3}, {"asset": "A2", "count": 2}, {"asset": "A3", "count": 1},
    ]  # fmt: skip
    assert stats["by_counterparty"] == [
        {"counterparty": "dealer-1", "count": 3}, {"counterparty": "dealer-2", "count": 2},
    ]  # fmt: skip
    top = alarm_stats(portfolio.engine, scope=portfolio.bank_a, top=1)
    assert top["by_asset"] == [{"asset": "A1", "count": 3}]
    assert top["by_counterparty"] == [{"counterparty": "dealer-1", "count": 3}]


def test_days_follow_the_time_zone(portfolio: Portfolio) -> None:
    utc = alarm_stats(portfolio.engine, scope=portfolio.bank_a)
    assert utc["by_day"] == {"2026-03-01": 4, "2026-03-02": 3}
    # 15:59 UTC is 23:59 in Shanghai; 16:00 and 23:30 UTC are the next day there
    shanghai = alarm_stats(portfolio.engine, scope=portfolio.bank_a, timezone="Asia/Shanghai")
    assert shanghai["by_day"] == {"2026-03-01": 2, "2026-03-02": 4, "2026-03-03": 1}
    assert shanghai["filters"]["timezone"] == "Asia/Shanghai"
    # UTC-5 in March (before DST): 23:30 UTC on 03-02 is still 03-02 in New York
    new_york = alarm_stats(portfolio.engine, scope=portfolio.bank_a, timezone="America/New_York")
    assert new_york["by_day"] == {"2026-03-01": 4, "2026-03-02": 3}
    # half-hour offset (UTC+5:30): 23:30 UTC is 05:00 the next day
    kolkata = alarm_stats(portfolio.engine, scope=portfolio.bank_a, timezone="Asia/Kolkata")
    assert kolkata["by_day"] == {"2026-03-01": 3, "2026-03-02": 3, "2026-03-03": 1}


def test_response_times(portfolio: Portfolio) -> None:
    stats = alarm_stats(portfolio.engine, scope=portfolio.bank_a)
    # acknowledged after 60, 120, 300 and 30 s; closed after 600, 300, 900 and 3600 s
    assert stats["mtta_s"] == {"n": 4, "mean": 127.5, "median": 90.0, "p90": 246.0}
    assert stats["mttr_s"] == {"n": 4, "mean": 1350.0, "median": 750.0, "p90": 2790.0}
    by_type = stats["times_by_type"]
    assert list(by_type) == ["geofence_exit", "offline", "sos"]  # power_cut: never touched
    geofence = by_type["geofence_exit"]
    assert geofence["mtta_s"] == {"n": 2, "mean": 90.0, "median": 90.0, "p90": 114.0}
    assert geofence["mttr_s"]["mean"] == 600.0
    assert by_type["offline"]["mttr_s"] == {"n": 0, "mean": None, "median": None, "p90": None}
    assert by_type["sos"]["mttr_s"]["mean"] == 3600.0


def test_false_positive_rates(portfolio: Portfolio) -> None:
    rates = alarm_stats(portfolio.engine, scope=portfolio.bank_a)["false_positive_rate"]
    assert rates["by_type"] == {
        "geofence_exit": {"rate": 0.6667, "closed": 3, "false_positive": 2},
        "offline": {"rate": None, "closed": 0, "false_positive": 0},
        "power_cut": {"rate": None, "closed": 0, "false_positive": 0},
        "sos": {"rate": 0.0, "closed": 1, "false_positive": 0},
    }
    assert rates["by_profile"] == {
        "default": {"rate": 0.3333, "closed": 3, "false_positive": 1},
        "strict": {"rate": 1.0, "closed": 1, "false_positive": 1},
    }


def test_filters(portfolio: Portfolio) -> None:
    engine, scope = portfolio.engine, portfolio.bank_a
    since = alarm_stats(engine, scope=scope, since_ms=ms("2026-03-02T00:00"))
    assert (since["total"], since["by_type"]) == (3, {"offline": 1, "power_cut": 1, "sos": 1})
    window = alarm_stats(
        engine, scope=scope, since_ms=ms("2026-03-01T15:59"), until_ms=ms("2026-03-01T23:30")
    )
    assert window["total"] == 2  # until is exclusive
    assert window["filters"]["since"] == "2026-03-01T15:59:00Z"
    geofence = alarm_stats(engine, scope=scope, alarm_type="geofence_exit")
    assert geofence["total"] == 3
    assert list(geofence["false_positive_rate"]["by_type"]) == ["geofence_exit"]
    assert alarm_stats(engine, scope=scope, alarm_type="nope")["total"] == 0


def test_other_tenants_never_count(portfolio: Portfolio) -> None:
    b = alarm_stats(portfolio.engine, scope=portfolio.bank_b)
    assert (b["total"], b["by_type"]) == (2, {"geofence_exit": 1, "tamper": 1})
    assert b["by_asset"] == [{"asset": "B1", "count": 2}]
    assert b["by_counterparty"] == [{"counterparty": "dealer-9", "count": 2}]
    nobody = alarm_stats(portfolio.engine, scope=Scope(tenant_id=999_999))
    assert nobody["total"] == 0 and nobody["by_asset"] == [] and nobody["by_day"] == {}


def test_org_unit_scope(portfolio: Portfolio) -> None:
    north = Scope(tenant_id=portfolio.bank_a.tenant_id, org_units=frozenset({portfolio.north}))
    stats = alarm_stats(portfolio.engine, scope=north)  # north's subtree holds A1 and A2
    assert stats["total"] == 5
    assert [a["asset"] for a in stats["by_asset"]] == ["A1", "A2"]
    south = Scope(tenant_id=portfolio.bank_a.tenant_id, org_units=frozenset({portfolio.south}))
    assert alarm_stats(portfolio.engine, scope=south)["by_type"] == {
        "geofence_exit": 1, "offline": 1,
    }  # fmt: skip
    none = Scope(tenant_id=portfolio.bank_a.tenant_id, org_units=frozenset())
    assert alarm_stats(portfolio.engine, scope=none)["total"] == 0


def test_empty_statistics_are_well_formed(sqlite_portfolio: Portfolio) -> None:
    stats = alarm_stats(sqlite_portfolio.engine, scope=sqlite_portfolio.bank_a, alarm_type="x")
    assert stats["by_type"] == {} and stats["by_day"] == {}
    assert stats["by_status"] == dict.fromkeys(
        ("open", "acknowledged", "resolved", "false_positive"), 0
    )
    assert stats["mtta_s"] == {"n": 0, "mean": None, "median": None, "p90": None}
    assert stats["false_positive_rate"] == {"by_type": {}, "by_profile": {}}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "not an IANA time zone"),
        ({"timezone": "../etc/passwd"}, "not an IANA time zone"),
        ({"top": 0}, "top must be between 1 and 1000"),
        ({"since_ms": 2, "until_ms": 1}, "since must not be after until"),
    ],
)
def test_bad_input(sqlite_portfolio: Portfolio, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        alarm_stats(sqlite_portfolio.engine, scope=sqlite_portfolio.bank_a, **kwargs)  # type: ignore[arg-type]


def test_percentile_matches_linear_interpolation() -> None:
    assert percentile([1.0], 0.9) == 1.0
    assert percentile([10.0, 20.0], 0.5) == 15.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.9) == pytest.approx(4.6)
    assert summarise([3.0, 1.0, 2.0]) == {"n": 3, "mean": 2.0, "median": 2.0, "p90": 2.8}
