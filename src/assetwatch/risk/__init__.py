"""Risk scoring (issue 7): scorecards over behaviour features, levels, reason codes."""
