"""Device alarms fire on rising edges; offline deadlines follow each device's schedule."""

from __future__ import annotations

from assetwatch.rules.device_alarm import rising_alarms
from assetwatch.rules.offline import MIN_GRACE_MS, deadline_ms, offline_event


def test_alarm_fires_once_while_the_bit_stays_set() -> None:
    active, events = rising_alarms(frozenset(), ("power_cut",), time_ms=1, device_key="d")
    assert [e.type for e in events] == ["power_cut"] and active == {"power_cut"}
    active, events = rising_alarms(active, ("power_cut",), time_ms=2, device_key="d")
    assert events == []
    active, events = rising_alarms(active, (), time_ms=3, device_key="d")
    assert events == [] and active == frozenset()
    active, events = rising_alarms(active, ("power_cut", "sos"), time_ms=4, device_key="d")
    assert sorted(e.type for e in events) == ["power_cut", "sos"]
    assert all(e.subject == "d" and e.alarm for e in events)


def test_deadline_scales_with_interval_and_tolerance() -> None:
    assert deadline_ms(1_000_000, 30, 3) == 1_000_000 + 90_000
    assert deadline_ms(0, 86_400, 1.5) == 129_600_000  # a daily sleeper is not offline in 10 min
    assert deadline_ms(0, 1, 1) == MIN_GRACE_MS


def test_offline_event_says_how_long_it_was_silent() -> None:
    event = offline_event(device_key="d", last_report_ms=0, now_ms=61_000)
    assert event.type == "offline" and event.details["silent_s"] == 61 and event.alarm
