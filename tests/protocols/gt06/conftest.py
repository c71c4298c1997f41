"""Fixtures for the GT06 codec tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.protocols.gt06.gt06_support import assert_observation_invariants


@pytest.fixture
def check_observation() -> Callable[..., None]:
    """The shared invariant check, applied to every decoded Observation."""
    return assert_observation_invariants
