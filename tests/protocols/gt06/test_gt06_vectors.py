"""Every acceptance vector frame: framing, CRC and the hand-decoded body values.

Six vectors are read differently from the hand decoder, each for a reason the frame itself
proves; :data:`DEVIATIONS` lists the fields, the value we produce instead and why. Every
other expected field must match exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC
from typing import Any

import pytest

from assetwatch.protocols.gt06 import (
    FrameSplitter,
    decode_frame,
    decode_hex,
    message_to_json,
    to_observations,
)
from tests.protocols.gt06.gt06_support import FROZEN_NOW_MS, load_quirk_frames, load_vectors
from tests.protocols.gt06.vector_view import vector_view

VECTORS = load_vectors()

ALARM_NAMES = {
    0x00: "normal", 0x01: "sos", 0x02: "power_cut", 0x03: "vibration", 0x04: "enter_fence",
    0x05: "exit_fence", 0x06: "overspeed", 0x0C: "power_on", 0x13: "tamper",
    0x19: "internal_battery_low", 0x30: "harsh_braking",
}  # fmt: skip
"""Alarm-byte names as the vectors spell them (JM-VL03 table), written out independently."""

WIDE_MNC = "MCC 0x8136 has bit 15 set: the MNC is 2 bytes (MCC 310 / MNC 260 = T-Mobile US, "
WIDE_MNC += "at the fix's New Jersey coordinates); the hand decoder read a 1-byte MNC"
NO_LBS_LENGTH = "no LBS length byte: 0x01 cannot be a length (a cell alone is 8 bytes) but is "
NO_LBS_LENGTH += "the high byte of MCC 370 (Dominican Republic, where the fix is); the rest then "
NO_LBS_LENGTH += "parses exactly, terminal bits 3-5 = SOS as traccar asserts"
NO_MILEAGE = "0x16 has no mileage field (only 0x26/0x27 may end with one); the 8 vendor bytes "
NO_MILEAGE += "are kept raw (traccar reads them as a driver id)"
EMPTY_LENGTH = "the length byte is 0 but the text is there: it is recovered up to the "
EMPTY_LENGTH += "language word (the last 2 bytes)"

WIDE_CELL = {"lbs.mcc": 310, "lbs.mnc": 260, "lbs.lac": 52106, "lbs.cell_id": 48883}
DEVIATIONS: dict[str, tuple[dict[str, Any], str]] = {
    "GT06-038": (WIDE_CELL, WIDE_MNC),
    "GT06-039": ({**WIDE_CELL, "acc": 0, "remaining_hex": ""}, WIDE_MNC),
    "GT06-011": (
        {
            "lbs_len": None,
            "lbs.mcc": 370,
            "lbs.mnc": 2,
            "lbs.lac": 21302,
            "lbs.cell_id": 10203,
            "terminal_info_hex": "0x62",
            "gps_tracking_or_positioned_bit6": True,
            "alarm_bits_3_5": 4,
            "alarm_bits_name": "sos",
            "charging": False,
            "acc_on": True,
            "voltage_level": 4,
            "gsm_signal": 228,
            "alarm": 4,
            "alarm_name": "enter_fence",
            "decode_error": None,
        },
        NO_LBS_LENGTH,
    ),  # fmt: skip
    "GT06-083": ({"mileage": None, "remaining_hex": "c3000001453f9201"}, NO_MILEAGE),
    "GT06-084": ({"mileage": None, "remaining_hex": "c3000001453f9201"}, NO_MILEAGE),
    "GT06-055": (
        {
            "content_ascii": "Already in the state of fuel supply to resume,"
            "the command is not running!",
            "language_hex": "0001",
        },
        EMPTY_LENGTH,
    ),
}


def _flatten(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


def _params() -> list[Any]:
    return [pytest.param(v, id=v["id"]) for v in VECTORS]


def test_vector_counts() -> None:
    assert len(VECTORS) == 76
    assert len({v["id"] for v in VECTORS}) == 76
    assert set(DEVIATIONS) <= {v["id"] for v in VECTORS}


@pytest.mark.parametrize("vector", _params())
def test_framing_and_crc(vector: dict[str, Any]) -> None:
    expected = vector["expected"]
    (frame,) = FrameSplitter().feed(bytes.fromhex(vector["hex"]))
    assert frame.start == vector["start"]
    assert f"0x{frame.protocol:02x}" == vector["protocol_number"]
    assert frame.length_field == expected["length_field"]
    assert frame.length_ok
    assert f"{frame.crc:04x}" == expected["crc"]
    assert frame.crc_ok is expected["crc_ok"]
    assert frame.serial == expected["serial"]
    assert frame.content.hex() == expected["content_hex"]


@pytest.mark.parametrize("vector", _params())
def test_body_fields(vector: dict[str, Any]) -> None:
    message = decode_hex(vector["hex"])
    ours = _flatten(vector_view(message, ALARM_NAMES))
    expected = _flatten(vector["expected"]["body"])
    expected.pop("note", None)
    changed, _reason = DEVIATIONS.get(vector["id"], ({}, ""))
    for key, value in expected.items():
        want = changed.get(key, value)
        assert ours.get(key) == want, f"{vector['id']} {key}: {ours.get(key)!r} != {want!r}"


@pytest.mark.parametrize("vector", _params())
def test_every_frame_maps_and_renders(
    vector: dict[str, Any], check_observation: Callable[..., None]
) -> None:
    message = decode_hex(vector["hex"])
    for observation in to_observations(
        message, device_key="123456789012345", tz=UTC, server_time_ms=FROZEN_NOW_MS
    ):
        check_observation(observation)
    document = message_to_json(message, tz=UTC)
    assert json.loads(json.dumps(document)) == document


def test_the_quirk_frame_is_framed_by_its_terminator() -> None:
    (quirk,) = load_quirk_frames()
    data = bytes.fromhex(quirk["hex"])
    splitter = FrameSplitter()
    (frame,) = splitter.feed(data)
    assert (frame.length_field, frame.length_ok, frame.crc_ok) == (8, False, True)
    assert (frame.protocol, frame.serial, frame.content.hex()) == (0x13, 0x044D, "4606020002")
    assert splitter.length_mismatches == 1 and splitter.junk_bytes == 0
    body = decode_frame(frame).body
    assert (body.terminal_info, body.voltage, body.gsm) == (0x46, 6, 2)  # type: ignore[union-attr]


SOURCE_ALARMS = {
    "GT06-032": ["removal"],  # traccar: ALARM_REMOVING (terminal bits 3-5 = 7)
    "GT06-011": ["geofence_enter", "sos"],  # traccar: ALARM_SOS (bits 3-5 = 4)
    "GT06-079": ["harsh_braking"],  # traccar: ALARM_BRAKING
    "GT06-027": ["vibration"],
    "GT06-091": ["tamper"],
}


@pytest.mark.parametrize(("vector_id", "alarms"), SOURCE_ALARMS.items())
def test_alarms_the_sources_assert(vector_id: str, alarms: list[str]) -> None:
    vector = next(v for v in VECTORS if v["id"] == vector_id)
    (observation,) = to_observations(
        decode_hex(vector["hex"]), device_key="k", tz=UTC, server_time_ms=FROZEN_NOW_MS
    )
    assert sorted(observation.alarms) == alarms
