"""What the vectors become as Observations: positions, cells, alarms, status, time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from assetwatch.model.observation import FixSource, Observation, ObservationKind
from assetwatch.protocols.gt06 import (
    Frame,
    FrameSplitter,
    Status,
    decode_frame,
    decode_hex,
    encode_message,
    message_to_json,
    to_observations,
    wrap_frame,
)
from tests.protocols.gt06.gt06_support import (
    FROZEN_NOW_MS,
    assert_observation_invariants,
    load_vectors,
)

HEX = {v["id"]: v["hex"] for v in load_vectors()}
GMT8 = timezone(timedelta(hours=8))


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def observe(vector: str, **options: Any) -> Observation:
    settings: dict[str, Any] = {"device_key": "868120000000001", "tz": UTC}
    settings |= {"server_time_ms": FROZEN_NOW_MS} | options
    (observation,) = to_observations(decode_hex(HEX[vector]), **settings)
    assert_observation_invariants(observation, settings["server_time_ms"])
    return observation


def test_a_classic_location() -> None:
    o = observe("GT06-109")
    assert (o.protocol, o.device_key, o.kind) == ("gt06", "868120000000001", "position")
    assert o.time_ms == ms("2011-08-29 17:46:16") and o.server_time_ms == FROZEN_NOW_MS
    assert (round(o.lat or 0, 6), round(o.lon or 0, 6)) == (23.111668, 114.409285)
    assert (o.speed_kmh, o.course, o.valid, o.fix_source) == (0.0, 143.0, True, FixSource.GPS)
    assert o.altitude_m is None and o.alarms == ()
    assert o.attributes["satellites"] == 15
    assert o.attributes["cells"] == [
        {"mcc": 460, "mnc": 0, "lac": 10365, "ci": 8120, "signal_dbm": None}
    ]
    assert (
        o.attributes["raw.course_status"] == 0x148F and o.attributes["raw.time"] == "0b081d112e10"
    )


def test_southern_and_western_fixes_are_negative() -> None:
    brazil = observe("GT06-068")
    assert (round(brazil.lat or 0, 6), round(brazil.lon or 0, 6)) == (-19.595684, -46.932547)
    argentina = observe("GT06-067")
    assert (argentina.lat or 0) < 0 and (argentina.lon or 0) < 0


def test_acc_upload_mode_and_buffered_fixes_of_0x22() -> None:
    buffered = observe("GT06-068")  # ACC 1, upload mode 5 (reconnect), re-upload 1
    assert buffered.attributes["ignition"] is True and buffered.batch
    assert buffered.attributes["backfill"] is True and buffered.attributes["raw.upload_mode"] == 5
    live = observe("GT06-111")
    assert live.attributes["ignition"] is True and not live.batch
    odd = observe("GT06-008")  # ACC byte 3: kept raw; course/status bits 14-15 say ACC off
    assert odd.attributes["ignition"] is False and odd.attributes["raw.acc"] == 3
    assert odd.attributes["mileage_km"] == 0.037 and odd.attributes["raw.trailing"]


def test_an_unfixed_report_at_0_0_has_no_position() -> None:
    o = observe("GT06-039")
    assert (o.lat, o.lon, o.valid, o.fix_source) == (None, None, False, FixSource.NONE)
    assert o.attributes["cells"] == [
        {"mcc": 310, "mnc": 260, "lac": 52106, "ci": 48883, "signal_dbm": None}
    ]


def test_alarm_packets_carry_canonical_codes_and_status() -> None:
    o = observe("GT06-027")  # alarm 0x03 vibration, terminal bits 3-5 = 1 (vibration)
    assert o.alarms == ("vibration",) and not o.valid  # not positioned: kept, not valid
    assert o.attributes["raw.alarm"] == 3 and o.attributes["raw.alarm_bits"] == 1
    assert (o.attributes["battery_level"], o.attributes["battery_pct"]) == (6, 100)
    assert o.attributes["gsm_level"] == 4 and o.attributes["charging"] is True
    cut = observe("GT06-091")  # alarm 0x13 tamper, oil cut
    assert cut.alarms == ("tamper",) and cut.attributes["oil_cut"] is True
    fences = observe("GT06-092")  # power-on event, fence 0xFF: no fence number
    assert fences.alarms == () and "geofence_no" not in fences.attributes
    assert fences.attributes["raw.alarm_name"] == "power_on" and "cells" not in fences.attributes


def test_heartbeats_and_status_alarms() -> None:
    beat = observe("GT06-087", server_time_ms=FROZEN_NOW_MS)
    assert (beat.kind, beat.time_ms, beat.lat, beat.valid) == (
        "heartbeat",
        FROZEN_NOW_MS,
        None,
        False,
    )
    assert beat.attributes["battery_pct"] == 67 and beat.attributes["gps_tracking"] is True
    sos = Status(terminal_info=0x20 | 0x02, voltage=3, gsm=2, alarm=0, language=2)
    message = decode_frame(_split(encode_message(0x13, sos, 9)))
    (event,) = to_observations(message, device_key="k", tz=UTC, server_time_ms=FROZEN_NOW_MS)
    assert (event.kind, event.alarms) == (ObservationKind.EVENT, ("sos",))
    assert event.attributes["ignition"] is True


def test_vendor_voltage_bytes_are_classified_not_assumed() -> None:
    percent = observe("GT06-077").attributes  # 11: not a level, a percentage
    assert percent["battery_pct"] == 11 and "battery_level" not in percent
    unknown = observe("GT06-024").attributes  # 128: neither
    assert "battery_pct" not in unknown and unknown["raw.voltage"] == 128
    assert unknown["raw.extra"] == "0642014f0008720000802b" and "gsm_level" not in unknown


def test_an_lbs_only_packet_is_a_position_without_a_fix_but_with_cells() -> None:
    o = observe("GT06-090")
    assert (o.kind, o.lat, o.valid, o.fix_source) == ("position", None, False, FixSource.NONE)
    assert o.time_ms == ms("2016-01-13 02:02:02")
    assert o.attributes["cells"] == [
        {"mcc": 460, "mnc": 0, "lac": 10365, "ci": ci, "signal_dbm": dbm}
        for ci, dbm in ((8049, -48), (8050, -61), (7715, -65), (8000, -86))
    ]


def test_information_and_answers() -> None:
    iccid = observe("GT06-026")
    assert iccid.kind == "event" and iccid.attributes["iccid"] == "8966051912408052452"
    assert observe("GT06-035").attributes["voltage_v"] == 2.37
    assert observe("GT06-029").attributes["driver_id"] == "4277efef"
    assert observe("GT06-025").attributes["iccid"] == "89882390000097302650"
    where = observe("GT06-049")
    assert (where.lat, where.lon, where.valid) == (54.739332, 25.27327, True)
    assert where.time_ms == ms("2017-05-26 10:27:47") and where.course == 126.53
    message = decode_hex(HEX["GT06-056"])  # "Cut off the fuel supply: Success!"
    assert to_observations(message, device_key="k", tz=UTC, server_time_ms=FROZEN_NOW_MS) == []


@pytest.mark.parametrize("vector", ["GT06-085", "GT06-086", "GT06-095", "GT06-096", "GT06-097"])
def test_logins_acks_commands_and_time_requests_are_not_observations(vector: str) -> None:
    message = decode_hex(HEX[vector])
    assert to_observations(message, device_key="k", tz=UTC, server_time_ms=FROZEN_NOW_MS) == []


def test_retransmissions_share_the_idempotency_key() -> None:
    first = decode_hex(HEX["GT06-109"])
    again = decode_frame(_split(wrap_frame(0x12, first.frame.content, serial=first.serial + 7)))
    keys = [
        to_observations(m, device_key="k", tz=UTC, server_time_ms=FROZEN_NOW_MS)[0].idem
        for m in (first, again, decode_hex(HEX["GT06-065"]))
    ]
    assert keys[0] == keys[1] != keys[2]


def test_the_login_zone_applies_to_classic_packets_only() -> None:
    classic = observe("GT06-109", login_zone=GMT8)  # 0x12: local time of the login zone
    assert classic.time_ms == ms("2011-08-29 09:46:16")
    utc_packet = observe("GT06-089", login_zone=GMT8)  # 0x22 is UTC by definition
    assert utc_packet.time_ms == ms("2015-12-29 02:51:05")
    configured = observe("GT06-089", tz=GMT8)  # an operator says this clock runs local
    assert configured.time_ms == ms("2015-12-28 18:51:05")


def test_clone_bcd_time_is_recognised_against_the_server_clock() -> None:
    """GT06-107's source recorded it at 2026-04-14T12:11:32Z: its bytes are BCD."""
    arrival = ms("2026-04-14 12:12:00")
    o = observe("GT06-107", server_time_ms=arrival)
    assert o.time_ms == ms("2026-04-14 12:11:32") and o.attributes["raw.time_encoding"] == "bcd"
    later = observe("GT06-107")  # read much later: the binary reading is plausible
    assert (
        later.time_ms == ms("2026-04-20 18:17:50") and "raw.time_encoding" not in later.attributes
    )
    forced = observe("GT06-105", time_encoding="bcd")
    assert forced.time_ms == ms("2026-04-14 12:12:31")
    assert observe("GT06-109", server_time_ms=arrival, time_encoding="binary").time_ms == ms(
        "2011-08-29 17:46:16"
    )


