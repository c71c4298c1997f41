"""Risk-point catalogue files (CSV or GeoJSON), read whole; every problem is reported.

CSV: a header row, then one risk point per row. Columns ``key, category, lat, lon`` are
required, ``name, radius_m, address, phone`` optional (an empty ``radius_m`` means
:data:`~assetwatch.riskpoints.models.DEFAULT_RADIUS_M`); other columns are ignored and
listed. Headers may be Chinese (名称, 类别, 纬度, 经度, 半径(米), …: :data:`COLUMN_ALIASES`),
the delimiter a comma, tab or semicolon. The bytes may be UTF-8 with or without a BOM,
UTF-16 with a BOM (Excel's "Unicode text"), or GBK/GB18030 as Chinese tools and Excel on a
Chinese Windows export them: UTF-8 is tried first, GBK then GB18030 after it.

GeoJSON: a FeatureCollection (or one Feature) of Point features (a circle of
``properties.radius_m`` metres, default 150) or Polygon features (one ring, no holes; a
MultiPolygon of exactly one polygon is accepted). Properties use the same names as the CSV
columns; ``key`` falls back to the feature's ``id``.

Coordinates are converted from ``datum`` to WGS-84. When anything is wrong,
:class:`CatalogueError` lists every problem by CSV line (1-based, the header is line 1) or
GeoJSON feature (1-based position in ``features``) and nothing is returned to write.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import pydantic

from assetwatch.errors import ValidationError
from assetwatch.geo.datum import Datum
from assetwatch.places.models import PlaceCreate
from assetwatch.riskpoints.categories import CATEGORIES, category_of
from assetwatch.riskpoints.models import DEFAULT_RADIUS_M, RiskPointIn

Format = Literal["csv", "geojson"]
FORMATS: Final = ("csv", "geojson")

COLUMN_ALIASES: Final[dict[str, str]] = {
    **{name: name for name in ("key", "name", "category", "lat", "lon", "radius_m")},
    **{name: name for name in ("address", "phone")},
    "id": "key", "编号": "key", "编码": "key", "代码": "key",
    "名称": "name", "名字": "name", "店名": "name",
    "type": "category", "类别": "category", "类型": "category", "分类": "category",
    "latitude": "lat", "纬度": "lat",
    "lng": "lon", "long": "lon", "longitude": "lon", "经度": "lon",
    "radius": "radius_m", "半径": "radius_m", "范围": "radius_m",
    "地址": "address", "详细地址": "address",
    "tel": "phone", "telephone": "phone", "电话": "phone", "联系电话": "phone",
}  # fmt: skip
"""Header (or GeoJSON property) names, lower-cased and without a bracketed unit such as
``(米)`` or ``(m)``, to the field they fill."""
REQUIRED: Final = ("key", "category", "lat", "lon")
SHOWN_PROBLEMS: Final = 20
_UNIT = re.compile(r"[(（\[【].*?[)）\]】]")
_BOMS: Final = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    line: int | None = None  # CSV
    feature: int | None = None  # GeoJSON

    @property
    def where(self) -> str:
        """``feature 3``, ``line 7`` or ``""``."""
        if self.feature is not None:
            return f"feature {self.feature}"
        return f"line {self.line}" if self.line is not None else ""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class CatalogueError(ValidationError):
    """A catalogue file with problems; ``problems`` lists every one (the message the first
    :data:`SHOWN_PROBLEMS`)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "; ".join(map(str, problems[:SHOWN_PROBLEMS]))
        hidden = len(problems) - SHOWN_PROBLEMS
        more = f"; … {hidden} more" if hidden > 0 else ""
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"{count}, nothing imported: {shown}{more}")
        self.line = problems[0].line


@dataclass(frozen=True, slots=True)
class Entry:
    """One risk point of the file, ready to store (WGS-84), and where it was."""

    place: PlaceCreate
    line: int | None = None
    feature: int | None = None

    def problem(self, message: str) -> Problem:
        return Problem(message, line=self.line, feature=self.feature)


