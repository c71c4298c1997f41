"""The built-in scorecards of the monitoring-profile presets (issue 7), as code.

Points are judgement, not fitted: each feature's top bin is what a credit officer would call
a strong sign on its own (a tracker torn out twice in a month, a day at a pawn shop this
week, three months overdue). A lender copies a preset and tunes it; the backtest says whether
the tuning helps.
"""

from __future__ import annotations

from typing import Final

from assetwatch.risk.scorecard import Scorecard, bins, features

CONSUMER_AUTO_LOAN: Final = Scorecard(
    features(
        [
            ("risk_point_dwell_h_7d", bins((1, 0), (6, 10), (24, 20), (None, 30))),
            ("risk_point_dwell_h_30d", bins((2, 0), (24, 5), (None, 10))),
            ("nights_away_30d", bins((3, 0), (7, 8), (14, 15), (None, 20))),
            ("geofence_violations_30d", bins((1, 0), (3, 4), (None, 8))),
            ("offline_h_7d", bins((6, 0), (48, 8), (None, 15))),
            ("tamper_events_30d", bins((1, 0), (2, 12), (None, 20))),
            ("gathering_events_30d", bins((1, 0), (None, 10))),
            ("jammer_events_30d", bins((1, 0), (3, 10), (None, 18))),
            ("usage_anomaly_z", bins((2, 0), (3, 4), (None, 8))),
            ("days_overdue", bins((1, 0), (30, 5), (60, 12), (90, 20), (None, 30))),
        ]
    )
)
"""Consumer auto loan: a borrower's own car (issue 7's first preset)."""

PRESETS: Final[dict[str, Scorecard]] = {"consumer_auto_loan": CONSUMER_AUTO_LOAN}
