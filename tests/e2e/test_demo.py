"""``assetwatch demo`` shows every demo alarm, the retrospective one included, in time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_demo_shows_every_alarm_within_90_seconds(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "assetwatch",
            "demo",
            "--data-dir",
            str(tmp_path / "demo"),
            "--duration",
            "75",
            "--check",
        ],
        capture_output=True,
        text=True,
        timeout=140,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    seen = result.stdout.rsplit("alarms seen:", 1)[1].split()
    assert {"geofence_exit,", "geofence_enter,", "offline,", "power_cut,"} <= set(seen)
    assert seen[-1] == "retrospective"
