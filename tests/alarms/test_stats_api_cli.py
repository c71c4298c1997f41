"""The charts, ``GET /alarms/stats[.png]`` on the real app, and ``assetwatch alarms stats``."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assetwatch.alarms.stats import alarm_stats
from assetwatch.alarms.stats_plot import render_stats_png
from assetwatch.api.app import create_app
from assetwatch.api.deps import TENANT_HEADER
from assetwatch.cli.main import app
from assetwatch.errors import ValidationError
from assetwatch.live import LiveFeed
from assetwatch.observability import Metrics
from assetwatch.settings import Settings
from tests.alarms.conftest import Portfolio, ms

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


@pytest.fixture
def client(sqlite_portfolio: Portfolio) -> Iterator[TestClient]:
    app = create_app(
        sqlite_portfolio.engine,
        LiveFeed(),
        Metrics(),
        Settings(environment="development", default_tenant="bank-a"),
    )
    with TestClient(app) as test_client:
        yield test_client


def test_api_stats(client: TestClient, sqlite_portfolio: Portfolio) -> None:
    answer = client.get("/api/v1/alarms/stats")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body == alarm_stats(sqlite_portfolio.engine, scope=sqlite_portfolio.bank_a)
    assert (body["total"], body["mtta_s"]["mean"]) == (7, 127.5)
    other = client.get("/api/v1/alarms/stats", headers={TENANT_HEADER: "bank-b"}).json()
    assert other["by_type"] == {"geofence_exit": 1, "tamper": 1}
    shanghai = client.get(
        "/api/v1/alarms/stats",
        params={"tz": "Asia/Shanghai", "since": "2026-03-01T16:00:00Z", "type": "offline"},
    ).json()
    assert shanghai["by_day"] == {"2026-03-02": 2}
    assert shanghai["filters"] == {
        "since": "2026-03-01T16:00:00Z", "until": None, "type": "offline",
        "timezone": "Asia/Shanghai", "top": 20,
    }  # fmt: skip
    windowed = client.get(
        "/api/v1/alarms/stats", params={"until": str(ms("2026-03-01T16:00")), "top": 1}
    ).json()
    assert (windowed["total"], windowed["by_asset"]) == (2, [{"asset": "A1", "count": 2}])


def test_api_stats_is_not_an_alarm_id(client: TestClient) -> None:
    assert client.get("/api/v1/alarms/stats").status_code == 200
    assert client.get("/api/v1/alarms/1").json()["type"] == "geofence_exit"


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"tz": "Mars/Olympus"}, "tz: 'Mars/Olympus' is not an IANA time zone"),
        ({"since": "yesterday"}, "since: 'yesterday' is not an ISO-8601 time"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "since must not be after until"),
        ({"top": "0"}, "query.top: Input should be greater than or equal to 1"),
    ],
)
def test_api_bad_input_is_a_422_problem(
    client: TestClient, params: dict[str, str], detail: str
) -> None:
    for path in ("/api/v1/alarms/stats", "/api/v1/alarms/stats.png"):
        answer = client.get(path, params=params)
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"
        assert (answer.json()["title"], answer.json()["detail"]) == ("Invalid input", detail)


def test_api_charts(client: TestClient) -> None:
    answer = client.get("/api/v1/alarms/stats.png", params={"tz": "Asia/Shanghai"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/png"
    assert png_size(answer.content) == (1300, 900)
    empty = client.get("/api/v1/alarms/stats.png", params={"type": "nope"})
    assert png_size(empty.content) == (800, 300)


runner = CliRunner()


def cli(portfolio: Portfolio, *args: str) -> Result:
    url = portfolio.engine.url.render_as_string(hide_password=False)
    return runner.invoke(app, ["alarms", "stats", "--database-url", url, *args])


def test_cli_tables(sqlite_portfolio: Portfolio) -> None:
    result = cli(sqlite_portfolio, "--tenant", "bank-a", "--tz", "Asia/Shanghai", "--top", "2")
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.strip("│ ").split()) for line in result.output.splitlines()]
    assert lines[0] == "7 alarms (10 with repeats) raised from the start to now"
    assert "time to acknowledge: mean 2m 08s, median 1m 30s, p90 4m 06s (n=4)" in lines
    assert "time to resolve: mean 22m 30s, median 12m 30s, p90 46m 30s (n=4)" in lines
    assert {
        "geofence_exit │ 3 │ 1m 30s │ 10m 00s │ 67% of 3",
        "offline │ 2 │ 5m 00s │ - │ -",
        "sos │ 1 │ 30s │ 1h 00m │ 0% of 1",
        "default │ 3 │ 1 │ 33%",
        "strict │ 1 │ 1 │ 100%",
        "2026-03-03 │ 1 │ " + "█" * 8,
        "A2 │ 2",
        "dealer-1 │ 3",
    } <= set(lines)
    assert "A3 │ 1" not in lines  # --top 2


def test_cli_json_and_plot(sqlite_portfolio: Portfolio, tmp_path: Path) -> None:
    plot = tmp_path / "stats.png"
    result = cli(sqlite_portfolio, "--tenant", "bank-b", "--json", "--plot", str(plot))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == alarm_stats(
        sqlite_portfolio.engine, scope=sqlite_portfolio.bank_b
    )
    assert f"charts written to {plot}" in result.stderr
    assert png_size(plot.read_bytes()) == (1300, 900)


def test_cli_empty_and_errors(sqlite_portfolio: Portfolio) -> None:
    empty = cli(sqlite_portfolio, "--tenant", "bank-a", "--type", "nope")
    assert empty.exit_code == 0
    assert empty.output == "0 alarms (0 with repeats) raised from the start to now\n"
    bad = cli(sqlite_portfolio, "--tenant", "bank-a", "--tz", "Mars/Olympus")
    assert bad.exit_code != 0
    assert isinstance(bad.exception, ValidationError)
    assert str(bad.exception) == "tz: 'Mars/Olympus' is not an IANA time zone"
