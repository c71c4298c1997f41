"""Place schemas. Shapes are WGS-84 degrees; polygon vertices are ``[lon, lat]`` (GeoJSON
order), circles ``{lat, lon, radius_m}``.

``applies_to`` is ``"all"`` or exactly one of ``{counterparty: key}``, ``{asset: key}``,
``{assets: [keys]}``. Both are stored normalized: ``"all"`` becomes ``{"all": true}``, polygon
rings are closed, numbers are floats.

Kinds ``allowed``, ``forbidden`` and ``watch`` are geofences; ``risk_point`` places (二押点,
written through :mod:`assetwatch.riskpoints`) carry a ``properties.category`` and are never
geofences (the processor indexes only its ``GEOFENCE_KINDS``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pydantic
import shapely
from pydantic import BaseModel, BeforeValidator, Field, model_validator

from assetwatch.errors import ValidationError
from assetwatch.registry.models import Key, Latitude, Longitude, Name, Strict
from assetwatch.riskpoints.categories import CATEGORIES

PlaceKind = Literal["allowed", "forbidden", "watch", "risk_point"]
MAX_RADIUS_M = 1_000_000.0


class Circle(Strict):
    lat: Latitude
    lon: Longitude
    radius_m: float = Field(gt=0, le=MAX_RADIUS_M, description="metres")


class Shape(Strict):
    """Exactly one of ``circle`` or ``polygon`` (``[[lon, lat], ...]``, ≥ 3 distinct
    vertices; the ring is closed automatically)."""

    circle: Circle | None = None
    polygon: list[tuple[Longitude, Latitude]] | None = None

    @model_validator(mode="after")
    def _one_valid_shape(self) -> Shape:
        if (self.circle is None) == (self.polygon is None):
            raise ValueError("give exactly one of circle or polygon")
        if self.polygon is not None:
            ring = [(float(lon), float(lat)) for lon, lat in self.polygon]
            if len(set(ring)) < 3:
                raise ValueError("a polygon needs at least 3 distinct vertices ([lon, lat])")
            if ring[0] != ring[-1]:
                ring.append(ring[0])
            if not shapely.is_valid(shapely.polygons(ring)):
                raise ValueError("the polygon crosses itself or has no area")
            self.polygon = ring
        return self

    def stored(self) -> dict[str, Any]:
        if self.circle is not None:
            return {"circle": self.circle.model_dump()}
        assert self.polygon is not None
        return {"polygon": [[lon, lat] for lon, lat in self.polygon]}


def _all_as_mapping(value: Any) -> Any:
    return {"all": True} if value == "all" else value


class AppliesTo(Strict):
    """Exactly one selector: everyone, one counterparty's assets, one asset or a list."""

    all: Literal[True] | None = None
    counterparty: Key | None = None
    asset: Key | None = None
    assets: list[Key] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> AppliesTo:
        given = [name for name, value in self if value is not None]
        if len(given) != 1:
            raise ValueError('give "all" or exactly one of counterparty, asset, assets')
        return self

    def stored(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


Applicability = Annotated[AppliesTo, BeforeValidator(_all_as_mapping)]


class PlaceWrite(Strict):
    """A place without its key (the body of ``PUT /places/{key}``)."""

    kind: PlaceKind
    name: Name = ""
    applies_to: Applicability = AppliesTo(all=True)
    shape: Shape
    properties: dict[str, Any] = {}

    @model_validator(mode="after")
    def _risk_point_has_category(self) -> PlaceWrite:
        if self.kind == "risk_point" and self.properties.get("category") not in CATEGORIES:
            raise ValueError(f"a risk_point needs properties.category: {', '.join(CATEGORIES)}")
        return self

    def stored(self) -> dict[str, Any]:
        """The place as the ``places`` row stores it (keys, not ids)."""
        return {
            "kind": self.kind,
            "name": self.name,
            "applies_to": self.applies_to.stored(),
            "shape": self.shape.stored(),
            "properties": self.properties,
        }

    def with_key(self, key: str) -> PlaceCreate:
        """This place named ``key``; ``ValidationError`` when the key is not a valid key."""
        try:
            return PlaceCreate.model_validate({**self.model_dump(), "key": key})
        except pydantic.ValidationError as err:
            raise ValidationError(f"invalid place key {key!r}") from err


class PlaceCreate(PlaceWrite):
    key: Key


class PlaceRead(BaseModel):
    key: str
    kind: str
    name: str
    applies_to: dict[str, Any]
    shape: dict[str, Any]
    properties: dict[str, Any]
