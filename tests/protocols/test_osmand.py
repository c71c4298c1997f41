"""The OsmAnd protocol: the parameter form and the JSON form, as phone apps send them."""

from __future__ import annotations

import json
from datetime import UTC, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetwatch.errors import ProtocolError
from assetwatch.model.observation import Observation
from assetwatch.protocols.osmand import OsmAndReport
from assetwatch.protocols.osmand_request import parse_request, query_pairs, request_from_text
from tests.protocols.ingest_support import NOW_MS, assert_observation_invariants

GMT8 = timezone(timedelta(hours=8))


def report(text: str, *, tz: Any = UTC, **options: Any) -> OsmAndReport:
    """Decode a decode-CLI style line (URL, query string or JSON body)."""
    query, body, content_type = request_from_text(text)
    result = parse_request(
        query=query,
        body=body,
        content_type=content_type,
        server_time_ms=NOW_MS,
        tz_for=lambda _key: tz,
        **options,
    )
    for observation in result.observations:
        assert_observation_invariants(observation, "osmand")
    return result


def one(text: str, **options: Any) -> Observation:
    [observation] = report(text, **options).observations
    return observation


def test_traccar_client_parameters() -> None:
    obs = one(
        "/?id=123456789012345&timestamp=1504763810&lat=40.7232948571&lon=-74.0061408571"
        "&bearing=7.19889788244&speed=40&altitude=12.5&accuracy=8&hdop=0.9&batt=87"
        "&charge=true&ignition=true&rpm=933&fuel=24&driverUniqueId=D42"
    )
    assert obs.device_key == "123456789012345"
    assert obs.time_ms == 1_504_763_810_000
    assert (obs.lat, obs.lon, obs.course, obs.altitude_m) == (
        40.7232948571,
        -74.0061408571,
        7.19889788244,
        12.5,
    )
    assert obs.speed_kmh == 74.08  # 40 knots
    assert obs.accuracy_m == 8.0 and obs.valid
    assert obs.attributes == {
        "hdop": 0.9,
        "battery_pct": 87.0,
        "charging": True,
        "ignition": True,
        "raw.rpm": 933.0,
        "raw.fuel": 24.0,
        "driver_id": "D42",
    }


@pytest.mark.parametrize(
    ("unit", "kmh"), [("kn", 18.52), ("kmh", 10.0), ("mps", 36.0), ("mph", 16.093)]
)
def test_the_speed_unit_is_configurable(unit: Any, kmh: float) -> None:
    assert one("id=a&lat=1&lon=2&speed=10", speed_unit=unit).speed_kmh == kmh


@pytest.mark.parametrize(
    ("timestamp", "expected_ms"),
    [
        ("1377177267", 1_377_177_267_000),  # seconds
        ("1442068686579", 1_442_068_686_579),  # milliseconds
        ("1377177267.5", 1_377_177_267_500),  # fractional seconds
        ("2016-01-27T18%3A55%3A47Z", 1_453_920_947_000),
        ("2016-01-27T18:55:47.250%2B01:00", 1_453_917_347_250),
        ("2014-06-04+09%3A10%3A11", 1_401_873_011_000),  # "yyyy-MM-dd HH:mm:ss", UTC device
    ],
)
def test_timestamps(timestamp: str, expected_ms: int) -> None:
    assert one(f"id=a&lat=1&lon=2&timestamp={timestamp}").time_ms == expected_ms


def test_times_without_an_offset_are_in_the_device_time_zone() -> None:
    utc = one("id=a&lat=1&lon=2&timestamp=2014-06-04T09:10:11")
    gmt8 = one("id=a&lat=1&lon=2&timestamp=2014-06-04T09:10:11", tz=GMT8)
    assert utc.time_ms - gmt8.time_ms == 8 * 3600 * 1000


def test_no_timestamp_or_an_unset_clock_means_receive_time() -> None:
    assert one("id=a&lat=1&lon=2").time_ms == NOW_MS
    unset = one("id=a&lat=1&lon=2&timestamp=0")
    assert unset.time_ms == NOW_MS and unset.attributes["raw.timestamp"] == 0


def test_unknown_values_minus_one_are_dropped() -> None:
    obs = one("id=a&lat=1&lon=2&speed=-1&bearing=-1&accuracy=-1&batt=-1")
    assert (obs.speed_kmh, obs.course, obs.accuracy_m) == (None, None, None)
    assert "battery_pct" not in obs.attributes