def test_an_invalid_device_time_falls_back_to_server_time() -> None:
    content = bytearray(decode_hex(HEX["GT06-109"]).frame.content)
    content[1] = 13  # month 13
    message = decode_frame(_split(wrap_frame(0x12, bytes(content), 1)))
    (o,) = to_observations(message, device_key="k", tz=UTC, server_time_ms=FROZEN_NOW_MS)
    assert o.time_ms == FROZEN_NOW_MS and o.attributes["raw.time_invalid"] is True
    assert message_to_json(message, tz=UTC)["positions"][0]["time"] is None


def test_json_view_keeps_the_jt808_contract() -> None:
    login = message_to_json(decode_hex(HEX["GT06-085"]), tz=UTC)
    assert login["device_id"] == "752533678900242" and login["positions"] == []
    assert login["body"]["tz_offset"] == "+8:00" and login["version"] == "7878"
    fix = message_to_json(decode_hex(HEX["GT06-103"]), tz=UTC)
    assert set(fix) == {
        "protocol", "message_id", "version", "device_id", "serial", "checksum_ok",
        "positions", "body",
    }  # fmt: skip
    assert (fix["protocol"], fix["message_id"], fix["device_id"]) == ("gt06", "0x12", None)
    (position,) = fix["positions"]
    assert position["time"] == "2019-05-29T13:37:06Z" and position["speed_kmh"] == 132.0
    assert set(position) == {
        "time", "lat", "lon", "altitude_m", "speed_kmh", "course", "valid", "alarms", "attributes",
    }  # fmt: skip
    info = message_to_json(decode_hex(HEX["GT06-033"]), tz=UTC)
    assert info["version"] == "7979" and info["positions"] == []


def _split(frame: bytes) -> Frame:
    (split,) = FrameSplitter().feed(frame)
    return split
