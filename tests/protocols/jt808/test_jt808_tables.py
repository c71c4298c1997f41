"""The alarm, status and extras tables, and the curated public surface."""

from __future__ import annotations

import typing

import assetwatch.protocols.jt808 as jt808
from assetwatch.model.alarms import AlarmCode
from assetwatch.protocols.jt808 import (
    ALARM_BITS,
    EXTRA_ITEMS,
    PARSERS,
    STATUS_FIELDS,
    Body,
    alarm_codes,
    alarm_names,
    decode_extra,
    status_attributes,
)


def test_each_bit_has_at_most_one_meaning_per_version() -> None:
    for version in ("2011", "2013", "2019"):
        bits = [entry.bit for entry in ALARM_BITS if version in entry.versions]
        assert len(bits) == len(set(bits))
        assert all(0 <= bit < 32 for bit in bits)


def test_standard_bits_map_onto_canonical_codes() -> None:
    expected = {
        0: AlarmCode.SOS, 1: AlarmCode.OVERSPEED, 2: AlarmCode.FATIGUE,
        3: AlarmCode.DANGER_WARNING, 4: AlarmCode.GNSS_FAULT, 5: AlarmCode.GNSS_ANTENNA_CUT,
        6: AlarmCode.GNSS_ANTENNA_SHORT, 7: AlarmCode.LOW_VOLTAGE, 8: AlarmCode.POWER_CUT,
        9: AlarmCode.DISPLAY_FAULT, 10: AlarmCode.TTS_FAULT, 11: AlarmCode.CAMERA_FAULT,
        18: AlarmCode.DAILY_DRIVING_LIMIT, 19: AlarmCode.PARKING_TIMEOUT, 20: AlarmCode.AREA,
        21: AlarmCode.ROUTE, 22: AlarmCode.ROUTE_TIME, 23: AlarmCode.ROUTE_DEVIATION,
        24: AlarmCode.VSS_FAULT, 25: AlarmCode.FUEL_ABNORMAL, 26: AlarmCode.THEFT,
        27: AlarmCode.ILLEGAL_IGNITION, 28: AlarmCode.ILLEGAL_MOVE,
    }  # fmt: skip
    for version in ("2011", "2013", "2019"):
        for bit, code in expected.items():
            assert alarm_codes(1 << bit, version) == (code,), (version, bit)


def test_version_differences() -> None:
    # bits 12-17 and 29-31: reserved in 2011; 15-17 only in 2019; 31 only in 2013
    assert alarm_codes(0b111 << 12, "2011") == ()
    assert alarm_codes(0b111 << 12, "2013") == (
        "ic_card_fault",
        "overspeed_warning",
        "fatigue_warning",
    )
    assert alarm_codes(0b111 << 15, "2013") == ()
    assert alarm_codes(0b111 << 15, "2019") == ("violation", "tire_pressure", "blind_spot")
    assert alarm_codes(0b111 << 29, "2011") == ()
    assert alarm_codes(0b111 << 29, "2013") == ("collision", "rollover", "illegal_door_open")
    assert alarm_codes(0b111 << 29, "2019") == ("collision", "rollover")
    assert alarm_names(1 << 29, "2013") == ("collision_warning",)
    assert alarm_names(1 << 29, "2019") == ("collision_rollover",)
    assert alarm_names(1 << 31 | 1 << 17, "2019") == ("right_turn_blind_zone", "reserved_bit31")


def test_status_fields_per_version() -> None:
    status = 0b11 << 8 | 1 << 13 | 1 << 19 | 1 << 22 | 1 << 6 | 1 << 12 | 1
    v2011, v2013, v2019 = (status_attributes(status, v) for v in ("2011", "2013", "2019"))
    assert v2011["ignition"] and v2011["door_locked"]
    assert "load_state" not in v2011 and "door1_open" not in v2011 and "gnss_beidou" not in v2011
    assert v2013["load_state"] == 3 and v2013["door1_open"] and v2013["gnss_beidou"]
    assert "moving" not in v2013 and "aebs_warning" not in v2013
    assert v2019["moving"] and v2019["aebs_warning"] and not v2019["lane_departure_warning"]
    assert {f.name for f in STATUS_FIELDS} == set(v2019)
    v2013["ignition"] = False  # callers get their own dict
    assert status_attributes(status, "2013")["ignition"] is True


def test_extras_table() -> None:
    ids = [item.item_id for item in EXTRA_ITEMS]
    assert len(ids) == len(set(ids))
    assert decode_extra(0x01, bytes.fromhex("0000007b")) == {"mileage_km": 12.3}
    assert decode_extra(0x11, b"\x00") == {"location_type": 0}
    assert decode_extra(0x06, bytes.fromhex("8005")) == {"cargo_temp_c": -5}
    assert decode_extra(0x2B, bytes.fromhex("00010002")) == {
        "analog_raw": 65538,
        "ad0": 2,
        "ad1": 1,
    }
    # 0x2B sent with 8 bytes (JT-SC-004): the four WORDs in wire order, no AD0/AD1 claim
    assert decode_extra(0x2B, bytes.fromhex("12a803dc00010000")) == {
        "analog_words": [0x12A8, 0x03DC, 1, 0]
    }
    assert decode_extra(0x2B, bytes(3)) == {}  # unexpected declared length: raw
    assert decode_extra(0x05, bytes(40)) == {}
    assert decode_extra(0xEB, b"\x01") == {}


def test_public_surface_is_complete() -> None:
    for name in jt808.__all__:
        assert hasattr(jt808, name), name
    assert len(set(jt808.__all__)) == len(jt808.__all__)
    exported = [getattr(jt808, name) for name in jt808.__all__]
    body_types = set(typing.get_args(Body))
    assert all(any(kind is value for value in exported) for kind in body_types)
    assert {typing.get_type_hints(parser)["return"] for parser in PARSERS.values()} <= body_types
