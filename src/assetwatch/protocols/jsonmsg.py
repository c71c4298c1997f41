"""The assetwatch JSON message schema, version 1: what MQTT and HTTP devices send (pure).

Four message types, told apart by ``"type"`` (which may be left out where the MQTT topic or
the URL already names it):

- ``position``: a fix (``lat``/``lon``, or ``cells`` to be resolved by the platform);
- ``reading``: sensor values (temperature, humidity, door, fuel, weight, named values);
- ``event``: something that happened, with canonical alarm codes (``tamper``, ``removal``,
  ``power_cut``...) and/or a free event name;
- ``batch``: up to :data:`MAX_BATCH_ITEMS` of the above (a backfill after a blind zone).

Times are epoch milliseconds or ISO-8601 with ``Z`` or an offset, UTC inside; a message
without a time gets the server's receive time. ``msg_id`` is the device's idempotency id: a
message sent again with the same id is stored once, with or without a time (over HTTP an
``Idempotency-Key`` header stands for the ``msg_id`` of a message that has none). Units are
in the field names (metres, km/h, degrees WGS-84, per cent). Unknown fields are errors, so
typos do not pass silently; free-form values go in ``attributes`` (stored as ``raw.<name>``).

Errors are :class:`InvalidMessage` with the JSON path of the offending field. The JSON
Schema of version 1 is :func:`json_schema` (``docs/schema/assetwatch-v1.schema.json``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Final, Literal

import msgspec
from msgspec import Meta, Struct

from assetwatch.errors import ProtocolError
from assetwatch.model.alarms import DEVICE_ALARMS, AlarmCode
from assetwatch.model.observation import FixSource, Observation, ObservationKind
from assetwatch.protocols.idempotency import idem_of

SCHEMA_VERSION: Final = 1
MIN_TIME_MS: Final = 946_684_800_000
"""2000-01-01T00:00:00Z: earlier times are a clock that was never set (or seconds, not ms)."""
MAX_BATCH_ITEMS: Final = 10_000
KINDS: Final = ("position", "reading", "event", "batch")
DEVICE_KEY: Final = re.compile(r"^[A-Za-z0-9._:-]{1,40}$")
"""What a device key looks like on the wire (the registry's ``DeviceKey``)."""

EpochMs = Annotated[int, Meta(ge=MIN_TIME_MS, description="epoch milliseconds, UTC")]
IsoTime = Annotated[datetime, Meta(tz=True, description="ISO-8601 with Z or a UTC offset")]
MsgId = Annotated[
    str, Meta(min_length=1, max_length=128, description="idempotency id, unique per device")
]
Name = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Latitude = Annotated[float, Meta(ge=-90, le=90, description="degrees WGS-84")]
Longitude = Annotated[float, Meta(ge=-180, le=180, description="degrees WGS-84")]
NonNegative = Annotated[float, Meta(ge=0)]
Percent = Annotated[float, Meta(ge=0, le=100, description="per cent")]
Course = Annotated[float, Meta(ge=0, le=360, description="degrees clockwise from north")]
Scalar = str | int | float | bool | None
Attributes = Annotated[
    dict[Name, Scalar], Meta(max_length=64, description="free-form values, stored as raw.*")
]


class InvalidMessage(ProtocolError):
    """A payload that is not JSON, or not a valid v1 message.

    ``reason`` is ``json`` (not JSON at all) or ``schema`` (JSON that violates the schema);
    ``path`` is the JSON path of the bad field (``$.items[3].lat``) when there is one.
    """

    status_code = 422
    title = "Invalid message"

    def __init__(self, message: str, *, reason: str, path: str | None = None):
        super().__init__(message)
        self.reason = reason
        self.path = path


class _Message(Struct, kw_only=True, forbid_unknown_fields=True, tag_field="type"):
    time: EpochMs | IsoTime | None = None  # None: the server's receive time
    msg_id: MsgId | None = None
    alarms: list[AlarmCode] = []
    attributes: Attributes = {}

    def __post_init__(self) -> None:
        if isinstance(self.time, datetime) and self.time.timestamp() * 1000 < MIN_TIME_MS:
            raise ValueError("time must not be before 2000-01-01T00:00:00Z")
        for code in self.alarms:
            if code not in DEVICE_ALARMS:
                raise ValueError(f"alarm {code.value!r} is derived by the platform, not reported")


class Cell(Struct, kw_only=True, forbid_unknown_fields=True):
    """A cell tower the device sees (serving cell first)."""

    mcc: Annotated[int, Meta(ge=0, le=999)]
    mnc: Annotated[int, Meta(ge=0, le=999)]
    lac: Annotated[int, Meta(ge=0)]
    ci: Annotated[int, Meta(ge=0)]
    signal_dbm: Annotated[int, Meta(ge=-150, le=0)] | None = None


class Position(_Message, tag="position"):
    """A position fix. Without ``lat``/``lon`` it must carry ``cells``."""

    lat: Latitude | None = None
    lon: Longitude | None = None
    altitude_m: float | None = None
    speed_kmh: NonNegative | None = None
    course: Course | None = None
    accuracy_m: NonNegative | None = None
    valid: bool = True
    fix_source: Literal["gps", "cell", "wifi", "ble"] = "gps"
    satellites: Annotated[int, Meta(ge=0, le=255)] | None = None
    hdop: NonNegative | None = None
    battery_pct: Percent | None = None
    voltage_v: float | None = None
    ignition: bool | None = None
    mileage_km: NonNegative | None = None
    cells: Annotated[list[Cell], Meta(max_length=32)] = []

    def __post_init__(self) -> None:
        super().__post_init__()
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together")
        if self.lat is None and not self.cells:
            raise ValueError("a position needs lat and lon, or cells")


class Value(Struct, kw_only=True, forbid_unknown_fields=True):
    """A named sensor value with its unit (``{"value": 2.4, "unit": "bar"}``)."""

    value: float | int | bool | str
    unit: Annotated[str, Meta(max_length=16)] | None = None


class Reading(_Message, tag="reading"):
    """Sensor values; at least one."""

    sensor: Name | None = None
    temperature_c: Annotated[float, Meta(ge=-273.15, le=2000)] | None = None
    humidity_pct: Percent | None = None
    door_open: bool | None = None
    fuel_level_pct: Percent | None = None
    fuel_l: NonNegative | None = None
    weight_kg: float | None = None
    battery_pct: Percent | None = None
    voltage_v: float | None = None
    values: Annotated[dict[Name, Value], Meta(max_length=64)] = {}

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.values and all(getattr(self, f) is None for f in READING_FIELDS):
            raise ValueError("a reading needs at least one value")


class Event(_Message, tag="event"):
    """Something that happened: canonical ``alarms`` and/or an ``event`` name."""

    event: Name | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.alarms and self.event is None:
            raise ValueError("an event needs alarms or an event name")
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together")


Item = Position | Reading | Event


class Batch(Struct, kw_only=True, forbid_unknown_fields=True, tag_field="type", tag="batch"):
    """Several messages at once, e.g. the backfill stored in a blind zone. Every item
    carries its own ``time``."""

    items: Annotated[list[Item], Meta(min_length=1, max_length=MAX_BATCH_ITEMS)]

    def __post_init__(self) -> None:
        for number, item in enumerate(self.items):
            if item.time is None:
                raise ValueError(f"items[{number}] has no time: batch items must carry theirs")


Message = Position | Reading | Event | Batch
READING_FIELDS: Final = (
    "temperature_c",
    "humidity_pct",
    "door_open",
    "fuel_level_pct",
    "fuel_l",
    "weight_kg",
    "battery_pct",
    "voltage_v",
)
POSITION_ATTRIBUTES: Final = (
    "satellites",
    "hdop",
    "battery_pct",
    "voltage_v",
    "ignition",
    "mileage_km",
)
_TYPES: Final[dict[str, type[Message]]] = {
    "position": Position,
    "reading": Reading,
    "event": Event,
    "batch": Batch,
}
_DECODERS: Final = {kind: msgspec.json.Decoder(cls) for kind, cls in _TYPES.items()}
_ANY: Final = msgspec.json.Decoder(Message)
_ENCODER: Final = msgspec.json.Encoder()
_AT: Final = re.compile(r" - at (?:`key` in )?`(\$[^`]*)`$")


def decode(payload: bytes | bytearray | str, kind: str | None = None) -> Message:
    """Decode one v1 message. ``kind`` (from the topic or URL) fixes the type; without it the
    payload's ``"type"`` decides. Raises :class:`InvalidMessage`."""
    if kind is not None and kind not in _DECODERS:
        raise InvalidMessage(
            f"unknown message kind {kind!r} (known: {', '.join(KINDS)})", reason="kind"
        )
    decoder = _ANY if kind is None else _DECODERS[kind]
    try:
        message: Message = decoder.decode(payload)
    except msgspec.ValidationError as err:
        text = str(err)
        at = _AT.search(text)
        raise InvalidMessage(text, reason="schema", path=at[1] if at else None) from None
    except (msgspec.DecodeError, UnicodeDecodeError) as err:  # msgspec: bad UTF-8 in a string
        raise InvalidMessage(f"not valid JSON: {err}", reason="json") from None
    return message


def to_observations(
    message: Message,
    *,
    device_key: str,
    protocol: str,
    server_time_ms: int,
    idempotency_key: str | None = None,
) -> list[Observation]:
    """The Observation records of a message (one, or one per batch item, in order).

    ``idempotency_key`` (an HTTP ``Idempotency-Key``) is the id of a message without
    ``msg_id``; item ``n`` of a batch without one gets ``{idempotency_key}#{n}``.
    """
    if isinstance(message, Batch):
        key = idempotency_key
        return [
            _observation(item, device_key, protocol, server_time_ms, True, msg_id)
            for n, item in enumerate(message.items)
            for msg_id in [item.msg_id or (f"{key}#{n}" if key else None)]
        ]
    msg_id = message.msg_id or idempotency_key
    return [_observation(message, device_key, protocol, server_time_ms, False, msg_id)]


def _observation(
    item: Item,
    device_key: str,
    protocol: str,
    server_time_ms: int,
    batch: bool,
    msg_id: str | None,
) -> Observation:
    attributes: dict[str, Any] = {f"raw.{k}": v for k, v in item.attributes.items()}
    common: dict[str, Any] = {
        "device_key": device_key,
        "protocol": protocol,
        "time_ms": _time_ms(item.time, server_time_ms),
        "server_time_ms": server_time_ms,
        "alarms": tuple(dict.fromkeys(code.value for code in item.alarms)),
        "idem": idem_of(msg_id.encode() if msg_id else _ENCODER.encode(item)),
        "batch": batch,
        "untimed": item.time is None and bool(msg_id),
        "attributes": attributes,
    }
    if isinstance(item, Position):
        _copy(item, POSITION_ATTRIBUTES, attributes)
        if item.cells:
            attributes["cells"] = [msgspec.structs.asdict(cell) for cell in item.cells]
        return Observation(
            kind=ObservationKind.POSITION,
            lat=item.lat,
            lon=item.lon,
            altitude_m=item.altitude_m,
            speed_kmh=item.speed_kmh,
            course=None if item.course is None else item.course % 360,
            accuracy_m=item.accuracy_m,
            valid=item.valid and item.lat is not None,
            fix_source=FixSource(item.fix_source),
            **common,
        )
    if isinstance(item, Reading):
        _copy(item, READING_FIELDS, attributes)
        if item.sensor is not None:
            attributes["sensor"] = item.sensor
        if item.values:
            attributes["values"] = {
                name: {"value": v.value, "unit": v.unit} for name, v in item.values.items()
            }
        return Observation(
            kind=ObservationKind.READING, valid=False, fix_source=FixSource.NONE, **common
        )
    if item.event is not None:
        attributes["event"] = item.event
    located = item.lat is not None
    return Observation(
        kind=ObservationKind.EVENT,
        lat=item.lat,
        lon=item.lon,
        valid=located,
        fix_source=FixSource.GPS if located else FixSource.NONE,
        **common,
    )


def _copy(item: Item, names: tuple[str, ...], attributes: dict[str, Any]) -> None:
    for name in names:
        value = getattr(item, name)
        if value is not None:
            attributes[name] = value


def _time_ms(time: int | datetime | None, server_time_ms: int) -> int:
    if time is None:
        return server_time_ms
    if isinstance(time, int):
        return time
    return round(time.timestamp() * 1000)


def json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of a v1 message, generated from the structs."""
    schema = msgspec.json.schema(Message)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://assetwatch.dev/schema/v1/message.json",
        "title": "assetwatch message v1",
        "description": (
            "A position, reading, event or batch sent by a device over MQTT or HTTP. "
            '"type" may be omitted where the MQTT topic or the URL names the kind.'
        ),
        **schema,
    }