def test_location_cells_and_wifi() -> None:
    obs = one("id=a&timestamp=1377177267&location=60.0,30.0")
    assert (obs.lat, obs.lon) == (60.0, 30.0)
    cells = one(
        "/?id=123456&timestamp=1377177267&cell=257,02,16,2224&cell=257,02,16,2223,-90"
        "&wifi=00-14-22-01-23-45,-80"
    )
    assert cells.lat is None and not cells.valid
    assert cells.attributes["cells"] == [
        {"mcc": 257, "mnc": 2, "lac": 16, "ci": 2224, "signal_dbm": None},
        {"mcc": 257, "mnc": 2, "lac": 16, "ci": 2223, "signal_dbm": -90},
    ]
    assert cells.attributes["wifi"] == [{"mac": "00:14:22:01:23:45", "signal_dbm": -80}]


def test_alarms_map_onto_the_canonical_codes() -> None:
    obs = one("id=a&lat=1&lon=2&alarm=sos,powerCut,tampering,removing,power_cut,mystery")
    assert obs.alarms == ("sos", "power_cut", "tamper", "removal")
    assert obs.attributes["raw.alarm"] == "mystery"


def test_valid_deviceid_heading_and_a_form_body() -> None:
    obs = one("/?lat=60.0&lon=30.0&heading=90&deviceid=123456&valid=0")
    assert obs.device_key == "123456" and obs.course == 90.0 and not obs.valid
    form = parse_request(
        query="",
        body=b"id=phone-7&lat=1.5&lon=2.5&token=s3cret",
        content_type="application/x-www-form-urlencoded",
        server_time_ms=NOW_MS,
    )
    assert form.device_id == "phone-7" and form.token == "s3cret"
    assert "raw.token" not in form.observations[0].attributes


def test_a_resend_has_the_same_idempotency_key_whatever_the_order_or_token() -> None:
    first = one("id=a&lat=1&lon=2&timestamp=1377177267")
    again = one("timestamp=1377177267&lon=2&lat=1&id=a&token=x")
    moved = one("id=a&lat=1&lon=2.1&timestamp=1377177267")
    assert first.idem == again.idem != moved.idem


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("/?timestamp=1377177267&lat=60.0&lon=30.0", "id: missing"),
        ("id=&lat=1&lon=2", "not a device id"),
        ("id=a%20b&lat=1&lon=2", "not a device id"),
        ("id=a&lat=abc&lon=2", "lat: 'abc' is not a number"),
        ("id=a&lat=nan&lon=2", "not a finite number"),
        ("id=a&lat=1&lon=inf", "not a finite number"),
        ("id=a&lat=91&lon=2", "lat: 91 is outside -90..90"),
        ("id=a&lat=1&lon=-181", "lon: -181 is outside"),
        ("id=a&lat=1", "lat and lon go together"),
        ("id=a&location=1", "location: '1' is not lat,lon"),
        ("id=a&lat=1&lon=2&bearing=361", "bearing: 361 is outside 0..360"),
        ("id=a&lat=1&lon=2&batt=150", "batt: 150 is outside 0..100"),
        ("id=a&lat=1&lon=2&valid=maybe", "valid: 'maybe' is not true/false/1/0"),
        ("id=a&lat=1&lon=2&timestamp=yesterday", "timestamp: 'yesterday' is not epoch"),
        ("id=a&cell=1,2,3", "cell: '1,2,3' is not mcc,mnc,lac,ci"),
        ("id=a&cell=1,2,x,4", "non-integer"),
        ("id=a&lat=1&lon=2&speed=fast", "speed: 'fast' is not a number"),
        ("id=a&lat=1&lon=2&x=" + "y" * 600, "longer than 512"),
        ("id=a&" + "&".join(f"p{i}=1" for i in range(120)), "too many parameters"),
        ("", "no parameters"),
    ],
)
def test_bad_parameters_name_the_parameter(text: str, words: str) -> None:
    with pytest.raises(ProtocolError, match=None) as caught:
        report(text)
    assert words in str(caught.value)


TRACCAR_JSON = {
    "location": {
        "timestamp": "2025-06-15T13:45:12.862Z",
        "coords": {
            "latitude": 37.4219983,
            "longitude": -122.084,
            "accuracy": 5,
            "speed": 12.5,
            "heading": -1,
            "altitude": 5,
        },
        "is_moving": True,
        "odometer": 1520.5,
        "event": "motionchange",
        "battery": {"level": 0.79, "is_charging": False},
        "activity": {"type": "in_vehicle"},
        "uuid": "0e9a2473-a9a7-4c00-997b-fb97d2154e75",
        "extras": {"alarm": "sos", "trip": 7},
        "mock": True,
        "some_future_field": {"ignored": True},
    },
    "device_id": "48241179",
}


