"""Alarm lifecycle: one open alarm per (asset, type, subject), acknowledged then resolved."""
