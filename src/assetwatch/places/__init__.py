"""Places: geofences (allowed, forbidden, watch) with the assets they apply to, and risk
points (kind ``risk_point``, see :mod:`assetwatch.riskpoints`)."""
