"""End to end in one process: provision a GT06 tracker, import cells with the CLI, feed an
LBS-only report through the processor, read the track from the API and the CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assetwatch.api.app import create_app
from assetwatch.cli.main import app as cli
from assetwatch.live import LiveFeed
from assetwatch.model.observation import FixSource, Observation
from assetwatch.observability import Metrics
from assetwatch.pipeline.bus import MemoryBus
from assetwatch.pipeline.directory import DeviceDirectory
from assetwatch.pipeline.processor import Processor
from assetwatch.registry.provisioning import apply_text
from assetwatch.settings import Settings
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from tests.cells.conftest import GOOD, csv_text, write

T0 = 1_780_000_000_000
FLEET = """
tenant: demo-bank
assets:
  - {key: LSVAU2180N2183294, kind: vehicle}
devices:
  - {key: "868120300000001", protocol: gt06, asset: LSVAU2180N2183294}
"""


def lbs_report(at_ms: int) -> Observation:
    """A battery tracker in an underground car park: no fix, two cells heard."""
    return Observation(
        device_key="868120300000001",
        protocol="gt06",
        time_ms=at_ms,
        server_time_ms=T0,
        valid=False,
        fix_source=FixSource.NONE,
        attributes={
            "cells": [
                {"mcc": 460, "mnc": 0, "lac": 9338, "ci": 3692, "signal_dbm": -75},
                {"mcc": 460, "mnc": 0, "lac": 9999, "ci": 1, "signal_dbm": -80},  # unknown
            ]
        },
        idem=at_ms,
    )


def test_an_lbs_only_report_becomes_a_cell_fix_on_the_track(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    engine = open_engine(sqlite_url(data_dir))
    migrate(engine)
    apply_text(engine, FLEET, "fleet.yaml", now_ms=T0 - 86_400_000)
    runner = CliRunner()
    where = ["--data-dir", str(data_dir)]
    imported = runner.invoke(
        cli, ["cells", "import", str(write(tmp_path / "c.csv", csv_text(*GOOD))), *where]
    )
    assert imported.exit_code == 0, imported.output

    processor = Processor(
        engine, MemoryBus(), DeviceDirectory(engine), Metrics(), lambda _: None, clock=lambda: T0
    )
    processor.process([lbs_report(T0 - 5_000)])

    api = TestClient(create_app(engine, LiveFeed(), Metrics(), Settings(environment="development")))
    track = api.get("/api/v1/assets/LSVAU2180N2183294/track").json()
    assert [(p["fix_source"], p["accuracy_m"], p["lat"], p["lon"], p["valid"]) for p in track] == [
        ("cell", 1000.0, 22.5431, 114.0579, True)
    ]
    assert track[0]["attributes"]["cells_used"] == 1

    as_csv = runner.invoke(cli, ["track", "LSVAU2180N2183294", "--format", "csv", *where])
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [(r["fix_source"], r["accuracy_m"]) for r in rows] == [("cell", "1000.0")]
    table = runner.invoke(cli, ["track", "LSVAU2180N2183294", *where]).output
    assert "cell" in table and "±1000 m" in table  # the fix column (folded at 80 columns)
    engine.dispose()
