"""End to end on a SQLite data directory: ``assetwatch evidence ...`` and the HTTP routes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assetwatch.api.app import create_app
from assetwatch.cli.main import app
from assetwatch.live import LiveFeed
from assetwatch.observability import Metrics
from assetwatch.settings import Settings
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from tests.evidence.conftest import T0, World, add_world

runner = CliRunner()


@pytest.fixture
def data_world(tmp_path: Path) -> Iterator[World]:
    data_dir = tmp_path / "data"
    engine = open_engine(sqlite_url(data_dir))
    migrate(engine)
    yield add_world(engine, data_dir)
    engine.dispose()


def cli(world: World, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["evidence", *args, "--data-dir", str(world.data_dir), "--tenant", "bank-a"]
    )
    return result.exit_code, result.stdout, result.stderr


def test_checkpoint_export_verify_tamper(data_world: World, tmp_path: Path) -> None:
    data_world.append("VIN1", 5)
    data_world.append("VIN2", 2, start_ms=T0 + 30_000)
    code, out, err = cli(data_world, "checkpoint")
    assert code == 0, err
    assert "checkpoint of bank-a: 7 entries" in out
    bundle = tmp_path / "VIN1.json"
    code, out, err = cli(
        data_world, "export", "--asset", "VIN1", "--from", "2025-11-24T16:01:00Z",
        "--to", "2025-11-24T16:10:00Z", "--out", str(bundle),
    )  # fmt: skip
    assert code == 0, err
    assert "4 records, 1 checkpoints, tree size 7" in out
    result = runner.invoke(app, ["evidence", "verify", str(bundle)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("OK: 4 records of asset:VIN1 in log bank-a")

    text = bundle.read_bytes()
    at = text.index(b"entry 3")  # one record's note
    bundle.write_bytes(text[:at] + b"E" + text[at + 1 :])
    result = runner.invoke(app, ["evidence", "verify", str(bundle)])
    assert result.exit_code == 1
    assert "FAILED: record seq 3: manifest: leaf hash differs" in result.stderr
    assert "FAILED: record seq 3: inclusion: proof against checkpoint 1" in result.stderr

    bundle.write_bytes(text[:10] + b"\x00" + text[11:])
    result = runner.invoke(app, ["evidence", "verify", str(bundle), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["failures"][0].startswith("bundle is not valid JSON")


def test_rotate_key_and_verify_with_a_trusted_key(data_world: World, tmp_path: Path) -> None:
    data_world.append("VIN1", 2)
    assert cli(data_world, "checkpoint")[0] == 0
    code, out, err = cli(data_world, "rotate-key")
    assert code != 0 and "No such option: --tenant" in err  # rotate-key is platform-wide
    result = runner.invoke(app, ["evidence", "rotate-key", "--data-dir", str(data_world.data_dir)])
    assert result.exit_code == 0, result.stderr
    assert "(1 logs recorded the rotation)" in result.stdout
    data_world.append("VIN1", 1, start_ms=T0 + 3_600_000)
    bundle = tmp_path / "b.json"
    assert cli(data_world, "export", "--asset", "VIN1", "--out", str(bundle))[0] == 0
    first_key = json.loads(bundle.read_text())["keys"][0]["key_id"]
    result = runner.invoke(app, ["evidence", "verify", str(bundle), "--trusted-key", first_key])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("→") == 1
    every_tenant = ["evidence", "checkpoint", "--all", "--data-dir", str(data_world.data_dir)]
    assert runner.invoke(app, every_tenant).stdout == "no log grew since its last checkpoint\n"
    data_world.append("VIN2", 1, start_ms=T0 + 7_200_000)
    assert runner.invoke(app, every_tenant).stdout.startswith("checkpoint of bank-a: 5 entries")


def test_verify_a_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evidence", "verify", str(tmp_path / "none.json")])
    assert result.exit_code == 1
    assert "FAILED" in result.stderr


@pytest.fixture
def client(data_world: World) -> Iterator[TestClient]:
    settings = Settings(
        environment="development", default_tenant="bank-a", data_dir=data_world.data_dir
    )
    with TestClient(create_app(data_world.engine, LiveFeed(), Metrics(), settings)) as test:
        yield test


def test_api_routes(client: TestClient, data_world: World) -> None:
    assert client.get("/api/v1/evidence/checkpoints/latest").status_code == 404
    data_world.append("VIN1", 3)
    made = client.post("/api/v1/evidence/checkpoints")
    assert made.status_code == 201, made.text
    assert made.json()["size"] == 3
    latest = client.get("/api/v1/evidence/checkpoints/latest").json()
    assert latest == made.json()
    answer = client.get(
        "/api/v1/assets/VIN1/evidence",
        params={"from": "2025-11-24T16:01:00Z", "to": str(T0 + 10**6)},
    )
    assert answer.status_code == 200, answer.text
    bundle = answer.json()
    assert [r["seq"] for r in bundle["records"]] == [1, 2]
    verified = client.post("/api/v1/evidence/verify", json=bundle).json()
    assert verified["ok"] is True and verified["records"] == 2
    bundle["records"][0]["entry"]["time_ms"] += 1
    verified = client.post("/api/v1/evidence/verify", json=bundle).json()
    assert verified["ok"] is False
    assert any(f.startswith("record seq 1: inclusion") for f in verified["failures"])
    assert client.get("/api/v1/assets/NOPE/evidence").status_code == 404
    assert client.get("/api/v1/assets/VIN1/evidence", params={"from": "x"}).status_code == 422
