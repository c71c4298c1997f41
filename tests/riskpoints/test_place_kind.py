"""``risk_point`` is a place kind, never a geofence."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from assetwatch.pipeline.processor import GEOFENCE_KINDS
from assetwatch.places.models import PlaceCreate, PlaceKind

CIRCLE = {"circle": {"lat": 22.5, "lon": 114.0, "radius_m": 150}}


def test_risk_point_is_a_place_kind_outside_the_geofence_kinds() -> None:
    assert set(get_args(PlaceKind)) == GEOFENCE_KINDS | {"risk_point"}


def test_a_risk_point_place_needs_a_known_category() -> None:
    place = PlaceCreate(
        key="rp", kind="risk_point", shape=CIRCLE, properties={"category": "pawn_shop"}
    )
    assert place.stored()["kind"] == "risk_point"
    for properties in ({}, {"category": "bakery"}):
        with pytest.raises(ValidationError, match="a risk_point needs properties.category"):
            PlaceCreate(key="rp", kind="risk_point", shape=CIRCLE, properties=properties)
    geofence = PlaceCreate(key="lot", kind="allowed", shape=CIRCLE, properties={})
    assert geofence.kind == "allowed"  # other kinds need no category
