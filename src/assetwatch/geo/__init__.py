"""Geodesy helpers shared by analytics, places and exports: distances and Chinese datums."""
