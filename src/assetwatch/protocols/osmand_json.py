"""The JSON form of the OsmAnd protocol, as newer Traccar Client versions POST it (pure).

The body is the location record of the phone's background-geolocation library::

    {"device_id": "48241179",
     "location": {"timestamp": "2025-06-15T13:45:12.862Z", "uuid": "...",
                  "coords": {"latitude": 37.42, "longitude": -122.08, "accuracy": 5,
                             "speed": 0, "heading": -1, "altitude": 5},
                  "is_moving": false, "odometer": 0, "event": "motionchange",
                  "battery": {"level": 0.79, "is_charging": false},
                  "activity": {"type": "still"}, "mock": false, "extras": {}}}

Units differ from the parameter form: ``speed`` is **m/s**, ``battery.level`` a fraction
0..1, ``odometer`` metres; ``-1`` means unknown for speed, heading and battery level.
``location`` may also be a list (a batch upload). Unknown fields are ignored: phone apps
add fields between versions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any, Final

import msgspec
from msgspec import Meta, Struct

from assetwatch.errors import ProtocolError
from assetwatch.model.observation import FixSource, Observation, ObservationKind
from assetwatch.protocols.idempotency import idem_of
from assetwatch.protocols.jsonmsg import MIN_TIME_MS
from assetwatch.protocols.osmand import PROTOCOL, OsmAndReport, alarm_codes, device_key

MAX_LOCATIONS: Final = 1000


class Coords(Struct):
    latitude: Annotated[float, Meta(ge=-90, le=90)]
    longitude: Annotated[float, Meta(ge=-180, le=180)]
    accuracy: float | None = None
    speed: float | None = None
    heading: float | None = None
    altitude: float | None = None


class Battery(Struct):
    level: float | None = None
    is_charging: bool | None = None


class Activity(Struct):
    type: str | None = None


class Location(Struct):
    timestamp: datetime | None = None
    uuid: Annotated[str, Meta(max_length=128)] | None = None
    coords: Coords | None = None
    battery: Battery | None = None
    is_moving: bool | None = None
    odometer: float | None = None
    event: Annotated[str, Meta(max_length=64)] | None = None
    activity: Activity | None = None
    mock: bool | None = None
    alarm: Annotated[str, Meta(max_length=200)] | None = None
    extras: dict[str, Any] = {}


class Body(Struct):
    device_id: str | int
    location: Location | Annotated[list[Location], Meta(min_length=1, max_length=MAX_LOCATIONS)]


_DECODER: Final = msgspec.json.Decoder(Body)
_ENCODER: Final = msgspec.json.Encoder()


def parse_json(
    body: bytes,
    *,
    server_time_ms: int,
    tz_for: Callable[[str], tzinfo] = lambda _key: UTC,
    token: str | None = None,
) -> OsmAndReport:
    """Decode one JSON request. ``tz_for(device_id)`` is the device's time zone (for times
    without an offset); ``token`` is the one the request carried elsewhere."""
    try:
        decoded = _DECODER.decode(body)
    except msgspec.ValidationError as err:
        raise ProtocolError(f"invalid OsmAnd JSON: {err}") from None
    except (msgspec.DecodeError, UnicodeDecodeError) as err:  # msgspec: bad UTF-8 in a string
        raise ProtocolError(f"not valid JSON: {err}") from None
    key = device_key(str(decoded.device_id))
    locations = decoded.location if isinstance(decoded.location, list) else [decoded.location]
    tz = tz_for(key)
    observations = [_observation(key, loc, server_time_ms, tz) for loc in locations]
    return OsmAndReport(key, token, observations)


def _observation(key: str, loc: Location, server_time_ms: int, tz: tzinfo) -> Observation:
    attributes = _attributes(loc)
    time_ms = server_time_ms
    if loc.timestamp is not None:
        moment = loc.timestamp if loc.timestamp.tzinfo else loc.timestamp.replace(tzinfo=tz)
        time_ms = round(moment.timestamp() * 1000)
        if time_ms < MIN_TIME_MS:
            attributes["raw.timestamp"] = time_ms
            time_ms = server_time_ms
    coords = loc.coords
    codes: list[str] = []
    alarm = loc.alarm or loc.extras.get("alarm")
    if isinstance(alarm, str):
        codes, unknown = alarm_codes(alarm)
        if unknown:
            attributes["raw.alarm"] = ",".join(unknown)
    return Observation(
        device_key=key,
        protocol=PROTOCOL,
        time_ms=time_ms,
        server_time_ms=server_time_ms,
        kind=ObservationKind.POSITION,
        lat=coords.latitude if coords else None,
        lon=coords.longitude if coords else None,
        altitude_m=coords.altitude if coords else None,
        speed_kmh=_known(coords.speed, 3.6) if coords else None,
        course=_known(coords.heading, 1.0) if coords else None,
        accuracy_m=_known(coords.accuracy, 1.0) if coords else None,
        valid=coords is not None,
        fix_source=FixSource.GPS if coords else FixSource.NONE,
        alarms=tuple(dict.fromkeys(codes)),
        attributes=attributes,
        idem=idem_of(loc.uuid.encode() if loc.uuid else _ENCODER.encode(loc)),
    )


def _known(value: float | None, factor: float) -> float | None:
    """``value * factor``; negative values (``-1``) mean unknown."""
    if value is None or value < 0:
        return None
    return round(value * factor, 3)


def _attributes(loc: Location) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    if loc.battery is not None:
        if loc.battery.level is not None and 0 <= loc.battery.level <= 1:
            attributes["battery_pct"] = round(loc.battery.level * 100, 1)
        if loc.battery.is_charging is not None:
            attributes["charging"] = loc.battery.is_charging
    if loc.is_moving is not None:
        attributes["moving"] = loc.is_moving
    if loc.odometer is not None and loc.odometer >= 0:
        attributes["mileage_km"] = round(loc.odometer / 1000, 3)
    if loc.event:
        attributes["event"] = loc.event
    if loc.activity is not None and loc.activity.type:
        attributes["raw.activity"] = loc.activity.type
    if loc.mock:
        attributes["mock_location"] = True  # a faked GPS position: worth a look
    for name, value in list(loc.extras.items())[:32]:
        if name != "alarm" and isinstance(value, str | int | float | bool):
            attributes[f"raw.{name[:64]}"] = value
    return attributes
