"""Place shapes and applicability: validation and normalization."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from assetwatch.places.models import PlaceCreate

SQUARE = [[114.06, 22.54], [114.07, 22.54], [114.07, 22.55], [114.06, 22.55]]


def _place(**overrides: Any) -> PlaceCreate:
    body: dict[str, Any] = {"key": "p", "kind": "forbidden", "shape": {"polygon": SQUARE}}
    return PlaceCreate.model_validate({**body, **overrides})


def test_polygon_rings_are_closed_and_stored_lon_lat() -> None:
    stored = _place().stored()
    assert stored["shape"] == {"polygon": [*SQUARE, SQUARE[0]]}
    assert stored["applies_to"] == {"all": True}
    again = _place(shape=stored["shape"]).stored()
    assert again == stored  # normalizing twice changes nothing


def test_circle_is_stored_as_floats() -> None:
    place = _place(shape={"circle": {"lat": 22.5, "lon": 114, "radius_m": 300}})
    assert place.stored()["shape"] == {"circle": {"lat": 22.5, "lon": 114.0, "radius_m": 300.0}}


@pytest.mark.parametrize(
    ("applies_to", "stored"),
    [
        ("all", {"all": True}),
        ({"all": True}, {"all": True}),
        ({"counterparty": "dealer-1"}, {"counterparty": "dealer-1"}),
        ({"asset": "VIN1"}, {"asset": "VIN1"}),
        ({"assets": ["VIN1", "VIN2"]}, {"assets": ["VIN1", "VIN2"]}),
    ],
)
def test_applies_to_forms(applies_to: Any, stored: dict[str, Any]) -> None:
    assert _place(applies_to=applies_to).stored()["applies_to"] == stored


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"shape": {"polygon": [[1, 1], [2, 2], [1, 1]]}}, "at least 3 distinct"),
        ({"shape": {"polygon": [[0, 0], [1, 1], [1, 0], [0, 1]]}}, "crosses itself"),
        ({"shape": {"polygon": [[22.54, 114.06], [22.54, 114.07], [22.55, 114.07]]}}, "90"),
        ({"shape": {"circle": {"lat": 1, "lon": 1, "radius_m": 0}}}, "greater than 0"),
        ({"shape": {"circle": {"lat": 1, "lon": 181, "radius_m": 5}}}, "180"),
        ({"shape": {}}, "exactly one of circle or polygon"),
        ({"shape": {"square": 1}}, "Extra inputs"),
        ({"applies_to": "some"}, "applies_to"),
        ({"applies_to": {"asset": "a", "assets": ["b"]}}, "exactly one"),
        ({"applies_to": {"assets": []}}, "at least 1"),
        ({"kind": "risky"}, "'allowed', 'forbidden', 'watch' or 'risk_point'"),
    ],
)
def test_invalid_places(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _place(**overrides)
