"""The codec's tables stay consistent with each other and with the shared vocabularies."""

from __future__ import annotations

import assetwatch.protocols.gt06 as gt06
from assetwatch.model.alarms import AlarmCode
from assetwatch.protocols.gt06 import alarm, lbs, location, messages, text


def test_public_surface_is_complete_and_importable() -> None:
    assert len(set(gt06.__all__)) == len(gt06.__all__)
    for name in gt06.__all__:
        assert getattr(gt06, name) is not None, name


def test_protocol_numbers_agree_across_modules() -> None:
    assert location.GPS_LBS_4G == messages.GPS_LBS_4G
    assert (alarm.ALARM, alarm.ALARM_FENCES) == (messages.ALARM, messages.ALARM_FENCES)
    assert alarm.ALARM_FENCES_4G == messages.ALARM_FENCES_4G
    assert lbs.LBS_MULTI_4G == messages.LBS_MULTI_4G
    assert text.COMMAND_REPLY_LONG == messages.COMMAND_REPLY_LONG


def test_acked_and_utc_packets_are_decoded_packets() -> None:
    assert messages.NEEDS_ACK <= set(messages.PARSERS)
    assert messages.UTC_PACKETS <= set(messages.PARSERS)
    assert messages.LOGIN in messages.NEEDS_ACK and messages.GPS_LBS not in messages.NEEDS_ACK


def test_alarm_tables_are_unique_and_speak_the_canonical_vocabulary() -> None:
    values = [meaning.value for meaning in gt06.ALARMS]
    assert len(values) == len(set(values))
    assert [m.value for m in gt06.TERMINAL_ALARMS] == list(range(8))
    for meaning in (*gt06.ALARMS, *gt06.TERMINAL_ALARMS):
        assert meaning.code is None or meaning.code in AlarmCode
    assert gt06.alarm_meaning(0x77).name == "other" and gt06.alarm_meaning(0x77).code is None
    wanted = {"removal", "light", "power_cut", "low_battery", "sos", "vibration",
              "geofence_enter", "geofence_exit", "overspeed"}  # fmt: skip
    assert wanted <= {m.code for m in (*gt06.ALARMS, *gt06.TERMINAL_ALARMS) if m.code}


def test_terminal_bits_do_not_overlap_the_alarm_bits() -> None:
    bits = [field.bit for field in gt06.TERMINAL_FIELDS]
    assert len(bits) == len(set(bits)) and not {3, 4, 5} & set(bits)
