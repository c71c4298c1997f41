"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from assetwatch.storage.engine import migrate, open_engine, sqlite_url


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty SQLite database in the test's own directory."""
    engine = open_engine(sqlite_url(tmp_path / "data"))
    migrate(engine)
    yield engine
    engine.dispose()
