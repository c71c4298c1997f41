"""GPX 1.1 and KML 2.2 writers, as iterators of text chunks (streamed, one line per fix).

Every string that comes from data is escaped, and characters XML 1.0 cannot carry (control
characters) become U+FFFD, so the output is always well-formed.

GPX 1.1 has no speed or course in a track point; they go into the Garmin
``TrackPointExtension`` v2 (``gpxtpx:speed`` in m/s, ``gpxtpx:course`` in degrees), which
most GPX tools read. Fix source and accuracy go into assetwatch's own namespace
(:data:`AW_NS`). The datum is stated in ``metadata/desc`` and ``metadata/extensions/aw:datum``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final
from xml.sax.saxutils import escape, quoteattr

from assetwatch import __version__
from assetwatch.analytics.model import Stay
from assetwatch.tracking.playback import Playback, event_json
from assetwatch.tracking.service import iso

Progress = Callable[[int], None]
"""Called with the number of fixes written so far, every :data:`CHUNK` fixes and at the end."""
CHUNK: Final = 1000

GPX_NS: Final = "http://www.topografix.com/GPX/1/1"
GPXTPX_NS: Final = "http://www.garmin.com/xmlschemas/TrackPointExtension/v2"
AW_NS: Final = "urn:assetwatch:gpx:1"
KML_NS: Final = "http://www.opengis.net/kml/2.2"
DATUM_NAMES: Final = {
    "wgs84": "WGS-84",
    "gcj02": "GCJ-02 (the datum of Chinese map apps), not WGS-84",
    "bd09": "BD-09 (the datum of Baidu Maps), not WGS-84",
}
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def text(value: object) -> str:
    """Element content: escaped, with characters XML cannot carry replaced."""
    return escape(_NOT_XML.sub("\ufffd", str(value)))


def attr(value: object) -> str:
    """A quoted attribute value."""
    return quoteattr(_NOT_XML.sub("\ufffd", str(value)))


def describe(playback: Playback) -> str:
    """One sentence on what the file holds, datum included."""
    shown = len(playback.located())
    what = f"Track of {playback.asset}: {shown} fixes"
    if playback.simplify_m is not None:
        what += f" (simplified to {playback.simplify_m:g} m from {playback.fixes})"
    if playback.truncated:
        what += f"; stopped at the limit of {playback.fixes} fixes read"
    return f"{what}. Coordinates: {DATUM_NAMES[playback.datum]}."


def in_chunks(
    points: Sequence[dict[str, Any]],
    line: Callable[[dict[str, Any]], str],
    progress: Progress | None,
) -> Iterator[str]:
    """``line(point)`` for every point, joined :data:`CHUNK` at a time."""
    for start in range(0, len(points), CHUNK):
        batch = points[start : start + CHUNK]
        yield "".join(line(p) for p in batch)
        if progress is not None:
            progress(start + len(batch))
    if progress is not None and not points:
        progress(0)


def _number(value: float) -> str:
    return repr(float(value))


def gpx(playback: Playback, progress: Progress | None = None) -> Iterator[str]:
    """A GPX 1.1 document: metadata, one ``wpt`` per stay and located event, one track."""
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx xmlns="{GPX_NS}" xmlns:gpxtpx="{GPXTPX_NS}" xmlns:aw="{AW_NS}" version="1.1" '
        f"creator={attr('assetwatch ' + __version__)}>\n"
        f"<metadata><name>{text(playback.asset)}</name><desc>{text(describe(playback))}</desc>"
        f"<extensions><aw:datum>{playback.datum}</aw:datum></extensions></metadata>\n"
    )
    yield from _gpx_waypoints(playback)
    yield f"<trk><name>{text(playback.asset)}</name><trkseg>\n"
    yield from in_chunks(playback.located(), lambda p: _trkpt(playback, p), progress)
    yield "</trkseg></trk>\n</gpx>\n"


def _trkpt(playback: Playback, p: dict[str, Any]) -> str:
    lat, lon = playback.position(p["lat"], p["lon"])
    out = [f'<trkpt lat="{_number(lat)}" lon="{_number(lon)}">']
    if p["altitude_m"] is not None:
        out.append(f"<ele>{_number(p['altitude_m'])}</ele>")
    out.append(f"<time>{p['time']}</time><extensions>")
    if p["speed_kmh"] is not None or p["course"] is not None:
        out.append("<gpxtpx:TrackPointExtension>")
        if p["speed_kmh"] is not None:
            out.append(f"<gpxtpx:speed>{round(p['speed_kmh'] / 3.6, 3)!r}</gpxtpx:speed>")
        if p["course"] is not None:
            out.append(f"<gpxtpx:course>{_number(p['course'] % 360)}</gpxtpx:course>")
        out.append("</gpxtpx:TrackPointExtension>")
    out.append(f"<aw:fix>{text(p['fix_source'])}</aw:fix>")
    if p["accuracy_m"] is not None:
        out.append(f"<aw:accuracy_m>{_number(p['accuracy_m'])}</aw:accuracy_m>")
    out.append("</extensions></trkpt>\n")
    return "".join(out)


def _gpx_waypoints(playback: Playback) -> Iterator[str]:
    if playback.overlay is None:
        return
    for s in playback.overlay.stays:
        lat, lon = playback.position(s.lat, s.lon)
        yield (
            f'<wpt lat="{_number(lat)}" lon="{_number(lon)}"><time>{iso(s.start_ms)}</time>'
            f"<name>stay</name><desc>{text(_stay_desc(s.duration_s, s.radius_m, s.points))}"
            f"</desc><type>stay</type><extensions><aw:end>{iso(s.end_ms)}</aw:end>"
            f"<aw:duration_s>{_number(s.duration_s)}</aw:duration_s>"
            f"<aw:radius_m>{_number(s.radius_m)}</aw:radius_m></extensions></wpt>\n"
        )
    for e in playback.overlay.events:
        event = event_json(playback, e)
        if event["lat"] is None:
            continue  # a waypoint needs a position; GeoJSON and KML still list it
        yield (
            f'<wpt lat="{_number(event["lat"])}" lon="{_number(event["lon"])}">'
            f"<time>{event['time']}</time><name>{text(_event_name(event))}</name>"
            f"<desc>{text(_event_desc(event))}</desc><type>event</type></wpt>\n"
        )


def _stay_desc(duration_s: float, radius_m: float, points: int) -> str:
    return f"stayed {duration_s:.0f} s within {radius_m:.0f} m ({points} fixes)"


def _event_name(event: dict[str, Any]) -> str:
    return f"{event['type']} {event['subject']}".strip()


def _event_desc(event: dict[str, Any]) -> str:
    desc = "retrospective (found in late data)" if event["retrospective"] else "live"
    where = {"event": "position recorded with the event", "fix": "position of the nearest fix"}
    return f"{desc}; {where.get(event['located'] or '', 'no position')}"


def kml(playback: Playback, progress: Progress | None = None) -> Iterator[str]:
    """A KML 2.2 document: the track as a LineString with its TimeSpan, then folders of stay
    (TimeSpan) and event (TimeStamp) placemarks."""
    located = playback.located()
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<kml xmlns="{KML_NS}">\n<Document><name>{text(playback.asset)}</name>'
        f"<description>{text(describe(playback))}</description>"
        f'<ExtendedData><Data name="datum"><value>{playback.datum}</value></Data>'
        "</ExtendedData>\n"
    )
    if located:
        geometry = "LineString" if len(located) > 1 else "Point"
        yield (
            f"<Placemark><name>track</name><TimeSpan><begin>{located[0]['time']}</begin>"
            f"<end>{located[-1]['time']}</end></TimeSpan><{geometry}>"
            + ("<tessellate>1</tessellate>" if geometry == "LineString" else "")
            + "<coordinates>\n"
        )
        yield from in_chunks(located, lambda p: _lonlat(playback, p) + "\n", progress)
        yield f"</coordinates></{geometry}></Placemark>\n"
    elif progress is not None:
        progress(0)
    yield from _kml_overlay(playback)
    yield "</Document>\n</kml>\n"


def _lonlat(playback: Playback, p: dict[str, Any]) -> str:
    lat, lon = playback.position(p["lat"], p["lon"])
    return f"{_number(lon)},{_number(lat)}"


def _kml_point(lat: float | None, lon: float | None) -> str:
    if lat is None or lon is None:
        return ""
    return f"<Point><coordinates>{_number(lon)},{_number(lat)}</coordinates></Point>"


def _kml_overlay(playback: Playback) -> Iterator[str]:
    """A folder of stays and one of events, each only when it has any."""
    if playback.overlay is None:
        return
    stays = [_kml_stay(playback, s) for s in playback.overlay.stays]
    events = [_kml_event(event_json(playback, e)) for e in playback.overlay.events]
    for name, placemarks in (("Stays", stays), ("Events", events)):
        if placemarks:
            yield f"<Folder><name>{name}</name>\n" + "".join(placemarks) + "</Folder>\n"


def _kml_stay(playback: Playback, s: Stay) -> str:
    lat, lon = playback.position(s.lat, s.lon)
    return (
        f"<Placemark><name>stay</name><description>"
        f"{text(_stay_desc(s.duration_s, s.radius_m, s.points))}</description>"
        f"<TimeSpan><begin>{iso(s.start_ms)}</begin><end>{iso(s.end_ms)}</end></TimeSpan>"
        f"{_kml_point(lat, lon)}</Placemark>\n"
    )


def _kml_event(event: dict[str, Any]) -> str:
    return (
        f"<Placemark><name>{text(_event_name(event))}</name>"
        f"<description>{text(_event_desc(event))}</description>"
        f"<TimeStamp><when>{event['time']}</when></TimeStamp><ExtendedData>"
        f'<Data name="type"><value>{text(event["type"])}</value></Data>'
        f'<Data name="subject"><value>{text(event["subject"])}</value></Data>'
        f'<Data name="retrospective"><value>{str(event["retrospective"]).lower()}</value>'
        f"</Data></ExtendedData>{_kml_point(event['lat'], event['lon'])}</Placemark>\n"
    )
