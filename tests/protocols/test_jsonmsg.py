"""The JSON message schema v1: every message type, every kind of bad input, properties."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetwatch.model.observation import FixSource, ObservationKind
from assetwatch.protocols import jsonmsg
from assetwatch.protocols.jsonmsg import InvalidMessage
from tests.protocols.ingest_support import NOW_MS, assert_observation_invariants

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "schema" / "assetwatch-v1.schema.json"
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
NAIVE = "2026-01-01T01:00:00"


def observations(payload: Any, kind: str | None = None) -> list[Any]:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    message = jsonmsg.decode(text, kind)
    result = jsonmsg.to_observations(
        message, device_key="dev-1", protocol="mqtt", server_time_ms=NOW_MS
    )
    for observation in result:
        assert_observation_invariants(observation, "mqtt")
    return result


def error(payload: Any, kind: str | None = None) -> InvalidMessage:
    text = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    with pytest.raises(InvalidMessage) as caught:
        jsonmsg.decode(text, kind)
    return caught.value


def test_a_position_maps_onto_the_observation_fields() -> None:
    [obs] = observations(
        {
            "lat": 22.5431,
            "lon": 114.0579,
            "time": "2026-01-01T08:00:00+08:00",
            "msg_id": "p-1",
            "speed_kmh": 32.5,
            "course": 360,
            "altitude_m": 12.0,
            "accuracy_m": 4.0,
            "satellites": 9,
            "battery_pct": 80,
            "ignition": True,
            "attributes": {"vendor_status": "0x1f"},
        },
        "position",
    )
    assert obs.kind is ObservationKind.POSITION
    assert (obs.lat, obs.lon, obs.time_ms, obs.speed_kmh) == (22.5431, 114.0579, T0, 32.5)
    assert obs.course == 0.0  # 360 is north
    assert obs.has_position and obs.fix_source is FixSource.GPS and not obs.batch
    assert obs.attributes == {
        "satellites": 9,
        "battery_pct": 80.0,
        "ignition": True,
        "raw.vendor_status": "0x1f",
    }


def test_times_are_epoch_ms_or_iso_with_an_offset_and_default_to_receive_time() -> None:
    [iso] = observations({"type": "position", "lat": 1, "lon": 2, "time": "2026-01-01T00:00:00Z"})
    [epoch] = observations({"type": "position", "lat": 1, "lon": 2, "time": T0})
    [none] = observations({"type": "position", "lat": 1, "lon": 2})
    assert iso.time_ms == epoch.time_ms == T0
    assert none.time_ms == NOW_MS


def test_a_cell_only_position_keeps_its_cells_for_the_processor() -> None:
    [obs] = observations(
        {"cells": [{"mcc": 460, "mnc": 0, "lac": 9520, "ci": 3671, "signal_dbm": -71}]},
        "position",
    )
    assert obs.lat is None and not obs.valid
    assert obs.attributes["cells"] == [
        {"mcc": 460, "mnc": 0, "lac": 9520, "ci": 3671, "signal_dbm": -71}
    ]


def test_a_reading_carries_named_values_with_units() -> None:
    [obs] = observations(
        {
            "type": "reading",
            "time": T0,
            "sensor": "probe-2",
            "temperature_c": -18.5,
            "humidity_pct": 40,
            "door_open": False,
            "fuel_level_pct": 55.5,
            "weight_kg": 1200,
            "values": {"pressure": {"value": 2.4, "unit": "bar"}},
        }
    )
    assert obs.kind is ObservationKind.READING and not obs.has_position
    assert obs.fix_source is FixSource.NONE
    assert obs.attributes == {
        "temperature_c": -18.5,
        "humidity_pct": 40.0,
        "door_open": False,
        "fuel_level_pct": 55.5,
        "weight_kg": 1200.0,
        "sensor": "probe-2",
        "values": {"pressure": {"value": 2.4, "unit": "bar"}},
    }


def test_an_event_carries_canonical_alarms_and_a_name() -> None:
    [obs] = observations(
        {"alarms": ["tamper", "power_cut", "tamper"], "event": "case_opened", "lat": 1, "lon": 2},
        "event",
    )
    assert obs.kind is ObservationKind.EVENT
    assert obs.alarms == ("tamper", "power_cut")
    assert obs.attributes == {"event": "case_opened"}
    assert obs.has_position


def test_a_batch_is_a_backfill_in_order() -> None:
    items = [
        {"type": "position", "lat": 1, "lon": 2, "time": T0},
        {"type": "reading", "temperature_c": 4, "time": T0 + 1000},
        {"type": "event", "alarms": ["removal"], "time": T0 + 2000},
    ]
    result = observations({"type": "batch", "items": items})
    assert [o.kind for o in result] == [
        ObservationKind.POSITION,
        ObservationKind.READING,
        ObservationKind.EVENT,
    ]
    assert all(o.batch for o in result)
    assert [o.time_ms for o in result] == [T0, T0 + 1000, T0 + 2000]


def test_msg_id_is_the_idempotency_key_and_content_is_the_fallback() -> None:
    first = observations({"lat": 1, "lon": 2, "msg_id": "abc", "time": T0}, "position")[0]
    resent = observations({"lon": 2, "lat": 1, "time": T0, "msg_id": "abc"}, "position")[0]
    other = observations({"lat": 1, "lon": 2, "msg_id": "abd", "time": T0}, "position")[0]
    assert first.idem == resent.idem != other.idem
    position = observations({"lat": 1, "lon": 2, "time": T0}, "position")[0]
    reading = observations({"temperature_c": 1, "time": T0}, "reading")[0]
    assert position.idem != reading.idem  # same time, different content: both are stored


def test_an_id_without_a_time_marks_the_report_untimed() -> None:
    """Its time is the receive time, so a copy is recognised by its id alone."""
    untimed = observations({"temperature_c": 1, "msg_id": "r1"}, "reading")[0]
    timed = observations({"temperature_c": 1, "msg_id": "r1", "time": T0}, "reading")[0]
    anonymous = observations({"temperature_c": 1}, "reading")[0]  # two such may be two events
    assert (untimed.untimed, timed.untimed, anonymous.untimed) == (True, False, False)
    assert untimed.idem == timed.idem and untimed.time_ms == NOW_MS


def test_an_idempotency_key_stands_for_missing_msg_ids() -> None:
    def keyed(payload: dict[str, Any], kind: str, key: str | None) -> list[Any]:
        message = jsonmsg.decode(json.dumps(payload), kind)
        return jsonmsg.to_observations(
            message, device_key="d", protocol="http", server_time_ms=NOW_MS, idempotency_key=key
        )

    single = keyed({"temperature_c": 1}, "reading", "k-1")[0]
    assert single.untimed and single.idem == keyed({"temperature_c": 2}, "reading", "k-1")[0].idem
    own = keyed({"temperature_c": 1, "msg_id": "mine"}, "reading", "k-1")[0]
    assert own.idem == keyed({"temperature_c": 1, "msg_id": "mine"}, "reading", None)[0].idem
    items = [
        {"type": "reading", "temperature_c": 1, "time": T0},
        {"type": "reading", "temperature_c": 1, "time": T0, "msg_id": "m"},
    ]
    first, second = keyed({"items": items}, "batch", "k-2")
    again = keyed({"items": items}, "batch", "k-2")
    assert [first.idem, second.idem] == [o.idem for o in again]
    assert first.idem != keyed({"items": items}, "batch", "k-3")[0].idem  # "k-2#0" vs "k-3#0"
    assert second.idem == keyed({"items": items}, "batch", None)[1].idem  # its own msg_id


@pytest.mark.parametrize(
    ("payload", "kind", "reason", "path", "words"),
    [
        ("{", "position", "json", None, "not valid JSON"),
        (b'{"lat": 1, "lon": 2, "msg_id": "\xff"}', "position", "json", None, "utf-8"),
        ("[1, 2]", "position", "schema", None, "Expected `object`"),
        ({"lat": 91, "lon": 0}, "position", "schema", "$.lat", "<= 90"),
        ({"lat": 1, "lon": 2, "speed_kmh": -1}, "position", "schema", "$.speed_kmh", ">= 0"),
        ({"lat": 1}, "position", "schema", None, "lat and lon go together"),
        ({}, "position", "schema", None, "needs lat and lon, or cells"),
        ({"lat": 1, "lon": 2, "latt": 3}, "position", "schema", None, "unknown field `latt`"),
        ({"lat": 1, "lon": 2, "time": 1767225600}, "position", "schema", "$.time", ">= 9466848"),
        ({"lat": 1, "lon": 2, "time": NAIVE}, "position", "schema", "$.time", "timezone"),
        ({"lat": 1, "lon": 2, "time": "1999-12-31T23:59:59Z"}, "position", "schema", None, "2000"),
        ({"lat": 1, "lon": 2, "battery_pct": 101}, "position", "schema", "$.battery_pct", "<= 100"),
        ({"lat": "1", "lon": 2}, "position", "schema", "$.lat", "Expected `float | null`"),
        ({"type": "reading", "lat": 1, "lon": 2}, "position", "schema", "$.type", "'reading'"),
        ({"sensor": "x"}, "reading", "schema", None, "at least one value"),
        ({"values": {"p": {"value": 1, "units": "x"}}}, "reading", "schema", "$.values[...]", "un"),
        ({"values": {"bad name": {"value": 1}}}, "reading", "schema", "$.values", "regex"),
        ({}, "event", "schema", None, "alarms or an event name"),
        ({"alarms": ["tampr"]}, "event", "schema", "$.alarms[0]", "'tampr'"),
        ({"alarms": ["geofence_exit"]}, "event", "schema", None, "derived by the platform"),
        ({"items": []}, "batch", "schema", "$.items", "length >= 1"),
        ({"items": [{"lat": 1, "lon": 2, "time": T0}]}, "batch", "schema", "$.items[0]", "`type`"),
        ({"items": [{"type": "position", "lat": 1, "lon": 2}]}, "batch", "schema", None, "no time"),
        (
            {"items": [{"type": "event", "time": T0, "alarms": ["x"]}]},
            "batch", "schema", "$.items[0].alarms[0]", "Invalid enum value",
        ),
        ({"type": "nonsense"}, None, "schema", "$.type", "'nonsense'"),
        ({"lat": 1, "lon": 2}, None, "schema", None, "`type`"),
        ({}, "location", "kind", None, "unknown message kind"),
    ],
)  # fmt: skip
def test_bad_messages_say_what_and_where(
    payload: Any, kind: str | None, reason: str, path: str | None, words: str
) -> None:
    err = error(payload, kind)
    assert (err.reason, err.path) == (reason, path), str(err)
    assert words in str(err)


def test_the_shipped_json_schema_is_the_generated_one() -> None:
    assert json.loads(SCHEMA_FILE.read_text("utf-8")) == jsonmsg.json_schema()


latitudes = st.floats(-90, 90, allow_nan=False)
longitudes = st.floats(-180, 180, allow_nan=False)
times = st.integers(jsonmsg.MIN_TIME_MS, 4_102_444_800_000)


@given(
    latitudes, longitudes, times, st.none() | st.floats(0, 500), st.none() | st.text(max_size=20)
)
def test_any_valid_position_round_trips(
    lat: float, lon: float, time_ms: int, speed: float | None, msg_id: str | None
) -> None:
    message = jsonmsg.Position(
        lat=lat, lon=lon, time=time_ms, speed_kmh=speed, msg_id=msg_id or None
    )
    decoded = jsonmsg.decode(msgspec.json.encode(message))
    assert decoded == message
    [obs] = jsonmsg.to_observations(decoded, device_key="d", protocol="http", server_time_ms=0)
    assert (obs.lat, obs.lon, obs.time_ms, obs.speed_kmh) == (lat, lon, time_ms, speed)
    assert_observation_invariants(obs, "http")


@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_invalid_message(data: bytes) -> None:
    for kind in (None, *jsonmsg.KINDS):
        try:
            message = jsonmsg.decode(data, kind)
        except InvalidMessage:
            continue
        jsonmsg.to_observations(message, device_key="d", protocol="mqtt", server_time_ms=NOW_MS)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(
    st.dictionaries(
        st.sampled_from(
            ["lat", "lon", "time", "alarms", "items", "type", "cells", "values", "msg_id"]
        ),
        json_values,
    )
)
def test_arbitrary_json_objects_raise_only_invalid_message(obj: dict[str, Any]) -> None:
    data = json.dumps(obj).encode()
    for kind in (None, *jsonmsg.KINDS):
        try:
            message = jsonmsg.decode(data, kind)
        except InvalidMessage:
            continue
        for obs in jsonmsg.to_observations(
            message, device_key="d", protocol="mqtt", server_time_ms=NOW_MS
        ):
            assert_observation_invariants(obs, "mqtt")
