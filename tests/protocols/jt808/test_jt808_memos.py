"""The memoised BCD times, epochs and item layouts give what the plain reading gives, and stay
bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import example, given
from hypothesis import strategies as st

from assetwatch.protocols.jt808 import location, observations, wire
from assetwatch.protocols.jt808.encoder import build_location, encode_location

GMT8 = timezone(timedelta(hours=8))


def test_memoised_times_equal_fresh_ones_and_stay_bounded() -> None:
    start = datetime(2026, 1, 1, 0, 0, 0)
    for i in range(wire._MINUTES_MAX * 2 + 10):  # overflows the memo twice
        local = start + timedelta(minutes=i, seconds=i % 60)
        raw = bytes.fromhex(local.strftime("%y%m%d%H%M%S"))
        assert wire.decode_bcd_time(raw) == local == wire.decode_bcd_time(raw)
        expected = int(local.replace(tzinfo=GMT8).timestamp() * 1000)
        assert observations.local_to_epoch_ms(local, GMT8) == expected
        assert observations.local_to_epoch_ms(local, UTC) == expected + 8 * 3_600_000
        assert len(wire._MINUTES) <= wire._MINUTES_MAX
        assert len(observations._EPOCH_MS) <= observations._EPOCH_MS_MAX


def test_an_invalid_time_is_memoised_as_none() -> None:
    for raw in (bytes(6), bytes.fromhex("26133201aabb"), bytes.fromhex("260230120000")):
        assert wire.decode_bcd_time(raw) is None
        assert wire.decode_bcd_time(raw) is None


def _reference(raw: bytes) -> datetime | None:
    """The BCD time read the plain way: each byte two decimal digits, or no time."""
    text = raw.hex()
    if not text.isdigit():
        return None
    try:
        return datetime.strptime("20" + text, "%Y%m%d%H%M%S")
    except ValueError:
        return None


@given(st.binary(min_size=6, max_size=6))
@example(bytes.fromhex("261201235960"))  # second 60
@example(bytes.fromhex("26120123595a"))  # invalid digit in the seconds only
@example(bytes.fromhex("240229120000"))  # a leap day
def test_any_bcd_time_reads_as_its_digits_say(raw: bytes) -> None:
    assert wire.decode_bcd_time(raw) == _reference(raw) == wire.decode_bcd_time(raw)


def _walk(body: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """The additional items read one by one, with no memo."""
    items, pos = [], location.BASIC_LEN
    while len(body) - pos >= 2 and pos + 2 + body[pos + 1] <= len(body):
        items.append((body[pos], body[pos + 2 : pos + 2 + body[pos + 1]]))
        pos += 2 + body[pos + 1]
    return items, body[pos:]


def _body(items: list[tuple[int, bytes]], trailer: bytes = b"") -> bytes:
    report = build_location(lat=1.0, lon=2.0, time_local=None, extras=items, trailer=trailer)
    return encode_location(report)


def test_a_body_with_another_layout_of_the_same_length_is_walked_again() -> None:
    a = _body([(0x01, bytes(4)), (0x30, b"\x1e"), (0x31, b"\x09")])
    b = _body([(0x01, bytes(4)), (0x31, b"\x09"), (0x30, b"\x1e")])  # same length, ids swapped
    c = _body([(0x01, bytes(4)), (0x25, bytes(4))])  # one item fewer, same length
    d = _body([(0x01, bytes(4)), (0x30, b"\x1e")], trailer=b"\xff\x07\x00")  # a cut-off item
    assert len(a) == len(b) == len(c) == len(d)
    for body in (a, b, a, c, d, a, d, b):
        report = location.parse_location(body)
        assert (list(report.extras), report.trailer) == _walk(body)


@given(
    st.lists(st.tuples(st.integers(0, 255), st.binary(max_size=6)), max_size=6),
    st.binary(max_size=3),
)
def test_memoised_layouts_read_as_a_walk_does(items: list[tuple[int, bytes]], tail: bytes) -> None:
    body = _body(items) + tail
    first, again = location.parse_location(body), location.parse_location(body)
    assert (list(first.extras), first.trailer) == _walk(body)
    assert again == first
    assert len(location._LAYOUTS) <= 1024
