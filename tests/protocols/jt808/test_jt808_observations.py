"""Observation mapping and the CLI JSON view."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from assetwatch.model.observation import FixSource, Observation, ObservationKind
from assetwatch.protocols.jt808 import (
    BatchUpload,
    build_location,
    decode_frame,
    decode_hex,
    encode_frame,
    encode_location,
    location_idem,
    message_to_json,
    to_observations,
    unescape,
)
from assetwatch.protocols.jt808.observations import local_to_epoch_ms
from tests.protocols.jt808.jt808_support import GMT8, load_vectors

HEX = {v["id"]: v["hex"] for v in load_vectors() if "hex" in v}
SERVER_MS = 1_790_000_000_000


def _observations(vector_id: str, tz: tzinfo = GMT8) -> list[Observation]:
    message = decode_hex(HEX[vector_id])
    return to_observations(message, device_key="dev", tz=tz, server_time_ms=SERVER_MS)


def test_location_observation_sc000() -> None:
    (observation,) = _observations("JT-SC-000")
    assert observation.kind is ObservationKind.POSITION
    assert (
        observation.time_ms == int(datetime(2018, 10, 15, 2, 10, 10, tzinfo=UTC).timestamp()) * 1000
    )
    assert (observation.lat, observation.lon) == (12.222222, 132.444444)
    assert (observation.altitude_m, observation.speed_kmh, observation.course) == (40, 6.0, 0)
    assert observation.valid and observation.fix_source is FixSource.GPS
    assert observation.alarms == ("sos",)
    assert observation.server_time_ms == SERVER_MS
    assert not observation.batch
    attributes = observation.attributes
    assert attributes["mileage_km"] == 10.0 and attributes["fuel_l"] == 12.5
    assert attributes["ignition"] is False and attributes["positioned"] is True
    assert attributes["raw.alarm_flags"] == 1 and attributes["raw.status"] == 2


def test_time_zone_is_the_devices() -> None:
    (in_gmt8,) = _observations("JT-SC-000")
    (in_utc,) = _observations("JT-SC-000", UTC)
    (in_shanghai,) = _observations("JT-SC-000", ZoneInfo("Asia/Shanghai"))
    assert in_utc.time_ms - in_gmt8.time_ms == 8 * 3600 * 1000
    assert in_shanghai.time_ms == in_gmt8.time_ms
    summer = datetime(2024, 7, 1, 12, 0, 0)
    berlin = ZoneInfo("Europe/Berlin")
    assert local_to_epoch_ms(summer, berlin) == summer.replace(tzinfo=berlin).timestamp() * 1000


def test_idem_is_stable_across_retransmissions() -> None:
    report = build_location(lat=-33.9, lon=18.4, time_local=datetime(2024, 1, 2, 3, 4, 5))
    body = encode_location(report)
    first = decode_frame(unescape(encode_frame(0x0200, "1", 10, body)[1:-1]))
    again = decode_frame(unescape(encode_frame(0x0200, "1", 11, body)[1:-1]))
    keys = [
        to_observations(m, device_key="d", tz=GMT8, server_time_ms=t)[0].idem
        for m, t in ((first, 1), (again, 2))
    ]
    assert keys[0] == keys[1] == location_idem(body)
    assert 0 <= keys[0] < 2**63
    other = build_location(lat=-33.9, lon=18.4, time_local=datetime(2024, 1, 2, 3, 4, 6))
    assert location_idem(encode_location(other)) != keys[0]


def test_batch_backfill_items() -> None:
    observations = _observations("JT-TRC-L298")
    assert len(observations) == 8
    assert all(o.batch and o.attributes["backfill"] is True for o in observations)
    assert all(o.attributes["raw.batch_type"] == 1 for o in observations)
    assert len({o.idem for o in observations}) == 8
    normal = _observations("JT-SC-008")
    assert [o.attributes["backfill"] for o in normal] == [False, False]


def test_batch_item_idem_matches_the_same_report_sent_alone() -> None:
    batch = decode_hex(HEX["JT-SC-008"])
    assert isinstance(batch.body, BatchUpload)
    item_body = batch.body.raw_items[0]
    alone = decode_frame(unescape(encode_frame(0x0200, "1", 1, item_body)[1:-1]))
    single = to_observations(alone, device_key="d", tz=GMT8, server_time_ms=0)[0]
    assert single.idem == _observations("JT-SC-008")[0].idem


def test_out_of_range_coordinates_are_not_a_position() -> None:
    (observation,) = _observations("JT-GO-062")  # latitude 116.3: swapped by the test author
    assert observation.lat is None and observation.lon is None and not observation.valid
    assert observation.attributes["raw.lat"] == 116.307629
    assert observation.fix_source is FixSource.NONE


def test_southern_and_western_hemispheres() -> None:
    (observation,) = _observations("JT-TRC-L126")
    assert (observation.lat, observation.lon) == (-23.462563, -46.555896)
    assert observation.attributes["south"] is True and observation.attributes["west"] is True


def test_extras_attributes_raw_repeats_and_trailers() -> None:
    (sc004,) = _observations("JT-SC-004")
    attributes = sc004.attributes
    # 0x2B with 8 bytes: its four WORDs in wire order (lossless), no AD0/AD1 claim
    assert attributes["analog_words"] == [0x12A8, 0x03DC, 0x0001, 0x0000]
    assert "ad0" not in attributes and "raw.0x2b" not in attributes
    assert attributes["raw.0x61"] == attributes["raw.0x61_2"] == "055f"
    assert attributes["signal"] == 128 and attributes["satellites"] == 9
    (l252,) = _observations("JT-TRC-L252")
    assert l252.attributes["raw.trailer"] == "00780000000018000000"
    (sc005,) = _observations("JT-SC-005")
    assert sc005.attributes["overspeed_area_id"] == 1 and sc005.attributes["inout_direction"] == 1
    assert (sc005.attributes["ad0"], sc005.attributes["ad1"]) == (242, 0)


def test_status_attributes_follow_the_version() -> None:
    (v2013,) = _observations("JT-TRC-L065")
    assert v2013.attributes["gnss_gps"] is True and "moving" not in v2013.attributes
    (v2019,) = _observations("JT-YZ-066")
    assert v2019.attributes["moving"] is False and v2019.attributes["circuit_cut"] is True


def test_non_location_messages_have_no_observations() -> None:
    for vector_id in ("JT-SC-016", "JT-SC-011", "JT-GO-043", "JT-SC-020", "JT-TRC-L187"):
        assert _observations(vector_id) == []


def test_location_replies_are_positions() -> None:
    (observation,) = _observations("JT-SC-009")  # 0x0201 position query reply
    assert observation.lat == 12.222222
    assert observation.idem == location_idem(decode_hex(HEX["JT-SC-009"]).raw_body[2:])


def test_json_shape_for_a_location() -> None:
    document = message_to_json(decode_hex(HEX["JT-SC-000"]), tz=GMT8)
    assert list(document) == [
        "protocol", "message_id", "version", "device_id", "serial", "checksum_ok",
        "positions", "body",
    ]  # fmt: skip
    assert document["protocol"] == "jt808"
    assert document["message_id"] == "0x0200"
    assert (document["version"], document["device_id"], document["serial"]) == (
        "2013",
        "123456789012",
        126,
    )
    (position,) = document["positions"]
    assert list(position) == [
        "time", "lat", "lon", "altitude_m", "speed_kmh", "course", "valid", "alarms",
        "attributes",
    ]  # fmt: skip
    assert position["time"] == "2018-10-15T02:10:10Z"
    assert (position["lat"], position["lon"], position["alarms"]) == (
        12.222222,
        132.444444,
        ["sos"],
    )
    body = document["body"]
    assert body["alarm_names"] == ["sos"] and body["time_local"] == "2018-10-15 10:10:10"
    assert body["extras"][1] == {"id": "0x02", "len": 2, "hex": "007d", "fuel_l": 12.5}


def test_json_for_other_messages() -> None:
    batch = message_to_json(decode_hex(HEX["JT-YZ-073"]), tz=GMT8)
    assert (batch["version"], len(batch["positions"]), batch["body"]["batch_type"]) == (
        "2019",
        3,
        1,
    )
    reply = message_to_json(decode_hex(HEX["JT-SC-020"]), tz=GMT8)
    assert reply["positions"] == []
    assert reply["body"] == {"reply_serial": 100, "reply_msg_id": "0x0200", "result": 0}
    registration = message_to_json(decode_hex(HEX["JT-GO-044"]), tz=GMT8)
    assert registration["version"] == "2011"
    assert registration["body"]["plate"] == "测A1234"
    raw = message_to_json(decode_hex(HEX["JT-TRC-L041"]), tz=GMT8)  # 0x0702: not decoded
    assert raw["body"]["hex"].startswith("0125100915")
    assert raw["body"]["reason"] == "message id not decoded by this codec"
    waybill = message_to_json(decode_hex(HEX["JT-TRC-L081"]), tz=GMT8)
    assert waybill["body"]["text"] == "MD,SET CONFIG OK!"