@dataclass
class Catalogue:
    format: Format
    encoding: str
    datum: Datum
    source: str
    entries: list[Entry] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    first_seen: dict[str, str] = field(default_factory=dict, repr=False)  # key -> where


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read with (see the module docstring)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_as(data, encoding), encoding
    for encoding in ("utf-8", "gbk"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return _decode_as(data, "gb18030"), "gb18030"


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        message = f"not text in UTF-8, UTF-16 or GBK/GB18030 (byte offset {err.start})"
        raise CatalogueError([Problem(message, line=line)]) from err


def sniff_format(text: str) -> Format:
    return "geojson" if text.lstrip()[:1] in ("{", "[") else "csv"


_MEDIA_TYPES: Final[dict[str, Format]] = {
    "text/csv": "csv",
    "application/csv": "csv",
    "text/tab-separated-values": "csv",
    "application/vnd.ms-excel": "csv",  # what Windows browsers send for .csv
    "application/geo+json": "geojson",
    "application/vnd.geo+json": "geojson",
    "application/json": "geojson",
}
_SUFFIXES: Final[dict[str, Format]] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".geojson": "geojson",
    ".json": "geojson",
}


def format_of(content_type: str = "", filename: str = "") -> Format | None:
    """The format a media type (without parameters) or else a file name says; ``None``
    leaves it to :func:`sniff_format`."""
    if content_type in _MEDIA_TYPES:
        return _MEDIA_TYPES[content_type]
    suffix = filename[filename.rfind(".") :].lower() if "." in filename else ""
    return _SUFFIXES.get(suffix)


def column_of(header: str) -> str | None:
    """The field a CSV header or GeoJSON property name fills, or ``None``."""
    cleaned = _UNIT.sub("", header.strip().lstrip("\ufeff").lower()).strip()
    return COLUMN_ALIASES.get(cleaned)


def read_catalogue(
    data: bytes, *, datum: Datum = "wgs84", source: str = "", fmt: Format | None = None
) -> Catalogue:
    """Parse a whole catalogue file; :class:`CatalogueError` on any problem."""
    text, encoding = decode(data)
    if not text.strip():
        raise CatalogueError([Problem("the file is empty", line=1)])
    chosen = fmt or sniff_format(text)
    catalogue = Catalogue(chosen, encoding, datum, source)
    read = _csv_entries if chosen == "csv" else _geojson_entries
    problems = read(text, catalogue)
    if not problems and not catalogue.entries:
        problems.append(Problem("no risk points in the file", line=1))
    if problems:
        raise CatalogueError(sorted(problems, key=lambda p: (p.line or 0, p.feature or 0)))
    return catalogue


def _delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _csv_columns(header: list[str], catalogue: Catalogue) -> tuple[dict[str, int], list[Problem]]:
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for index, name in enumerate(header):
        column = column_of(name)
        if column is None:
            catalogue.ignored_columns.append(name.strip())
        elif column in columns:
            problems.append(Problem(f"two columns mean {column}: {name.strip()!r}", line=1))
        else:
            columns[column] = index
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        found = ", ".join(repr(h.strip()) for h in header)
        problems.append(Problem(f"missing column {', '.join(missing)} (header: {found})", line=1))
    return columns, problems


def _csv_entries(text: str, catalogue: Catalogue) -> list[Problem]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n")[0]))
    header = next(reader)
    columns, problems = _csv_columns(header, catalogue)
    if problems:
        return problems
    line = 1
    for row in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank lines, and Excel's ",,,," rows
        if len(row) > len(header):
            message = f"{len(row)} fields, the header has {len(header)}"
            problems.append(Problem(message, line=start))
            continue
        fields = {name: row[i].strip() if i < len(row) else "" for name, i in columns.items()}
        fields["radius_m"] = fields.get("radius_m") or str(DEFAULT_RADIUS_M)
        shape = {"circle": {name: fields[name] for name in ("lat", "lon", "radius_m")}}
        _add(catalogue, problems, fields, shape, line=start)
    return problems


