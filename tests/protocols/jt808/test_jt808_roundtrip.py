"""Property tests: decode(encode(x)) == x for every body type and for whole frames."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from assetwatch.protocols.jt808 import (
    Authentication,
    BatchUpload,
    LocationReport,
    PlatformResponse,
    Registration,
    RegistrationReply,
    TerminalResponse,
    build_location,
    decode_frame,
    encode_authentication,
    encode_batch,
    encode_body,
    encode_frame,
    encode_location,
    encode_registration,
    encode_registration_reply,
    parse_location,
    to_observations,
    unescape,
)
from assetwatch.protocols.jt808.batch import parse_batch
from assetwatch.protocols.jt808.registration import (
    REGISTRATION_WIDTHS,
    parse_authentication,
    parse_registration,
    parse_registration_reply,
)
from assetwatch.protocols.jt808.wire import decode_bcd_time
from tests.protocols.jt808.jt808_support import GMT8, assert_observation_invariants

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
escape_prone = st.lists(st.sampled_from([0x7E, 0x7D, 0x01, 0x02, 0x00]), max_size=12).map(bytes)
values = st.binary(max_size=24) | escape_prone
times = st.none() | st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31, 23, 59, 59)).map(
    lambda moment: moment.replace(microsecond=0)
)
phones_2013 = st.text("0123456789", min_size=1, max_size=12)
phones_2019 = st.text("0123456789", min_size=1, max_size=20)


@st.composite
def trailers(draw: st.DrawFn) -> bytes:
    """Non-TLV remainders: one stray byte, or an item header longer than what follows."""
    kind = draw(st.sampled_from(["none", "byte", "truncated"]))
    if kind == "none":
        return b""
    if kind == "byte":
        return bytes([draw(u8)])
    declared = draw(st.integers(1, 255))
    rest = draw(st.binary(max_size=min(declared - 1, 20)))
    return bytes([draw(u8), declared]) + rest


@st.composite
def reports(draw: st.DrawFn) -> LocationReport:
    status = draw(u32 | st.sampled_from([0x2, 0x6, 0xA, 0xE, 0x000C0C03]))
    lat_raw, lon_raw = draw(u32 | st.integers(0, 90_000_000)), draw(u32)
    items = draw(st.lists(st.tuples(u8, values), max_size=5))
    return LocationReport(
        alarm_flags=draw(u32),
        status=status,
        lat=-lat_raw / 1e6 if status & 4 else lat_raw / 1e6,
        lon=-lon_raw / 1e6 if status & 8 else lon_raw / 1e6,
        altitude_m=draw(st.integers(-1000, 64535)),
        speed_kmh=draw(u16) / 10,
        course=draw(u16),
        time_local=draw(times),
        extra_ids=tuple(item_id for item_id, _ in items),
        extra_values=tuple(value for _, value in items),
        trailer=draw(trailers()),
    )


@given(reports())
def test_location_round_trip(report: LocationReport) -> None:
    assert parse_location(encode_location(report)) == report


@given(
    lat=st.floats(-90, 90),
    lon=st.floats(-180, 180),
    speed=st.floats(0, 6553.5),
    time_local=times,
    positioned=st.booleans(),
)
def test_built_location_round_trip(
    lat: float, lon: float, speed: float, time_local: datetime | None, positioned: bool
) -> None:
    report = build_location(
        lat=lat, lon=lon, speed_kmh=speed, time_local=time_local, positioned=positioned
    )
    assert parse_location(encode_location(report)) == report
    assert abs(report.lat - lat) <= 5e-7 and abs(report.lon - lon) <= 5e-7
    assert (report.lat < 0) == bool(report.status & 4) or report.lat == 0


@given(
    report=reports(),
    phone=phones_2019,
    serial=u16,
    version=st.sampled_from(["2011", "2013", "2019"]),
)
def test_location_frame_round_trip(
    report: LocationReport, phone: str, serial: int, version: str
) -> None:
    width = 20 if version == "2019" else 12
    phone = phone[-width:]
    frame = encode_frame(0x0200, phone, serial, encode_location(report), version=version)
    assert frame.count(b"\x7e") == 2  # every 0x7E inside is escaped
    message = decode_frame(unescape(frame[1:-1]))
    assert message.checksum_ok
    assert message.body == report
    assert message.header.serial == serial
    assert message.header.phone == phone.rjust(width, "0")
    assert message.header.version == ("2019" if version == "2019" else "2013")
    for observation in to_observations(
        message, device_key="k", tz=GMT8, server_time_ms=1_800_000_000_000
    ):
        assert_observation_invariants(observation, now_ms=4_200_000_000_000)


@given(st.lists(reports(), max_size=4), st.sampled_from([0, 1]))
def test_batch_round_trip(items: list[LocationReport], batch_type: int) -> None:
    body = encode_batch(items, batch_type)
    decoded = parse_batch(body)
    raw = tuple(encode_location(item) for item in items)
    assert decoded == BatchUpload(len(items), batch_type, tuple(items), raw)
    assert encode_body(decoded) == body


text_chars = st.sampled_from("ABCXYZabcxyz0123456789-._#粤苏京测试车")


def _fixed_text(max_bytes: int) -> st.SearchStrategy[str]:
    return (
        st.text(text_chars | st.just(" "), max_size=max_bytes)
        .map(lambda text: text.strip(" "))
        .filter(lambda text: len(text.encode("gbk")) <= max_bytes)
    )


@st.composite
def registrations(draw: st.DrawFn) -> Registration:
    layout = draw(st.sampled_from(["2011", "2013", "2019"]))
    maker_len, model_len, id_len = REGISTRATION_WIDTHS[layout]
    return Registration(
        layout=layout,
        province_id=draw(u16),
        city_id=draw(u16),
        maker_id=draw(_fixed_text(maker_len)),
        model=draw(_fixed_text(model_len)),
        terminal_id=draw(_fixed_text(id_len)),
        plate_color=draw(u8),
        plate=draw(_fixed_text(40)),
    )


@given(registrations())
def test_registration_round_trip(registration: Registration) -> None:
    body = encode_registration(registration)
    assert parse_registration(body, registration.layout) == registration


@given(code=_fixed_text(60), imei=_fixed_text(15), software=_fixed_text(20))
def test_authentication_round_trip(code: str, imei: str, software: str) -> None:
    assert parse_authentication(encode_authentication(code), "2013") == Authentication(code)
    body = encode_authentication(code, "2019", imei=imei, software=software)
    assert parse_authentication(body, "2019") == Authentication(code, imei, software)


@given(serial=u16, result=u8, code=_fixed_text(40))
def test_registration_reply_round_trip(serial: int, result: int, code: str) -> None:
    decoded = parse_registration_reply(encode_registration_reply(serial, result, code))
    assert decoded == RegistrationReply(serial, result, code if result == 0 else "")


@given(serial=u16, msg_id=u16, result=u8, terminal=st.booleans(), phone=phones_2013)
def test_general_response_frame_round_trip(
    serial: int, msg_id: int, result: int, terminal: bool, phone: str
) -> None:
    body = (TerminalResponse if terminal else PlatformResponse)(serial, msg_id, result)
    frame = encode_frame(0x0001 if terminal else 0x8001, phone, serial, encode_body(body))
    assert decode_frame(unescape(frame[1:-1])).body == body


@given(st.binary(min_size=6, max_size=6))
def test_any_bcd_time_decodes_or_is_none(raw: bytes) -> None:
    moment = decode_bcd_time(raw)
    assert moment is None or 2000 <= moment.year <= 2099
