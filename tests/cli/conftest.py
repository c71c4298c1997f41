"""Fixtures the CLI tests share with the domain tests."""

from tests.tracking.conftest import db  # noqa: F401
