"""Track files: GPX 1.1, KML 2.2, GeoJSON and CSV, each an iterator of text chunks.

The writers take a :class:`~assetwatch.tracking.playback.Playback` and convert every
coordinate to its datum on output. How each format says which datum it uses:

======== ==================================================================================
GPX      ``metadata/desc`` (a sentence) and ``metadata/extensions/aw:datum``
KML      ``Document/description`` and ``Document/ExtendedData/Data[@name="datum"]``
GeoJSON  a ``"datum"`` foreign member of the FeatureCollection (RFC 7946 §6.1)
CSV      the coordinate columns: ``lat,lon`` for WGS-84, ``lat_gcj02,lon_gcj02`` or
         ``lat_bd09,lon_bd09`` otherwise (so no reader can take them for WGS-84)
======== ==================================================================================

GPX, KML and GeoJSON draw displayable fixes (valid, with coordinates); CSV has one row per
fix read, invalid ones included (``valid`` column). Stays and events (when the playback has
an overlay) are waypoints, placemarks or Point features; CSV carries fixes only.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from assetwatch.errors import ValidationError
from assetwatch.tracking.export_xml import CHUNK, Progress, gpx, in_chunks, kml
from assetwatch.tracking.playback import Playback, event_json, stay_json

__all__ = [
    "CSV_FIELDS",
    "FORMATS",
    "ExportFormat",
    "Progress",
    "csv_fields",
    "csv_rows",
    "export_format",
    "filename",
    "geojson",
    "gpx",
    "kml",
]

CSV_FIELDS: Final = (
    "time",
    "lat",
    "lon",
    "altitude_m",
    "speed_kmh",
    "course",
    "valid",
    "fix_source",
    "accuracy_m",
    "alarms",
    "late",
    "device",
)
Writer = Callable[[Playback, Progress | None], Iterator[str]]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    name: str
    extension: str
    media_type: str
    write: Writer


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def geojson(
    playback: Playback, progress: Progress | None = None, *, fix_points: bool = False
) -> Iterator[str]:
    """A FeatureCollection: the track (a LineString, or a Point for a single fix) with its
    ``times``; with ``fix_points``, one Point per fix carrying the fix's other fields; then a
    Point per stay and per event (``geometry: null`` for an event without a position).
    ``properties.feature`` says which: ``track``, ``fix``, ``stay``, ``event``."""
    located = playback.located()
    yield (
        '{"type": "FeatureCollection", '
        f'"datum": {_json(playback.datum)}, "asset": {_json(playback.asset)}, "features": ['
    )
    separator = ""
    if located:
        yield from _track_feature(playback, located, progress)
        separator = ", "
    elif progress is not None:
        progress(0)
    if fix_points:
        for start in range(0, len(located), CHUNK):
            batch = located[start : start + CHUNK]
            yield separator + ", ".join(_json(_fix_feature(playback, p)) for p in batch)
            separator = ", "
    for feature in _overlay_features(playback):
        yield separator + _json(feature)
        separator = ", "
    yield "]}\n"


def _track_feature(
    playback: Playback, located: list[dict[str, Any]], progress: Progress | None
) -> Iterator[str]:
    """The track Feature, its coordinates streamed."""
    properties = {
        "feature": "track",
        "asset": playback.asset,
        "from": located[0]["time"],
        "to": located[-1]["time"],
        "fixes": len(located),
    }
    if len(located) == 1:
        geometry = {"type": "Point", "coordinates": _lonlat(playback, located[0])}
        yield f'{{"type": "Feature", "geometry": {_json(geometry)}, "properties": '
        if progress is not None:
            progress(1)
    else:
        yield '{"type": "Feature", "geometry": {"type": "LineString", "coordinates": ['
        yield from _joined(located, lambda p: _json(_lonlat(playback, p)), progress)
        yield ']}, "properties": '
    yield _json(properties)[:-1] + ', "times": ['  # the times close the properties object
    yield from _joined(located, lambda p: _json(p["time"]), None)
    yield "]}}"


def _joined(
    points: list[dict[str, Any]], item: Callable[[dict[str, Any]], str], progress: Progress | None
) -> Iterator[str]:
    """``item(point)`` for every point, separated by commas, in chunks."""
    first = True
    for chunk in in_chunks(points, lambda p: ", " + item(p), progress):
        yield chunk[2:] if first else chunk
        first = False


def _lonlat(playback: Playback, p: dict[str, Any]) -> list[float]:
    lat, lon = playback.position(p["lat"], p["lon"])
    return [lon, lat]


def _fix_feature(playback: Playback, p: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": _lonlat(playback, p)},
        "properties": {"feature": "fix", **{k: v for k, v in p.items() if k not in ("lat", "lon")}},
    }


def _overlay_features(playback: Playback) -> Iterator[dict[str, Any]]:
    if playback.overlay is None:
        return
    for s in playback.overlay.stays:
        props = stay_json(playback, s)
        lonlat = [props.pop("lon"), props.pop("lat")]
        yield {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": lonlat},
            "properties": {"feature": "stay", **props},
        }
    for e in playback.overlay.events:
        props = event_json(playback, e)
        lon, lat = props.pop("lon"), props.pop("lat")
        geometry = None if lat is None else {"type": "Point", "coordinates": [lon, lat]}
        yield {"type": "Feature", "geometry": geometry, "properties": {"feature": "event", **props}}


def csv_fields(datum: str) -> tuple[str, ...]:
    """:data:`CSV_FIELDS`, with the coordinate columns named after a non-WGS-84 datum."""
    if datum == "wgs84":
        return CSV_FIELDS
    return tuple(f"{f}_{datum}" if f in ("lat", "lon") else f for f in CSV_FIELDS)


def csv_rows(playback: Playback, progress: Progress | None = None) -> Iterator[str]:
    """A header, then one row per fix (RFC 4180: CRLF line ends); times ISO-8601 UTC, alarms
    joined with ``;``, empty cells for unknown values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: CRLF line ends
    writer.writerow(csv_fields(playback.datum))
    yield buffer.getvalue()

    def row(p: dict[str, Any]) -> str:
        lat, lon = p["lat"], p["lon"]
        if lat is not None and lon is not None:
            lat, lon = playback.position(lat, lon)
        values = {**p, "lat": lat, "lon": lon, "alarms": ";".join(p["alarms"])}
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(["" if values[f] is None else values[f] for f in CSV_FIELDS])
        return buffer.getvalue()

    yield from in_chunks(playback.points, row, progress)


FORMATS: Final = {
    f.name: f
    for f in (
        ExportFormat("gpx", "gpx", "application/gpx+xml", gpx),
        ExportFormat("kml", "kml", "application/vnd.google-earth.kml+xml", kml),
        ExportFormat("geojson", "geojson", "application/geo+json", geojson),
        ExportFormat("csv", "csv", "text/csv", csv_rows),
    )
}


def export_format(name: str) -> ExportFormat:
    """The format called ``name``; a ValidationError names the known ones."""
    found = FORMATS.get(name)
    if found is None:
        raise ValidationError(f"format: {name!r} is not one of {', '.join(FORMATS)}")
    return found


def filename(playback: Playback, fmt: ExportFormat) -> str:
    """``<asset>-track[-<datum>].<ext>``, with characters outside ``[A-Za-z0-9._-]`` as ``_``."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", playback.asset) or "asset"
    suffix = "" if playback.datum == "wgs84" else f"-{playback.datum}"
    return f"{safe}-track{suffix}.{fmt.extension}"
