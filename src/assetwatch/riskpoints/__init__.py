"""Risk points (二押点): catalogues of pawn shops, used-car markets and similar places where a
financed car may be pawned again, and the dwell rule that alarms when an asset stays there.

Risk points are stored as places of kind ``risk_point`` (always WGS-84); the geofence rule
never sees them. See docs/riskpoints.md.
"""
