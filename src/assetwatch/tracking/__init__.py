"""Tracks (stored fixes of an asset over time) and live positions."""
