"""Trajectory analytics: stays and trips, resident places, risk-point visits, gathering,
blind periods. Pure functions and small incremental state machines over fixes; the
processor and the batch jobs feed them and store what they find."""