def test_the_traccar_client_json_body() -> None:
    obs = one(json.dumps(TRACCAR_JSON))
    assert obs.device_key == "48241179"
    assert obs.time_ms == 1_749_995_112_862
    assert (obs.lat, obs.lon, obs.altitude_m, obs.accuracy_m) == (37.4219983, -122.084, 5.0, 5.0)
    assert obs.speed_kmh == 45.0  # m/s in this form
    assert obs.course is None  # -1: unknown
    assert obs.alarms == ("sos",)
    assert obs.attributes == {
        "battery_pct": 79.0,
        "charging": False,
        "moving": True,
        "mileage_km": 1.52,
        "event": "motionchange",
        "raw.activity": "in_vehicle",
        "mock_location": True,
        "raw.trip": 7,
    }


def test_json_location_lists_unknown_battery_and_no_coords() -> None:
    body = {
        "device_id": 658765,
        "location": [
            {"timestamp": "2025-05-09T04:11:30.579Z", "battery": {"level": -1}},
            {"timestamp": "2025-05-09T04:11:31Z", "coords": {"latitude": 1, "longitude": 2}},
        ],
    }
    first, second = report(json.dumps(body)).observations
    assert first.device_key == "658765" and first.lat is None and not first.valid
    assert "battery_pct" not in first.attributes
    assert second.has_position and first.idem != second.idem


def test_the_json_token_comes_from_the_query() -> None:
    result = parse_request(
        query="token=abc",
        body=json.dumps(TRACCAR_JSON).encode(),
        content_type="application/json; charset=utf-8",
        server_time_ms=NOW_MS,
    )
    assert result.token == "abc"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{", "not valid JSON"),
        ('{"location": {}}', "missing required field `device_id`"),
        ('{"device_id": "a"}', "missing required field `location`"),
        ('{"device_id": "a b", "location": {}}', "not a device id"),
        ('{"device_id": "a", "location": {"coords": {"latitude": 97, "longitude": 0}}}',
         "at `$.location.coords.latitude`"),
        ('{"device_id": "a", "location": {"timestamp": "soon"}}', "$.location.timestamp"),
        ('{"device_id": "a", "location": []}', "length >= 1"),
    ],
)  # fmt: skip
def test_bad_json_bodies(body: str, words: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        report(body)
    assert words in str(caught.value)


def test_bad_utf8_in_a_json_string_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="not valid JSON"):
        parse_request(
            query="",
            body=b'{"device_id": "\xff", "location": {}}',
            content_type="application/json",
            server_time_ms=NOW_MS,
        )


@given(st.text(max_size=200))
def test_arbitrary_query_strings_raise_only_protocol_errors(text: str) -> None:
    try:
        report(text)
    except ProtocolError:
        pass


@given(st.binary(max_size=300), st.sampled_from(["application/json", "", "text/plain"]))
def test_arbitrary_bodies_raise_only_protocol_errors(body: bytes, content_type: str) -> None:
    try:
        parse_request(query="", body=body, content_type=content_type, server_time_ms=NOW_MS)
    except ProtocolError:
        pass


@given(
    st.floats(-90, 90, allow_nan=False),
    st.floats(-180, 180, allow_nan=False),
    st.integers(946_684_800, 2**31 - 2),
    st.floats(0, 300, allow_nan=False),
    st.permutations(range(5)),
)
def test_any_valid_report_decodes_in_any_parameter_order(
    lat: float, lon: float, seconds: int, knots: float, order: list[int]
) -> None:
    params = [("id", "dev"), ("lat", repr(lat)), ("lon", repr(lon)), ("timestamp", str(seconds))]
    params.append(("speed", repr(knots)))
    obs = one(urlencode([params[i] for i in order]))
    assert (obs.lat, obs.lon, obs.time_ms) == (lat, lon, seconds * 1000)
    assert obs.speed_kmh == round(knots * 1.852, 3)
    assert obs.idem == one(urlencode(params)).idem


def test_query_pairs_decode_escapes() -> None:
    assert query_pairs("a=1+2&b=%E4%BD%A0&c") == [("a", "1 2"), ("b", "你"), ("c", "")]
