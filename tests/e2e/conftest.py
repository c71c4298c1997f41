"""The shared e2e fixture: the real server process on the small fleet of ``fleet.yaml``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assetwatch.registry.provisioning import apply_file
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from tests.e2e.server import Server, start_server

FLEET = Path(__file__).with_name("fleet.yaml")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """``assetwatch serve`` on free ports, provisioned with ``fleet.yaml`` (tenant e2e-bank);
    it must exit cleanly at the end."""
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    apply_file(engine, FLEET)
    engine.dispose()
    srv = start_server(tmp_path)
    srv.tenant = "e2e-bank"
    yield srv
    assert srv.stop() == 0, "".join(srv.output or [])
