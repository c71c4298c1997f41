"""The memoised BCD and epoch conversions give what the plain ones give, and stay bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from assetwatch.protocols.jt808 import observations, wire

GMT8 = timezone(timedelta(hours=8))


def test_memoised_times_equal_fresh_ones_and_stay_bounded() -> None:
    start = datetime(2026, 1, 1, 0, 0, 0)
    for i in range(wire._TIMES_MAX * 2 + 10):  # overflows the memo twice
        local = start + timedelta(seconds=i)
        raw = bytes.fromhex(local.strftime("%y%m%d%H%M%S"))
        assert wire.decode_bcd_time(raw) == local == wire.decode_bcd_time(raw)
        expected = int(local.replace(tzinfo=GMT8).timestamp() * 1000)
        assert observations.local_to_epoch_ms(local, GMT8) == expected
        assert observations.local_to_epoch_ms(local, UTC) == expected + 8 * 3_600_000
        assert len(wire._TIMES) <= wire._TIMES_MAX
        assert len(observations._EPOCH_MS) <= observations._EPOCH_MS_MAX


def test_an_invalid_time_is_memoised_as_none() -> None:
    for raw in (bytes(6), bytes.fromhex("26133201aabb"), bytes.fromhex("260230120000")):
        assert wire.decode_bcd_time(raw) is None
        assert wire.decode_bcd_time(raw) is None
