"""Exact scores, levels and reasons for hand-built feature sets."""

from __future__ import annotations

import pytest

from assetwatch.errors import ValidationError
from assetwatch.risk.presets import CONSUMER_AUTO_LOAN
from assetwatch.risk.reasons import reasons
from assetwatch.risk.scorecard import Bin, Feature, Scorecard, bins, score

QUIET = {
    "risk_point_dwell_h_7d": 0.0, "risk_point_dwell_h_30d": 0.5, "nights_away_30d": 1,
    "geofence_violations_30d": 0, "offline_h_7d": 2, "tamper_events_30d": 0,
    "gathering_events_30d": 0, "jammer_events_30d": 0, "usage_anomaly_z": 0.4,
    "days_overdue": 0,
}  # fmt: skip


def test_a_quiet_borrower_scores_zero_and_is_low() -> None:
    result = score(CONSUMER_AUTO_LOAN, QUIET)
    assert (result.score, result.level, result.reasons, result.missing) == (0.0, "low", (), ())


def test_a_second_mortgage_pattern_is_critical_with_its_reasons() -> None:
    values = {**QUIET, "risk_point_dwell_h_7d": 31, "risk_point_dwell_h_30d": 31,
              "nights_away_30d": 9, "days_overdue": 45, "tamper_events_30d": 1}  # fmt: skip
    result = score(CONSUMER_AUTO_LOAN, values)
    # 30 (31 h in 7 d) + 10 (31 h in 30 d) + 15 (9 nights) + 12 (45 days) + 12 (one removal)
    assert result.score == 79.0 and result.level == "high"
    assert [(c.feature, c.points) for c in result.reasons] == [
        ("risk_point_dwell_h_7d", 30), ("nights_away_30d", 15), ("days_overdue", 12),
    ]  # fmt: skip
    assert reasons(result, "en") == [
        "stayed 31 h at risk points (pawn shops, used-car markets…) in the last 7 days",
        "9 nights away from its usual places in the last 30 days",
        "contract 45 days overdue",
    ]
    assert reasons(result, "zh-CN")[0] == "近7天在风险点（典当行、二手车市场等）停留31小时"
    worse = score(CONSUMER_AUTO_LOAN, {**values, "jammer_events_30d": 1})
    assert (worse.score, worse.level) == (89.0, "critical")


def test_bins_are_half_open_and_the_score_is_clipped() -> None:
    card = Scorecard((Feature("x", bins((10, 0), (20, 50), (None, 90))),), base=20)
    assert [score(card, {"x": v}).score for v in (9.99, 10, 19.99, 20, 1e9)] == [
        20, 70, 70, 100, 100,
    ]  # fmt: skip
    negative = Scorecard((Feature("x", bins((0, -50), (None, 0))),), base=20)
    assert score(negative, {"x": -1}).score == 0.0


def test_missing_data_scores_nothing_and_says_so() -> None:
    result = score(CONSUMER_AUTO_LOAN, {"days_overdue": 95})
    assert result.score == 30.0 and result.level == "low"
    assert "nights_away_30d" in result.missing and len(result.missing) == 9
    with pytest.raises(ValidationError, match="not in the scorecard"):
        score(CONSUMER_AUTO_LOAN, {"colour": 1})


def test_scorecards_are_checked() -> None:
    with pytest.raises(ValidationError, match="open bin"):
        Feature("x", (Bin(1, 0), Bin(2, 5)))
    with pytest.raises(ValidationError, match="increase"):
        Feature("x", bins((5, 0), (3, 1), (None, 2)))
    with pytest.raises(ValidationError, match="levels"):
        Scorecard((), medium_from=70, high_from=60)
    with pytest.raises(ValidationError, match="twice"):
        Scorecard((Feature("x", (Bin(None, 0),)), Feature("x", (Bin(None, 1),))))
