"""The charts, ``GET /alarms/stats[.png]`` on the real app, and ``assetwatch alarms stats``."""

from __future__ import annotations

import struct
from pathlib import Path

from assetwatch.alarms.stats import alarm_stats
from assetwatch.alarms.stats_plot import render_stats_png
from tests.alarms.conftest import Portfolio

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk."""
    assert data.startswith(PNG_SIGNATURE)
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_render_the_four_panels(sqlite_portfolio: Portfolio, tmp_path: Path) -> None:
    stats = alarm_stats(sqlite_portfolio.engine, scope=sqlite_portfolio.bank_a)
    path = tmp_path / "stats.png"
    render_stats_png(stats, path, title="bank-a")
    data = path.read_bytes()
    assert png_size(data) == (1300, 900)
    assert 20_000 < len(data) < 500_000


def test_render_without_alarms_or_without_closed_ones(
    sqlite_portfolio: Portfolio, tmp_path: Path
) -> None:
    engine, scope = sqlite_portfolio.engine, sqlite_portfolio.bank_a
    empty = tmp_path / "empty.png"
    render_stats_png(alarm_stats(engine, scope=scope, alarm_type="x"), empty, title="none")
    assert png_size(empty.read_bytes()) == (800, 300)
    untouched = tmp_path / "power_cut.png"  # one open alarm: two panels say why they are empty
    stats = alarm_stats(engine, scope=scope, alarm_type="power_cut")
    render_stats_png(stats, untouched, title="power cut")
    assert png_size(untouched.read_bytes()) == (1300, 900)
