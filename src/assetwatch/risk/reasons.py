"""Reason codes in plain language: why a score is what it is, in zh-CN and en.

Each feature has a sentence per locale with the value in it. A reason names the feature's
value, not the points: a risk officer checks "31 h at risk points in 7 days" against the
track, not a number from the model.
"""

from __future__ import annotations

from typing import Final

from assetwatch.risk.scorecard import Contribution, Locale, Score

SENTENCES: Final[dict[str, dict[Locale, str]]] = {
    "risk_point_dwell_h_7d": {
        "en": "stayed {value:.0f} h at risk points (pawn shops, used-car markets…) "
        "in the last 7 days",
        "zh-CN": "近7天在风险点（典当行、二手车市场等）停留{value:.0f}小时",
    },
    "risk_point_dwell_h_30d": {
        "en": "stayed {value:.0f} h at risk points in the last 30 days",
        "zh-CN": "近30天在风险点停留{value:.0f}小时",
    },
    "nights_away_30d": {
        "en": "{value:.0f} nights away from its usual places in the last 30 days",
        "zh-CN": "近30天有{value:.0f}晚不在常驻地",
    },
    "geofence_violations_30d": {
        "en": "{value:.0f} geofence violations in the last 30 days",
        "zh-CN": "近30天越界{value:.0f}次",
    },
    "offline_h_7d": {
        "en": "offline {value:.0f} h in the last 7 days",
        "zh-CN": "近7天离线{value:.0f}小时",
    },
    "tamper_events_30d": {
        "en": "{value:.0f} tracker removal or power-cut events in the last 30 days",
        "zh-CN": "近30天设备拆除或断电{value:.0f}次",
    },
    "gathering_events_30d": {
        "en": "seen in {value:.0f} abnormal gatherings in the last 30 days",
        "zh-CN": "近30天参与异常聚集{value:.0f}次",
    },
    "jammer_events_30d": {
        "en": "{value:.0f} signs of GPS jamming in the last 30 days",
        "zh-CN": "近30天疑似屏蔽GPS信号{value:.0f}次",
    },
    "usage_anomaly_z": {
        "en": "usage {value:+.1f} standard deviations from its own history",
        "zh-CN": "使用强度偏离自身历史{value:+.1f}个标准差",
    },
    "days_overdue": {
        "en": "contract {value:.0f} days overdue",
        "zh-CN": "合同逾期{value:.0f}天",
    },
}


def sentence(contribution: Contribution, locale: Locale = "en") -> str:
    """The plain-language reason for one contribution (a generic line for a custom feature)."""
    known = SENTENCES.get(contribution.feature)
    if known is None:
        return f"{contribution.feature} = {contribution.value:g}"
    return known[locale].format(value=contribution.value)


def reasons(score: Score, locale: Locale = "en") -> list[str]:
    return [sentence(c, locale) for c in score.reasons]
