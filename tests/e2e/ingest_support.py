"""Helpers of the HTTP/MQTT ingestion end-to-end tests: the fleet, the server's ports, the
database as it is the instant a response arrives."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from assetwatch.registry.provisioning import apply_file
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from assetwatch.storage.schema import devices, observations
from tests.e2e.server import Server

FLEET = Path(__file__).with_name("ingest_fleet.yaml")
TENANT = "ingest-bank"
HTTP_PORT = re.compile(r"http_port=(\d+)")


def provision(data_dir: Path) -> Engine:
    """Migrate and provision the ingestion fleet; the engine stays open for reading."""
    engine = open_engine(sqlite_url(data_dir))
    migrate(engine)
    apply_file(engine, FLEET)
    return engine


def http_port(server: Server) -> int:
    for line in server.output or []:
        match = HTTP_PORT.search(line)
        if match:
            return int(match[1])
    raise AssertionError("the server did not print its http_port")


def stored(engine: Engine, device_key: str) -> list[dict[str, Any]]:
    """The device's observations in the database, in time order."""
    query = (
        select(observations)
        .join(devices, devices.c.id == observations.c.device_id)
        .where(devices.c.key == device_key)
        .order_by(observations.c.time_ms)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def count(engine: Engine, device_key: str) -> int:
    query = (
        select(func.count())
        .select_from(observations.join(devices, devices.c.id == observations.c.device_id))
        .where(devices.c.key == device_key)
    )
    with engine.connect() as conn:
        return int(conn.scalar(query) or 0)


@contextmanager
def failing_commits(engine: Engine, device_key: str) -> Iterator[None]:
    """While inside, every transaction that stores an observation of the device fails (a
    real SQLite error from a trigger, so the real processor rolls its batch back)."""
    name = "fail_" + re.sub(r"\W", "_", device_key)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TRIGGER {name} BEFORE INSERT ON observations WHEN NEW.device_id ="
            f" (SELECT id FROM devices WHERE key = '{device_key}')"
            " BEGIN SELECT RAISE(ABORT, 'injected storage failure'); END"
        )
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TRIGGER {name}")


def batch_failures(server: Server) -> float:
    match = re.search(r"^assetwatch_batch_failures_total (\S+)$", server.get_text("/metrics"), re.M)
    return float(match[1]) if match else 0.0
