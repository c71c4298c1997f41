"""Every acceptance vector frame: header, checksum and the hand-decoded body values."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from assetwatch.model.alarms import AlarmCode
from assetwatch.protocols.jt808 import (
    Authentication,
    BatchUpload,
    Heartbeat,
    LocationReply,
    LocationReport,
    Logout,
    PlatformResponse,
    Registration,
    RegistrationReply,
    TerminalResponse,
    alarm_codes,
    alarm_names,
    decode_hex,
    decode_lines,
    describe_extras,
    message_to_json,
    status_attributes,
    to_observations,
)
from assetwatch.protocols.jt808.observations import local_to_epoch_ms
from assetwatch.protocols.jt808.registration import parse_authentication
from tests.protocols.jt808.jt808_support import FROZEN_NOW_MS, GMT8, load_vectors

VECTORS = load_vectors()
FRAMES = [v for v in VECTORS if "hex" in v]


def _select(*message_ids: str) -> list[Any]:
    return [pytest.param(v, id=v["id"]) for v in FRAMES if v["message_id"] in message_ids]


VECTOR_ALARM_CODES = {
    "sos": AlarmCode.SOS,
    "overspeed": AlarmCode.OVERSPEED,
    "fatigue_driving": AlarmCode.FATIGUE,
    "danger_warning": AlarmCode.DANGER_WARNING,
    "gnss_module_fault": AlarmCode.GNSS_FAULT,
    "gnss_antenna_short": AlarmCode.GNSS_ANTENNA_SHORT,
    "main_power_off": AlarmCode.POWER_CUT,
    "lcd_fault": AlarmCode.DISPLAY_FAULT,
    "tts_fault": AlarmCode.TTS_FAULT,
    "camera_fault": AlarmCode.CAMERA_FAULT,
    "ic_card_module_fault": AlarmCode.IC_CARD_FAULT,
    "overspeed_warning": AlarmCode.OVERSPEED_WARNING,
    "reserved_bit17": None,
}
"""Vector alarm names -> canonical codes, written out independently of the codec's table."""


def test_vector_counts() -> None:
    assert len(VECTORS) == 129  # every vector of ../shared/protocols/jt808_vectors.json
    assert len({v["id"] for v in VECTORS}) == 129
    assert len([v for v in VECTORS if v["in_scope"]]) == 95  # the foundation issue's subset
    assert len(FRAMES) == 125
    assert all("body" in v for v in VECTORS)


@pytest.mark.parametrize("vector", [pytest.param(v, id=v["id"]) for v in FRAMES])
def test_header_and_checksum(vector: dict[str, Any]) -> None:
    message = decode_hex(vector["hex"])
    header, expected = message.header, vector["header"]
    assert f"0x{header.msg_id:04x}" == expected["msg_id"]
    assert header.body_len == expected["body_len"] == len(message.raw_body)
    assert header.phone == expected["phone_bcd"]
    assert header.serial == expected["serial"]
    assert (header.version == "2019") == (expected["header_layout"] == "2019")
    assert header.protocol_version == expected.get("protocol_version")
    assert bool(header.props & 0x4000) == expected["version_flag"]
    assert header.version_flag_mismatch == expected["layout_anomaly"]
    assert header.encrypted == bool(expected["encryption"])
    assert (header.packet_total, header.packet_index) == (
        expected.get("pkg_total"),
        expected.get("pkg_index"),
    )
    assert message.checksum_ok is vector["checksum_ok"]


@pytest.mark.parametrize("vector", [pytest.param(v, id=v["id"]) for v in FRAMES])
def test_downstream_never_crashes(
    vector: dict[str, Any], check_observation: Callable[..., None]
) -> None:
    message = decode_hex(vector["hex"])
    for observation in to_observations(
        message, device_key=message.header.phone, tz=GMT8, server_time_ms=FROZEN_NOW_MS
    ):
        check_observation(observation)
    document = message_to_json(message, tz=GMT8)
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document


