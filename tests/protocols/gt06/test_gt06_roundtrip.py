"""Property tests: decode(encode(x)) == x for every body type and for whole frames."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from assetwatch.protocols.gt06 import (
    Alarm,
    Body,
    CellScan,
    CellTower,
    CommandReply,
    FrameSplitter,
    GpsFix,
    Location,
    ServerCommand,
    Status,
    TimeReply,
    build_gps,
    decode_frame,
    encode_body,
    encode_message,
    login_body,
    parse_content,
    to_observations,
)
from tests.protocols.gt06.gt06_support import FROZEN_NOW_MS, assert_observation_invariants

u8, u16, u32 = st.integers(0, 0xFF), st.integers(0, 0xFFFF), st.integers(0, 0xFFFFFFFF)
printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
unicode_text = st.text(
    st.characters(min_codepoint=1, max_codepoint=0xFFFF, exclude_categories=("Cs",)), max_size=40
)
moments = st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31, 23, 59, 59))

gps_blocks = st.builds(
    GpsFix,
    time_raw=st.binary(min_size=6, max_size=6),
    info_length=st.integers(0, 15),
    satellites=st.integers(0, 15),
    lat_raw=u32,
    lon_raw=u32,
    speed_kmh=u8,
    course_status=u16,
)
narrow_cells = st.builds(CellTower, st.integers(0, 0x7FFF), u8, u16, st.integers(0, 0xFFFFFF))
wide_cells = st.builds(
    CellTower, st.integers(0, 0x7FFF), u16, u16, st.integers(0, 0xFFFFFF), wide_mnc=st.just(True)
)
cells_2g = narrow_cells | wide_cells
cells_4g = st.builds(
    CellTower, st.integers(0, 0x7FFF), u8, u32, st.integers(0, 2**64 - 1)
) | st.builds(
    CellTower, st.integers(0, 0x7FFF), u16, u32, st.integers(0, 2**64 - 1), wide_mnc=st.just(True)
)


@st.composite
def locations(draw: st.DrawFn) -> tuple[int, Location]:
    protocol = draw(st.sampled_from([0x10, 0x12, 0x22, 0xA0, 0x1A, 0x2A]))
    gps = draw(gps_blocks)
    if protocol == 0x10:
        return protocol, Location(gps, trailing=draw(st.binary(max_size=8)))
    if protocol in (0x1A, 0x2A):
        phone = draw(st.text("0123456789+", max_size=21))
        return protocol, Location(gps, phone=phone, language=draw(u16), trailing=b"")
    cell = draw(cells_4g if protocol == 0xA0 else cells_2g)
    if protocol == 0x12:
        return protocol, Location(gps, cell, trailing=draw(st.binary(max_size=8)))
    mileage = draw(st.none() | u32)
    trailing = draw(st.binary(max_size=12 if mileage is not None else 3))
    acc, mode, again = draw(u8), draw(u8), draw(u8)
    return protocol, Location(gps, cell, acc, mode, again, mileage, trailing=trailing)


@st.composite
def alarms(draw: st.DrawFn) -> tuple[int, Alarm]:
    protocol = draw(st.sampled_from([0x16, 0x26, 0x27, 0xA4]))
    four_g = protocol == 0xA4
    cell: CellTower | None = draw(cells_4g if four_g else cells_2g)
    assert cell is not None
    size = (1 + cell.wide_mnc) + (14 if four_g else 7)
    how = draw(st.sampled_from(["counts_itself", "counts_cell", "zero", "absent"]))
    if how == "counts_itself":
        lbs_length: int | None = size + 1
    elif how == "counts_cell":
        lbs_length = size
    elif how == "zero":
        lbs_length, cell = 0, None
    else:  # no length byte: only a narrow 2G cell whose MCC high byte is 1–7
        lbs_length = None
        four_g = False
        protocol = draw(st.sampled_from([0x16, 0x26, 0x27]))
        cell = draw(
            st.builds(CellTower, st.integers(0x100, 0x7FF), u8, u16, st.integers(0, 2**24 - 1))
        )
    fence = draw(u8) if protocol in (0x27, 0xA4) else None
    mileage = draw(st.none() | u32) if protocol != 0x16 else None
    trailing = b"" if mileage is not None or protocol != 0x16 else draw(st.binary(max_size=6))
    status = [draw(u8) for _ in range(5)]
    return protocol, Alarm(draw(gps_blocks), cell, lbs_length, *status, fence, mileage, trailing)


@st.composite
def cell_scans(draw: st.DrawFn) -> tuple[int, CellScan]:
    protocol = draw(st.sampled_from([0x28, 0xA1]))
    wide = draw(st.booleans())
    mcc, mnc = draw(st.integers(0, 0x7FFF)), draw(u16 if wide else u8)
    lac, ci = (
        (u32, st.integers(0, 2**64 - 1)) if protocol == 0xA1 else (u16, st.integers(0, 2**24 - 1))
    )
    cells = tuple(CellTower(mcc, mnc, draw(lac), draw(ci), draw(u8), wide) for _ in range(7))
    time_raw = draw(st.binary(min_size=6, max_size=6))
    return protocol, CellScan(time_raw, cells, draw(u8), draw(u16), draw(st.binary(max_size=9)))


@st.composite
def texts(draw: st.DrawFn) -> tuple[int, Body]:
    flag = draw(u32)
    kind = draw(st.sampled_from(["command", "reply", "reply_long"]))
    if kind == "command":
        return 0x80, ServerCommand(flag, draw(printable), draw(st.none() | u16))
    if kind == "reply":
        text = draw(printable)
        language = draw(st.none() | u16)
        return 0x15, CommandReply(flag, text, language, length_field=len(text) + 4)
    encoding = draw(st.sampled_from([1, 2]))
    text = draw(printable if encoding == 1 else unicode_text)
    return 0x21, CommandReply(flag, text, encoding=encoding)


@st.composite
def simple(draw: st.DrawFn) -> tuple[int, Body]:
    kind = draw(st.sampled_from(["login", "status", "time"]))
    if kind == "login":
        imei = draw(st.text("0123456789", min_size=15, max_size=15))
        type_code = draw(st.none() | u16)
        zone = draw(st.none() | u16) if type_code is not None else None
        return 0x01, login_body(imei, type_code=type_code, zone_word=zone)
    if kind == "status":
        head = [draw(u8) for _ in range(5)]
        return 0x13, Status(*head, extra=draw(st.binary(max_size=16)))
    moment = draw(moments)
    return 0x8A, TimeReply(
        bytes(
            (
                moment.year - 2000,
                moment.month,
                moment.day,
                moment.hour,
                moment.minute,
                moment.second,
            )
        )
    )


bodies = locations() | alarms() | cell_scans() | texts() | simple()


@given(bodies)
def test_decode_of_encode_is_identity(item: tuple[int, Body]) -> None:
    protocol, body = item
    assert parse_content(protocol, encode_body(protocol, body)) == body


@given(bodies, u16)
def test_whole_frames_round_trip_through_the_splitter(item: tuple[int, Body], serial: int) -> None:
    protocol, body = item
    frame = encode_message(protocol, body, serial)
    (split,) = FrameSplitter().feed(frame)
    message = decode_frame(split)
    assert (message.protocol, message.serial, message.checksum_ok) == (protocol, serial, True)
    assert message.body == body


@given(bodies)
def test_every_encodable_body_maps_to_valid_observations(item: tuple[int, Body]) -> None:
    protocol, body = item
    message = decode_frame(FrameSplitter().feed(encode_message(protocol, body, 1))[0])
    for observation in to_observations(
        message, device_key="k", tz=UTC, server_time_ms=FROZEN_NOW_MS
    ):
        assert_observation_invariants(observation)


@given(
    st.floats(-90, 90),
    st.floats(-180, 180),
    moments,
    st.floats(0, 255),
    st.floats(0, 359.4),
)
def test_built_fixes_come_back_within_the_wire_resolution(
    lat: float, lon: float, moment: datetime, speed: float, course: float
) -> None:
    gps = build_gps(lat=lat, lon=lon, time=moment, speed_kmh=speed, course=course)
    location = parse_content(0x10, encode_body(0x10, Location(gps)))
    assert isinstance(location, Location)
    assert abs(location.gps.lat - lat) <= 0.5 / 1_800_000 + 1e-12
    assert abs(location.gps.lon - lon) <= 0.5 / 1_800_000 + 1e-12
    assert location.gps.course == round(course) % 360 and location.gps.positioned
