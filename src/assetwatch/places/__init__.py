"""Places: geofences (allowed, forbidden, watch) with the assets they apply to."""