def _utc_ms(iso_utc: str) -> int:
    moment = datetime.strptime(iso_utc, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1000


def assert_location(report: LocationReport, expected: dict[str, Any], version: str) -> None:
    assert report.alarm_flags == expected["alarm_raw"]
    assert report.status == expected["status_raw"]
    assert report.lat == pytest.approx(expected["latitude"], abs=1e-9)
    assert report.lon == pytest.approx(expected["longitude"], abs=1e-9)
    assert report.altitude_m == expected["altitude_m"]
    assert report.speed_kmh == pytest.approx(expected["speed_kmh"])
    assert report.course == expected["course"]
    local = datetime.strptime(expected["time"]["local_gmt8"], "%Y-%m-%d %H:%M:%S")
    assert report.time_local == local
    assert report.time_local is not None
    assert local_to_epoch_ms(report.time_local, GMT8) == _utc_ms(expected["time"]["utc"])
    assert list(alarm_names(report.alarm_flags, version)) == expected["alarm_names"]
    codes = [VECTOR_ALARM_CODES[name] for name in expected["alarm_names"]]
    assert list(alarm_codes(report.alarm_flags, version)) == [c for c in codes if c is not None]
    _assert_status(status_attributes(report.status, version), expected)
    _assert_extras(report, expected["extras"])


def _assert_status(status: dict[str, bool | int], expected: dict[str, Any]) -> None:
    assert status["ignition"] is expected["acc_on"]
    for name in (
        "positioned", "south", "west", "out_of_service", "latlon_encrypted",
        "oil_cut", "circuit_cut", "door_locked", "load_state",
    ):  # fmt: skip
        assert status[name] == expected[name], name
    gnss = {system: status[f"gnss_{system}"] for system in expected["gnss_used"]}
    assert gnss == expected["gnss_used"]


def _assert_extras(report: LocationReport, expected: list[dict[str, Any]]) -> None:
    complete = [item for item in expected if "error" not in item]
    decoded = describe_extras(report.extras)
    assert len(decoded) == len(complete)
    for got, want in zip(decoded, complete, strict=True):
        assert {key: got.get(key) for key in want} == want
    if len(complete) < len(expected):  # a truncated item: kept raw as the trailer
        broken = expected[-1]
        assert report.trailer[:2] == bytes((int(broken["id"], 16), broken["len"]))
        assert report.trailer[2:].hex() == broken["hex"]
    else:
        assert report.trailer == b""


@pytest.mark.parametrize("vector", _select("0x0200"))
def test_location(vector: dict[str, Any]) -> None:
    message = decode_hex(vector["hex"])
    assert isinstance(message.body, LocationReport)
    assert_location(message.body, vector["body"], message.header.version)


@pytest.mark.parametrize("vector", _select("0x0201", "0x0500"))
def test_location_reply(vector: dict[str, Any]) -> None:
    message = decode_hex(vector["hex"])
    assert isinstance(message.body, LocationReply)
    assert message.body.reply_serial == vector["body"]["reply_serial"]
    assert_location(message.body.location, vector["body"]["location"], message.header.version)


@pytest.mark.parametrize("vector", _select("0x0704"))
def test_batch(vector: dict[str, Any]) -> None:
    message = decode_hex(vector["hex"])
    body, expected = message.body, vector["body"]
    assert isinstance(body, BatchUpload)
    assert (body.count, body.batch_type) == (expected["count"], expected["type"])
    assert len(body.items) == len(expected["items"]) == expected["count"]
    for report, raw, item in zip(body.items, body.raw_items, expected["items"], strict=True):
        assert len(raw) == item["len"]
        assert_location(report, item["location"], message.header.version)


@pytest.mark.parametrize("vector", _select("0x0100"))
def test_registration(vector: dict[str, Any]) -> None:
    message = decode_hex(vector["hex"])
    assert isinstance(message.body, Registration)
    expected = vector["body"]
    # The spec says to strip NUL/space padding on both ends; the hand decoder sometimes kept it.
    normalised: dict[str, Any] = {
        k: v.strip("\x00 ") if isinstance(v, str) else v for k, v in expected.items()
    }
    assert message.header.version == expected["layout"]
    assert Registration(**normalised) == message.body


@pytest.mark.parametrize("vector", _select("0x0102"))
def test_authentication(vector: dict[str, Any]) -> None:
    message = decode_hex(vector["hex"])
    expected = vector["body"]
    assert message.body == Authentication(
        expected["auth_code"], expected.get("imei", ""), expected.get("software_version", "")
    )


def test_authentication_2019_body_only() -> None:
    (vector,) = [v for v in VECTORS if v["id"] == "JT-SC-037"]
    body = parse_authentication(bytes.fromhex(vector["body_hex"]), "2019")
    assert body == Authentication("45612", "1234567890abcde", "v2.0.0")
    assert body == Authentication(
        vector["body"]["auth_code"], vector["body"]["imei"], vector["body"]["software_version"]
    )


@pytest.mark.parametrize("vector", _select("0x8100"))
def test_registration_reply(vector: dict[str, Any]) -> None:
    expected = vector["body"]
    assert decode_hex(vector["hex"]).body == RegistrationReply(
        expected["reply_serial"], expected["result"], expected.get("auth_code", "")
    )


@pytest.mark.parametrize("vector", _select("0x0001", "0x8001"))
def test_general_response(vector: dict[str, Any]) -> None:
    message = decode_hex(vector["hex"])
    expected = vector["body"]
    kind = TerminalResponse if vector["message_id"] == "0x0001" else PlatformResponse
    reply_msg_id = int(expected["reply_msg_id"], 16)
    assert message.body == kind(expected["reply_serial"], reply_msg_id, expected["result"])


@pytest.mark.parametrize("vector", _select("0x0002", "0x0003"))
def test_empty_bodies(vector: dict[str, Any]) -> None:
    message = decode_hex(vector["hex"])
    assert vector["body"]["empty_body"] is True
    assert message.raw_body == b""
    assert message.body == (Heartbeat() if vector["message_id"] == "0x0002" else Logout())


@pytest.mark.parametrize("vector", _select("0x0200", "0x0704"))
def test_observations(vector: dict[str, Any], check_observation: Callable[..., None]) -> None:
    message = decode_hex(vector["hex"])
    observations = to_observations(
        message, device_key="dev-1", tz=GMT8, server_time_ms=FROZEN_NOW_MS
    )
    body = vector["body"]
    expected = [item["location"] for item in body["items"]] if "items" in body else [body]
    assert len(observations) == len(expected)
    for observation, want in zip(observations, expected, strict=True):
        check_observation(observation)
        assert observation.time_ms == _utc_ms(want["time"]["utc"])
        assert observation.batch is ("items" in body)
        codes = [VECTOR_ALARM_CODES[name] for name in want["alarm_names"]]
        assert list(observation.alarms) == [c for c in codes if c is not None]
        assert observation.attributes["ignition"] is want["acc_on"]
        assert observation.attributes["raw.alarm_flags"] == want["alarm_raw"]
        assert observation.attributes["raw.status"] == want["status_raw"]
        in_range = abs(want["latitude"]) <= 90 and abs(want["longitude"]) <= 180
        assert observation.valid is (want["positioned"] and in_range)
        if in_range:
            assert observation.lat == pytest.approx(want["latitude"], abs=1e-9)
            assert observation.lon == pytest.approx(want["longitude"], abs=1e-9)
        for extra in want["extras"]:
            if "mileage_km" in extra:
                assert observation.attributes["mileage_km"] == extra["mileage_km"]
            if "rssi" in extra:
                assert observation.attributes["signal"] == extra["rssi"]
            if "satellites" in extra:
                assert observation.attributes["satellites"] == extra["satellites"]


@pytest.mark.parametrize("vector", _select("0x0200", "0x0704"))
def test_json_positions(vector: dict[str, Any]) -> None:
    document = message_to_json(decode_hex(vector["hex"]), tz=GMT8)
    body = vector["body"]
    expected = [item["location"] for item in body["items"]] if "items" in body else [body]
    assert [p["time"] for p in document["positions"]] == [e["time"]["utc"] for e in expected]
    assert document["message_id"] == vector["message_id"]
    assert document["device_id"] == vector["header"]["phone_bcd"]


@pytest.mark.parametrize("vector", _select("0x0201", "0x0500"))
def test_location_reply_observations(
    vector: dict[str, Any], check_observation: Callable[..., None]
) -> None:
    message = decode_hex(vector["hex"])
    (observation,) = to_observations(
        message, device_key="dev-1", tz=GMT8, server_time_ms=FROZEN_NOW_MS
    )
    check_observation(observation)
    want = vector["body"]["location"]
    assert observation.time_ms == _utc_ms(want["time"]["utc"])
    assert observation.valid is want["positioned"]
    assert observation.lat == pytest.approx(want["latitude"], abs=1e-9)
    assert observation.lon == pytest.approx(want["longitude"], abs=1e-9)
    assert observation.attributes["oil_cut"] is want["oil_cut"]
    assert observation.attributes["door_locked"] is want["door_locked"]


def _positions(vector: dict[str, Any]) -> list[dict[str, Any]]:
    body = vector["body"]
    if vector["message_id"] == "0x0200":
        return [body]
    if vector["message_id"] in ("0x0201", "0x0500"):
        return [body["location"]]
    if vector["message_id"] == "0x0704":
        return [item["location"] for item in body["items"]]
    return []


def test_decode_output_of_every_frame() -> None:
    """What ``assetwatch decode`` prints for each of the 125 frames, in order."""
    results = list(decode_lines([v["hex"] for v in FRAMES], GMT8))
    assert len(results) == len(FRAMES)
    for vector, (document, ok) in zip(FRAMES, results, strict=True):
        where = vector["id"]
        assert ok, where
        assert document["message_id"] == vector["message_id"], where
        assert document["device_id"] == vector["header"]["phone_bcd"], where
        assert document["serial"] == vector["header"]["serial"], where
        assert document["checksum_ok"] is vector["checksum_ok"], where
        expected = _positions(vector)
        assert len(document["positions"]) == len(expected), where
        for got, want in zip(document["positions"], expected, strict=True):
            assert got["speed_kmh"] == want["speed_kmh"], where
            if abs(want["latitude"]) <= 90 and abs(want["longitude"]) <= 180:
                assert got["lat"] == pytest.approx(want["latitude"], abs=1e-9), where
            utc = (want.get("time") or {}).get("utc")
            if utc and utc >= "2000":
                assert got["time"] == utc, where
