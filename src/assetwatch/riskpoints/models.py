"""Risk-point schemas: what files and the API give, and what the API returns.

A risk point is stored as a place of kind ``risk_point`` that applies to every asset of its
tenant, with its shape in WGS-84 and ``properties``::

    {"category": "pawn_shop", "source": "amap-2024.csv", "datum_in": "gcj02",
     "address": "…", "phone": "…"}          # address and phone only when given

``datum_in`` is the datum the coordinates were given in; the stored shape is always WGS-84
(converted with :func:`assetwatch.geo.datum.to_wgs84`, every polygon vertex).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, StringConstraints

from assetwatch.geo.datum import Datum, to_wgs84
from assetwatch.places.models import PlaceCreate, Shape
from assetwatch.registry.models import Key, Name, Strict
from assetwatch.riskpoints.categories import Category, category_of

RISK_POINT_KIND = "risk_point"
DEFAULT_RADIUS_M = 150.0
"""The radius of a risk point given as a bare point (a GeoJSON Point without ``radius_m``, a
CSV row with an empty ``radius_m``): about one shop front and its parking."""


def _canonical_category(value: Any) -> Any:
    return (category_of(value) or value) if isinstance(value, str) else value


CategoryName = Annotated[Category, BeforeValidator(_canonical_category)]
Phone = Annotated[str, StringConstraints(max_length=50)]
Source = Annotated[str, StringConstraints(max_length=200)]


def wgs84_shape(shape: Shape, datum: Datum) -> Shape:
    """``shape`` (given in ``datum``) in WGS-84: the centre of a circle, every polygon vertex."""
    if datum == "wgs84":
        return shape
    if shape.circle is not None:
        lat, lon = to_wgs84(shape.circle.lat, shape.circle.lon, datum)
        circle = {"lat": lat, "lon": lon, "radius_m": shape.circle.radius_m}
        return Shape.model_validate({"circle": circle})
    assert shape.polygon is not None
    ring = [to_wgs84(lat, lon, datum)[::-1] for lon, lat in shape.polygon]
    return Shape.model_validate({"polygon": ring})


class RiskPointWrite(Strict):
    """A risk point without its key (the body of ``PUT /risk-points/{key}``). ``category``
    also accepts the Chinese names of :data:`~assetwatch.riskpoints.categories.CATEGORY_ALIASES`
    and spaced or capitalised English ones (``"Pawn shop"``)."""

    name: Name = ""
    category: CategoryName
    shape: Shape
    address: Name | None = None
    phone: Phone | None = None

    def place(self, key: str, *, datum: Datum, source: str) -> PlaceCreate:
        """The ``places`` row for this risk point, its shape converted from ``datum``."""
        properties: dict[str, Any] = {"category": self.category, "source": source}
        properties["datum_in"] = datum
        if self.address:
            properties["address"] = self.address
        if self.phone:
            properties["phone"] = self.phone
        return PlaceCreate(
            key=key,
            kind=RISK_POINT_KIND,
            name=self.name,
            shape=wgs84_shape(self.shape, datum),
            properties=properties,
        )


class RiskPointIn(RiskPointWrite):
    """One risk point of a catalogue file, coordinates as the file gives them."""

    key: Key


class RiskPointRead(BaseModel):
    key: str
    name: str
    category: str
    shape: dict[str, Any]  # WGS-84
    source: str
    datum_in: str  # the datum the coordinates were given in
    address: str | None = None
    phone: str | None = None


class ProblemRead(BaseModel):
    line: int | None = None  # CSV: 1-based line of the file
    feature: int | None = None  # GeoJSON: 1-based position in ``features``
    message: str


class ImportSummaryRead(BaseModel):
    format: str  # csv | geojson
    encoding: str
    datum: str
    source: str
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    ignored_columns: list[str]
    seconds: float