def _add(
    catalogue: Catalogue,
    problems: list[Problem],
    fields: dict[str, Any],
    shape: dict[str, Any],
    *,
    line: int | None = None,
    feature: int | None = None,
) -> None:
    """Validate one risk point and append it, or append its problems."""
    where = {"line": line, "feature": feature}
    key, here = fields.get("key"), Problem("", **where).where
    if isinstance(key, str) and key.strip():
        earlier = catalogue.first_seen.setdefault(key.strip(), here)
        if earlier != here:
            problems.append(Problem(f"key {key.strip()!r} repeats {earlier}", **where))
            return
    empty = [name for name in REQUIRED if name in fields and fields[name] in ("", None)]
    if empty:
        problems.append(Problem(f"empty {', '.join(empty)}", **where))
        return
    category = fields.get("category")
    if not isinstance(category, str) or category_of(category) is None:
        known = ", ".join(CATEGORIES)
        problems.append(Problem(f"unknown category {category!r} (use one of {known})", **where))
        return
    body = {name: fields.get(name) or None for name in ("key", "address", "phone")}
    body |= {"name": fields.get("name") or "", "category": category, "shape": shape}
    try:
        point = RiskPointIn.model_validate(body)
        place = point.place(point.key, datum=catalogue.datum, source=catalogue.source)
    except pydantic.ValidationError as err:
        problems.append(Problem(pydantic_message(err), **where))
        return
    catalogue.entries.append(Entry(place, line=line, feature=feature))


def pydantic_message(err: pydantic.ValidationError) -> str:
    """``field: message`` for each error, as one line."""
    parts = []
    for error in err.errors():
        names = [str(part) for part in error["loc"] if not isinstance(part, int)]
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{names[-1]}: {message}" if names else message)
    return "; ".join(parts)


def _features(text: str) -> tuple[list[Any], list[Problem]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        return [], [Problem(f"not valid JSON: {err.msg} (column {err.colno})", line=err.lineno)]
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        return [doc], []
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if isinstance(features, list):
            return features, []
    return [], [Problem("not a GeoJSON FeatureCollection or Feature", line=1)]


def _geojson_entries(text: str, catalogue: Catalogue) -> list[Problem]:
    features, problems = _features(text)
    ignored: set[str] = set()
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(Problem("not a GeoJSON Feature", feature=number))
            continue
        fields: dict[str, Any] = {}
        for name, value in (feature.get("properties") or {}).items():
            column = column_of(str(name))
            if column is None:
                ignored.add(str(name))
            else:
                fields[column] = value if value is None or isinstance(value, str) else str(value)
        fields.pop("lat", None), fields.pop("lon", None)  # the geometry says where
        if not fields.get("key") and feature.get("id") is not None:
            fields["key"] = str(feature["id"])
        fields.setdefault("key", "")
        fields.setdefault("category", "")
        shape, message = _geojson_shape(feature.get("geometry"), fields.get("radius_m"))
        if shape is None:
            problems.append(Problem(message, feature=number))
            continue
        _add(catalogue, problems, fields, shape, feature=number)
    catalogue.ignored_columns = sorted(ignored)
    return problems


def _lon_lat(position: Any) -> Any:
    """A GeoJSON position without its altitude (bad positions are left for validation)."""
    return position[:2] if isinstance(position, list) and len(position) >= 2 else position


def _geojson_shape(geometry: Any, radius_m: Any) -> tuple[dict[str, Any] | None, str]:
    """The place shape of a Point or Polygon geometry, or ``None`` and why not."""
    if not isinstance(geometry, dict):
        return None, "no geometry"
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "MultiPolygon" and isinstance(coordinates, list) and len(coordinates) == 1:
        kind, coordinates = "Polygon", coordinates[0]
    if kind == "Point" and isinstance(coordinates, list) and len(coordinates) >= 2:
        lon, lat = coordinates[:2]
        return {"circle": {"lat": lat, "lon": lon, "radius_m": radius_m or DEFAULT_RADIUS_M}}, ""
    if kind == "Polygon" and isinstance(coordinates, list) and coordinates:
        if len(coordinates) > 1:
            return None, "polygons with holes are not supported"
        ring = coordinates[0]
        if not isinstance(ring, list):
            return None, "a Polygon's ring must be a list of positions"
        return {"polygon": [_lon_lat(position) for position in ring]}, ""
    return None, f"unsupported geometry {kind!r} (use Point or Polygon)"
