"""``assetwatch track`` through Typer's test runner: the old outputs unchanged, the new
formats and options, files with a progress bar."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from assetwatch.cli.main import app
from assetwatch.errors import NotFoundError
from tests.tracking.conftest import Db

runner = CliRunner()
GPX = "{http://www.topografix.com/GPX/1/1}"


def cli(db: Db, *args: str) -> Result:
    url = db.engine.url.render_as_string(hide_password=False)
    return runner.invoke(app, ["track", "VIN1", "--database-url", url, *args])


def test_csv_as_before(db: Db) -> None:
    result = cli(db, "--format", "csv", "--to", "2026-03-01T08:01:00Z")
    assert result.exit_code == 0, result.output
    assert result.stdout == (  # the runner reads CRLF as LF
        "time,lat,lon,altitude_m,speed_kmh,course,valid,fix_source,accuracy_m,alarms,late,device\n"
        "2026-03-01T08:00:00Z,22.5431,114.0579,12.0,0.0,0.0,True,gps,,,False,013900000001\n"
        "2026-03-01T08:01:00Z,22.545,114.06,12.5,36.0,45.0,True,gps,,power_cut,False,013900000001\n"
    )


def test_geojson_as_before_and_without_fix_points(db: Db) -> None:
    features = json.loads(cli(db, "--format", "geojson").stdout)["features"]
    assert [f["geometry"]["type"] for f in features] == ["LineString"] + ["Point"] * 4
    assert {"asset", "from", "to"} <= set(features[0]["properties"])
    assert features[1]["properties"]["device"] == "013900000001"
    lean = json.loads(cli(db, "--format", "geojson", "--no-fix-points", "--overlay").stdout)
    assert [f["properties"]["feature"] for f in lean["features"]] == ["track", "event", "event"]


def test_table_in_gcj02_with_the_overlay(db: Db, tmp_path: Path) -> None:
    out = tmp_path / "track.txt"  # 160 columns wide, where the runner's terminal has 80
    args = ("--datum", "gcj02", "--overlay", "--simplify-m", "100000", "--out", str(out))
    assert cli(db, *args).exit_code == 0
    lines = [" ".join(line.strip("│ ").split()) for line in out.read_text().splitlines()]
    assert "Track of VIN1 (4 fixes, coordinates gcj02)" in lines
    assert "2026-03-01T08:00:00Z │ 22.540383 │ 114.063014 │ 0.0 │ 0.0 │ gps │ │ │ 013900000001" in (
        lines
    )
    assert "Events (2)" in lines and not any(line.startswith("Stays") for line in lines)
    assert "2026-03-01T08:02:00Z │ power_cut │ 013900000001 │ 22.547268 │ 114.055104" in lines


def test_every_format_to_a_file(db: Db, tmp_path: Path) -> None:
    for fmt in ("gpx", "kml", "geojson", "csv", "table"):
        out = tmp_path / f"track.{fmt}"
        result = cli(db, "--format", fmt, "--datum", "gcj02", "--overlay", "--out", str(out))
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        fixes = 5 if fmt in ("csv", "table") else 4
        assert result.stderr == (
            f"{fixes} fixes written to {out} ({fmt}, GCJ-02 (the datum of Chinese map apps), "
            "not WGS-84)\n"
        )
    gpx = ET.parse(tmp_path / "track.gpx").getroot()
    first = gpx.find(f"{GPX}trk/{GPX}trkseg/{GPX}trkpt")
    assert first is not None and first.attrib == {"lat": "22.5403828", "lon": "114.063014"}
    assert len(gpx.findall(f"{GPX}wpt")) == 2
    kml = ET.parse(tmp_path / "track.kml").getroot()
    assert len(list(kml.iter("{http://www.opengis.net/kml/2.2}Placemark"))) == 3
    assert json.loads((tmp_path / "track.geojson").read_text())["datum"] == "gcj02"
    rows = list(csv.DictReader(io.StringIO((tmp_path / "track.csv").read_text())))
    assert rows[0]["lat_gcj02"] == "22.5403828" and len(rows) == 5
    assert "Track of VIN1 (5 fixes, coordinates gcj02)" in (tmp_path / "track.table").read_text()


def test_a_large_export_shows_a_progress_bar(db: Db, tmp_path: Path) -> None:
    fixes = [(300 + i, 22.56, 114.06 + i * 1e-6, None, 10.0, 90.0, True, "gps", None, "")
             for i in range(10_000)]  # fmt: skip
    db.add_fixes(db.scope.tenant_id, "VIN1", "013900000001", fixes)
    out = tmp_path / "big.gpx"
    result = cli(db, "--format", "gpx", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "writing gpx" in result.stderr and "10004/10004 fixes" in result.stderr
    assert len(ET.parse(out).getroot().findall(f"{GPX}trk/{GPX}trkseg/{GPX}trkpt")) == 10_004
    small = cli(db, "--format", "gpx", "--to", "2026-03-01T08:10:00Z", "--out", str(out))
    assert "writing" not in small.stderr


def test_bad_options_and_unknown_assets(db: Db) -> None:
    for args in (["--simplify-m", "-1"], ["--datum", "mars"], ["--format", "shp"]):
        result = cli(db, *args)
        assert result.exit_code == 2, args
    url = db.engine.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["track", "NOPE", "--database-url", url, "--format", "gpx"])
    assert isinstance(result.exception, NotFoundError)
