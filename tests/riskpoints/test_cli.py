"""``assetwatch risk-points import|list|delete`` through Typer's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assetwatch.cli import risk_points
from assetwatch.cli.main import app
from assetwatch.errors import NotFoundError
from assetwatch.geo.datum import DATUMS, to_wgs84
from assetwatch.riskpoints.categories import CATEGORIES
from assetwatch.storage.engine import ensure_tenant, migrate, open_engine, sqlite_url
from tests.riskpoints.conftest import SHOP_GCJ02, SHOPS_CSV, SHOPS_CSV_ZH, feature, geojson, point

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    engine = open_engine(sqlite_url(tmp_path / "data"))
    migrate(engine)
    with engine.begin() as conn:
        ensure_tenant(conn, "demo-bank")
        ensure_tenant(conn, "bank-b")
    engine.dispose()
    return tmp_path / "data"


def cli(data_dir: Path, *args: str) -> tuple[int, str, BaseException | None]:
    result = runner.invoke(app, ["risk-points", *args, "--data-dir", str(data_dir)])
    return result.exit_code, result.output, result.exception


def rows(output: str) -> set[str]:
    return {" ".join(line.strip("│ ").split()) for line in output.splitlines()}


def test_the_choices_match_the_domain() -> None:
    assert tuple(risk_points.DatumName) == DATUMS
    assert tuple(risk_points.CategoryName) == CATEGORIES


def test_import_list_and_delete(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "商户.csv"
    path.write_bytes(SHOPS_CSV_ZH.encode("gbk"))
    code, output, _ = cli(data_dir, "import", str(path), "--datum", "gcj02")
    assert code == 0, output
    assert "imported" in output and "3/3" in output  # the progress bar's last state
    assert {"file │ csv, gbk, datum gcj02", "created │ 3", "ignored columns │ 省份"} <= rows(output)
    code, output, _ = cli(data_dir, "import", str(path), "--datum", "gcj02", "--dry-run")
    assert {"unchanged │ 3", "created │ 0"} <= rows(output)
    assert "dry run" in output
    code, output, _ = cli(data_dir, "list", "--json", "--category", "pawn_shop")
    (shop,) = [json.loads(line) for line in output.splitlines()]
    circle = shop["shape"]["circle"]
    assert (circle["lat"], circle["lon"]) == tuple(to_wgs84(*SHOP_GCJ02, "gcj02"))
    assert (shop["source"], shop["datum_in"], shop["name"]) == ("商户.csv", "gcj02", "福田某典当行")
    code, output, _ = cli(data_dir, "list")
    assert code == 0 and "Risk points (3)" in output
    code, output, _ = cli(data_dir, "list", "--tenant", "bank-b")
    assert "Risk points (0)" in output
    assert cli(data_dir, "delete", "SZ-UCM-001")[0] == 0
    code, _, error = cli(data_dir, "delete", "SZ-UCM-001")
    assert code == 1 and isinstance(error, NotFoundError)


def test_a_bad_file_lists_its_problems_and_imports_nothing(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "bad.geojson"
    path.write_bytes(
        geojson(
            feature(point(114.0, 22.5), key="ok", category="pawn_shop"),
            feature(point(114.0, 95.0), key="north", category="pawn_shop"),
            feature(point(114.0, 22.5), key="cat", category="bakery"),
        )
    )
    code, output, _ = cli(data_dir, "import", str(path))
    assert code == 1
    assert "feature 2 │ lat: Input should be less than or equal to 90" in rows(output)
    assert any(line.startswith("feature 3 │ unknown category 'bakery'") for line in rows(output))
    assert "2 problem(s) in" in output
    assert "Risk points (0)" in cli(data_dir, "list")[1]


def test_stdin_and_an_english_file(tmp_path: Path, data_dir: Path) -> None:
    result = runner.invoke(
        app,
        ["risk-points", "import", "-", "--source", "ops", "--data-dir", str(data_dir)],
        input=SHOPS_CSV,
    )
    assert result.exit_code == 0, result.output
    code, output, _ = cli(data_dir, "list", "--json")
    assert {json.loads(line)["source"] for line in output.splitlines()} == {"ops"}
