"""``assetwatch cells import|lookup|resolve`` through Typer's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assetwatch.cli.main import app
from assetwatch.errors import NotFoundError, ValidationError
from tests.cells.conftest import GOOD, csv_text, gz, write

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def cells(data_dir: Path, *args: str, stdin: str | None = None) -> tuple[int, str, object]:
    result = runner.invoke(app, ["cells", *args, "--data-dir", str(data_dir)], input=stdin)
    return result.exit_code, result.output, result.exception


def test_import_prints_progress_and_a_summary_with_the_bad_lines(
    tmp_path: Path, data_dir: Path
) -> None:
    path = write(tmp_path / "cells.csv.gz", gz(csv_text(GOOD[0], "GSM,460,0", *GOOD[1:])))
    code, output, _ = cells(data_dir, "import", str(path), "--show-rejects", "5")
    assert code == 0, output
    assert "4 rows" in output  # the progress bar's last state
    lines = {" ".join(line.strip("│ ").split()) for line in output.splitlines()}
    assert {"rows read │ 4", "added │ 3", "rejected │ 1"} <= lines
    assert "line 3 │ expected 14 columns, got 3" in lines
    code, output, _ = cells(data_dir, "import", str(path), "--mcc", "262")
    assert code == 0
    assert "skipped (--mcc) │ 3" in {
        " ".join(line.strip("│ ").split()) for line in output.splitlines()
    }


def test_lookup_and_resolve(tmp_path: Path, data_dir: Path) -> None:
    cells(data_dir, "import", str(write(tmp_path / "cells.csv", csv_text(*GOOD))))
    code, output, _ = cells(data_dir, "lookup", "460", "0", "6243", "120458499")
    assert code == 0
    assert json.loads(output) | {"updated": None} == {
        "radio": "LTE", "mcc": 460, "mnc": 0, "lac": 6243, "cid": 120458499,
        "lat": 22.55, "lon": 114.06, "range_m": 500, "samples": 30, "updated": None,
    }  # fmt: skip
    heard = [{"mcc": 460, "mnc": 0, "lac": 6243, "ci": 120458499, "signal_dbm": -60}]
    code, output, _ = cells(data_dir, "resolve", stdin=json.dumps(heard))
    assert code == 0
    assert json.loads(output) == {
        "lat": 22.55, "lon": 114.06, "accuracy_m": 500.0, "fix_source": "cell",
        "cells_used": 1, "unknown": [],
    }  # fmt: skip


def test_errors_are_domain_errors(tmp_path: Path, data_dir: Path) -> None:
    _, _, error = cells(data_dir, "lookup", "460", "0", "1", "1")
    assert isinstance(error, NotFoundError)
    _, _, error = cells(data_dir, "resolve", stdin="[{]")
    assert isinstance(error, ValidationError)
    assert str(error).startswith("not a list of cells")
    _, _, error = cells(data_dir, "import", str(write(tmp_path / "x.csv", b"a,b\n")))
    assert isinstance(error, ValidationError)
    assert str(error) == "line 1: no valid row among 1 (first: expected 14 columns, got 2)"
