"""Every export format on the tiny track: exact content, structure, datum, escaping."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from sqlalchemy import Engine

from assetwatch.analytics.model import Stay
from assetwatch.errors import ValidationError
from assetwatch.geo.datum import to_wgs84
from assetwatch.geo.distance import haversine_m
from assetwatch.model.scope import Scope
from assetwatch.tracking import export
from assetwatch.tracking.playback import Playback, playback
from tests.tracking.conftest import FIXES, T0, Db

NS = {
    "g": "http://www.topografix.com/GPX/1/1",
    "tpx": "http://www.garmin.com/xmlschemas/TrackPointExtension/v2",
    "aw": "urn:assetwatch:gpx:1",
    "k": "http://www.opengis.net/kml/2.2",
}
TIMES = ["2026-03-01T08:00:00Z", "2026-03-01T08:01:00Z", "2026-03-01T08:02:00Z",
         "2026-03-01T08:04:00Z"]  # fmt: skip
LONLAT = [[114.0579, 22.5431], [114.06, 22.545], [114.05, 22.55], [114.052, 22.551]]
STAY = Stay(T0 + 300_000, T0 + 900_000, 22.551, 114.052, 25.0, 12)


def stays(
    engine: Engine, *, scope: Scope, asset: str, from_ms: int | None, to_ms: int | None
) -> list[Stay]:
    return [STAY]


def play(db: Db, **options: Any) -> Playback:
    return playback(db.engine, scope=db.scope, asset="VIN1", stays=stays, **options)


def written(pb: Playback, name: str, **options: Any) -> str:
    if options:
        return "".join(export.geojson(pb, None, **options))
    return "".join(export.FORMATS[name].write(pb, None))


def test_csv_has_one_row_per_fix(db: Db) -> None:
    assert written(play(db), "csv").splitlines() == [
        "time,lat,lon,altitude_m,speed_kmh,course,valid,fix_source,accuracy_m,alarms,late,device",
        "2026-03-01T08:00:00Z,22.5431,114.0579,12.0,0.0,0.0,True,gps,,,False,013900000001",
        "2026-03-01T08:01:00Z,22.545,114.06,12.5,36.0,45.0,True,gps,,power_cut,False,013900000001",
        "2026-03-01T08:02:00Z,22.55,114.05,,30.0,300.5,True,cell,1500.0,,False,013900000001",
        "2026-03-01T08:03:00Z,22.55,114.05,,,,False,none,,,False,013900000001",
        "2026-03-01T08:04:00Z,22.551,114.052,13.0,18.0,90.0,True,gps,5.0,,False,013900000001",
    ]


def test_csv_names_its_datum_in_the_coordinate_columns(db: Db) -> None:
    rows = list(csv.DictReader(io.StringIO(written(play(db, datum="gcj02"), "csv"))))
    assert list(rows[0])[:3] == ["time", "lat_gcj02", "lon_gcj02"]
    assert (rows[0]["lat_gcj02"], rows[0]["lon_gcj02"]) == ("22.5403828", "114.063014")
    back = to_wgs84(float(rows[0]["lat_gcj02"]), float(rows[0]["lon_gcj02"]), "gcj02")
    assert back == pytest.approx((22.5431, 114.0579), abs=2e-7)


def test_gpx_exact(db: Db) -> None:
    lines = written(play(db, with_overlay=True), "gpx").splitlines()
    assert lines[:3] == [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2" '
        'xmlns:aw="urn:assetwatch:gpx:1" version="1.1" creator="assetwatch 0.1.0">',
        "<metadata><name>VIN1</name><desc>Track of VIN1: 4 fixes. Coordinates: WGS-84.</desc>"
        "<extensions><aw:datum>wgs84</aw:datum></extensions></metadata>",
    ]
    assert lines[3] == (
        '<wpt lat="22.551" lon="114.052"><time>2026-03-01T08:05:00Z</time><name>stay</name>'
        "<desc>stayed 600 s within 25 m (12 fixes)</desc><type>stay</type><extensions>"
        "<aw:end>2026-03-01T08:15:00Z</aw:end><aw:duration_s>600.0</aw:duration_s>"
        "<aw:radius_m>25.0</aw:radius_m></extensions></wpt>"
    )
    assert lines[4] == (
        '<wpt lat="22.5452" lon="114.0601"><time>2026-03-01T08:01:00Z</time>'
        "<name>geofence_exit dealer-001-lot</name>"
        "<desc>live; position recorded with the event</desc><type>event</type></wpt>"
    )
    assert lines[6:9] == [
        "<trk><name>VIN1</name><trkseg>",
        '<trkpt lat="22.5431" lon="114.0579"><ele>12.0</ele><time>2026-03-01T08:00:00Z</time>'
        "<extensions><gpxtpx:TrackPointExtension><gpxtpx:speed>0.0</gpxtpx:speed>"
        "<gpxtpx:course>0.0</gpxtpx:course></gpxtpx:TrackPointExtension><aw:fix>gps</aw:fix>"
        "</extensions></trkpt>",
        '<trkpt lat="22.545" lon="114.06"><ele>12.5</ele><time>2026-03-01T08:01:00Z</time>'
        "<extensions><gpxtpx:TrackPointExtension><gpxtpx:speed>10.0</gpxtpx:speed>"
        "<gpxtpx:course>45.0</gpxtpx:course></gpxtpx:TrackPointExtension><aw:fix>gps</aw:fix>"
        "</extensions></trkpt>",
    ]
    assert lines[-2:] == ["</trkseg></trk>", "</gpx>"]


# GPX 1.1 (gpx.xsd): each element's children, in the order the schema's sequences allow
GPX_ORDER = {
    "gpx": ["metadata", "wpt", "rte", "trk", "extensions"],
    "metadata": ["name", "desc", "author", "copyright", "link", "time", "keywords", "bounds",
                 "extensions"],
    "wpt": ["ele", "time", "magvar", "geoidheight", "name", "cmt", "desc", "src", "link", "sym",
            "type", "fix", "sat", "hdop", "vdop", "pdop", "ageofdgpsdata", "dgpsid",
            "extensions"],
    "trk": ["name", "cmt", "desc", "src", "link", "number", "type", "extensions", "trkseg"],
    "trkseg": ["trkpt", "extensions"],
}  # fmt: skip
GPX_ORDER["trkpt"] = GPX_ORDER["wpt"]
REPEATABLE = {"wpt", "rte", "trk", "link", "trkseg", "trkpt"}


def check_gpx_structure(element: ET.Element) -> None:
    """Children in schema order, only repeatable ones repeated; recursing into GPX elements
    (extensions hold other namespaces)."""
    local = element.tag.removeprefix("{" + NS["g"] + "}")
    if local == "extensions":
        return
    allowed = GPX_ORDER.get(local, [])
    last = -1
    for child in element:
        assert child.tag.startswith("{" + NS["g"] + "}"), child.tag
        name = child.tag.removeprefix("{" + NS["g"] + "}")
        assert name in allowed, f"<{name}> in <{local}>"
        position = allowed.index(name)
        assert position > last or (position == last and name in REPEATABLE), f"<{name}> order"
        last = position
        check_gpx_structure(child)
    if local in ("wpt", "trkpt"):
        assert {"lat", "lon"} <= set(element.attrib)
        assert -90 <= float(element.attrib["lat"]) <= 90


def test_gpx_parses_and_follows_the_gpx_1_1_structure(db: Db) -> None:
    root = ET.fromstring(written(play(db, with_overlay=True), "gpx"))
    assert root.tag == f"{{{NS['g']}}}gpx" and root.attrib["version"] == "1.1"
    check_gpx_structure(root)
    points = root.findall("g:trk/g:trkseg/g:trkpt", NS)
    assert [p.findtext("g:time", namespaces=NS) for p in points] == TIMES
    assert [[float(p.attrib["lon"]), float(p.attrib["lat"])] for p in points] == LONLAT
    speeds = [p.findtext("g:extensions/tpx:TrackPointExtension/tpx:speed", namespaces=NS)
              for p in points]  # fmt: skip
    assert speeds == ["0.0", "10.0", "8.333", "5.0"]  # m/s
    assert [p.findtext("g:extensions/aw:fix", namespaces=NS) for p in points] == [
        "gps", "gps", "cell", "gps"
    ]  # fmt: skip
    assert points[2].findtext("g:extensions/aw:accuracy_m", namespaces=NS) == "1500.0"
    assert points[2].find("g:ele", NS) is None
    waypoints = root.findall("g:wpt", NS)
    assert [w.findtext("g:type", namespaces=NS) for w in waypoints] == ["stay", "event", "event"]
    assert root.findtext("g:metadata/g:extensions/aw:datum", namespaces=NS) == "wgs84"


def test_kml_parses_with_the_track_stays_and_events(db: Db) -> None:
    root = ET.fromstring(written(play(db, with_overlay=True, datum="gcj02"), "kml"))
    document = root.find("k:Document", NS)
    assert document is not None
    assert [c.tag.split("}")[1] for c in document] == [
        "name", "description", "ExtendedData", "Placemark", "Folder", "Folder"
    ]  # fmt: skip
    assert document.findtext("k:ExtendedData/k:Data[@name='datum']/k:value", namespaces=NS) == (
        "gcj02"
    )
    assert "GCJ-02" in (document.findtext("k:description", namespaces=NS) or "")
    track = document.find("k:Placemark", NS)
    assert track is not None
    assert [c.tag.split("}")[1] for c in track] == ["name", "TimeSpan", "LineString"]
    assert track.findtext("k:TimeSpan/k:begin", namespaces=NS) == TIMES[0]
    assert track.findtext("k:TimeSpan/k:end", namespaces=NS) == TIMES[-1]
    coordinates = (track.findtext("k:LineString/k:coordinates", namespaces=NS) or "").split()
    assert coordinates[0] == "114.063014,22.5403828"
    assert len(coordinates) == 4
    stay, exit_, cut = document.findall("k:Folder/k:Placemark", NS)
    assert [c.tag.split("}")[1] for c in stay] == ["name", "description", "TimeSpan", "Point"]
    assert stay.findtext("k:TimeSpan/k:begin", namespaces=NS) == "2026-03-01T08:05:00Z"
    assert [c.tag.split("}")[1] for c in exit_] == [
        "name", "description", "TimeStamp", "ExtendedData", "Point"
    ]  # fmt: skip
    assert cut.findtext("k:TimeStamp/k:when", namespaces=NS) == "2026-03-01T08:02:00Z"
    assert cut.findtext("k:name", namespaces=NS) == "power_cut 013900000001"


def test_geojson_exact(db: Db) -> None:
    assert json.loads(written(play(db, with_overlay=True), "geojson")) == {
        "type": "FeatureCollection",
        "datum": "wgs84",
        "asset": "VIN1",
        "features": [
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": LONLAT},
             "properties": {"feature": "track", "asset": "VIN1", "from": TIMES[0],
                            "to": TIMES[-1], "fixes": 4, "times": TIMES}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [114.052, 22.551]},
             "properties": {"feature": "stay", "start": "2026-03-01T08:05:00Z",
                            "end": "2026-03-01T08:15:00Z", "duration_s": 600.0,
                            "radius_m": 25.0, "points": 12}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [114.0601, 22.5452]},
             "properties": {"feature": "event", "time": TIMES[1], "type": "geofence_exit",
                            "subject": "dealer-001-lot", "retrospective": False,
                            "device": "013900000001", "located": "event",
                            "details": {"place": "dealer-001-lot", "place_kind": "allowed"}}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [114.05, 22.55]},
             "properties": {"feature": "event", "time": TIMES[2], "type": "power_cut",
                            "subject": "013900000001", "retrospective": False,
                            "device": "013900000001", "located": "fix",
                            "details": {"device": "013900000001"}}},
        ],
    }  # fmt: skip


def test_geojson_fix_points_and_tiny_tracks(db: Db) -> None:
    with_fixes = json.loads(written(play(db), "geojson", fix_points=True))["features"]
    assert [f["properties"]["feature"] for f in with_fixes] == ["track"] + ["fix"] * 4
    assert with_fixes[2]["geometry"] == {"type": "Point", "coordinates": [114.06, 22.545]}
    assert with_fixes[2]["properties"]["alarms"] == ["power_cut"]
    one = playback(db.engine, scope=db.scope, asset="VIN1", to_ms=T0)
    assert json.loads(written(one, "geojson"))["features"][0]["geometry"] == {
        "type": "Point", "coordinates": [114.0579, 22.5431]
    }  # fmt: skip
    none = playback(db.engine, scope=db.scope, asset="VIN1", to_ms=T0 - 1)
    assert json.loads(written(none, "geojson"))["features"] == []
    root = ET.fromstring(written(none, "gpx"))
    assert root.findall("g:trk/g:trkseg/g:trkpt", NS) == []
    assert ET.fromstring(written(none, "kml")).find("k:Document/k:Placemark", NS) is None
    single = ET.fromstring(written(one, "kml"))
    assert single.find("k:Document/k:Placemark/k:Point", NS) is not None


@pytest.mark.parametrize("name", ["gpx", "kml", "geojson", "csv"])
def test_the_gcj02_shift_in_shenzhen_is_a_few_hundred_metres(db: Db, name: str) -> None:
    def first_point(datum: str) -> tuple[float, float]:
        text = written(play(db, datum=datum), name)
        if name == "gpx":
            element = ET.fromstring(text).find("g:trk/g:trkseg/g:trkpt", NS)
            assert element is not None
            return float(element.attrib["lat"]), float(element.attrib["lon"])
        if name == "kml":
            words = ET.fromstring(text).findtext(".//k:coordinates", namespaces=NS) or ""
            lon, lat = map(float, words.split()[0].split(","))
            return lat, lon
        if name == "geojson":
            lon, lat = json.loads(text)["features"][0]["geometry"]["coordinates"][0]
            return lat, lon
        row = next(csv.reader(io.StringIO(text.splitlines()[1])))
        return float(row[1]), float(row[2])

    wgs84, gcj02, bd09 = first_point("wgs84"), first_point("gcj02"), first_point("bd09")
    assert wgs84 == (FIXES[0][1], FIXES[0][2])
    assert 200 < haversine_m(*wgs84, *gcj02) < 700
    assert to_wgs84(*gcj02, "gcj02") == pytest.approx(wgs84, abs=2e-7)
    assert to_wgs84(*bd09, "bd09") == pytest.approx(wgs84, abs=2e-7)


def test_text_from_data_is_escaped_and_control_characters_replaced(db: Db) -> None:
    nasty = 'a<b>&"c"\'\x01'
    db.add_event(db.scope.tenant_id, "VIN1", "013900000001", 90, "tamper", nasty, {})
    pb = play(db, with_overlay=True)
    gpx_names = [w.findtext("g:name", namespaces=NS)
                 for w in ET.fromstring(written(pb, "gpx")).findall("g:wpt", NS)]  # fmt: skip
    assert 'tamper a<b>&"c"\'\ufffd' in gpx_names
    kml = ET.fromstring(written(pb, "kml"))
    subjects = kml.findall(".//k:Data[@name='subject']/k:value", NS)
    assert 'a<b>&"c"\'\ufffd' in [s.text for s in subjects]
    events = [f for f in json.loads(written(pb, "geojson"))["features"]
              if f["properties"].get("type") == "tamper"]  # fmt: skip
    assert events[0]["properties"]["subject"] == nasty  # JSON carries it as it is


def test_progress_is_reported_per_thousand_fixes(db: Db) -> None:
    fixes = [(300 + i, 22.56, 114.06 + i * 1e-5, None, 10.0, 90.0, True, "gps", None, "")
             for i in range(2496)]  # fmt: skip
    db.add_fixes(db.scope.tenant_id, "VIN1", "013900000001", fixes)
    pb = play(db)
    for name, located in (("gpx", 2500), ("kml", 2500), ("geojson", 2500), ("csv", 2501)):
        seen: list[int] = []
        chunks = list(export.FORMATS[name].write(pb, seen.append))
        assert seen == [1000, 2000, located], name
        assert len(chunks) > 3


def test_unknown_format_and_file_names(db: Db) -> None:
    with pytest.raises(ValidationError, match="format: 'shp' is not one of gpx, kml, geojson, csv"):
        export.export_format("shp")
    pb = play(db, datum="bd09")
    assert export.filename(pb, export.export_format("kml")) == "VIN1-track-bd09.kml"
    odd = Playback("A/B C", [], None, "wgs84", None, 0, False)
    assert export.filename(odd, export.FORMATS["gpx"]) == "A_B_C-track.gpx"
