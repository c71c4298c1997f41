"""The OsmAnd protocol: positions that phone apps (Traccar Client, OsmAnd) send over HTTP (pure).

Two shapes, as Traccar's ``OsmAndProtocolDecoder`` accepts them:

- **parameters**, in the query string of a GET or POST, or as a form body:
  ``?id=123456&lat=60.0&lon=30.0&timestamp=1377177267&speed=12.5&bearing=90&altitude=40&batt=87``
  (table :data:`PARAMETERS`; anything else is kept as ``raw.<name>``);
- **JSON**, as newer Traccar Client versions POST it (``Content-Type: application/json``):
  ``{"device_id": "...", "location": {"timestamp", "coords": {...}, "battery": {...},
  "is_moving", "event", ...}}`` (see :mod:`assetwatch.protocols.osmand_json`).

Units: ``speed`` is in **knots** in the parameter form (Traccar's convention, which Traccar
Client follows; the OsmAnd app itself sends m/s: choose ``speed_unit``), ``altitude`` and
``accuracy`` in metres, ``bearing`` in degrees, ``batt`` in per cent. ``timestamp`` is epoch
seconds (below 2^31) or milliseconds, ISO-8601, or ``yyyy-MM-dd HH:mm:ss``; times without an
offset are read in the device's time zone. Errors are :class:`ProtocolError` naming the
parameter.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, Final, Literal

from assetwatch.errors import ProtocolError
from assetwatch.model.alarms import DEVICE_ALARMS, AlarmCode
from assetwatch.model.observation import FixSource, Observation, ObservationKind
from assetwatch.protocols.idempotency import idem_of
from assetwatch.protocols.jsonmsg import DEVICE_KEY, MIN_TIME_MS

PROTOCOL: Final = "osmand"
SpeedUnit = Literal["kn", "kmh", "mps", "mph"]
KMH_PER: Final[dict[str, float]] = {"kn": 1.852, "kmh": 1.0, "mps": 3.6, "mph": 1.609344}
MAX_PARAMETERS: Final = 100
MAX_VALUE_CHARS: Final = 512
SECONDS_LIMIT: Final = 2**31 - 1
"""Numeric timestamps below this are seconds, above it milliseconds (Traccar's rule)."""

TRACCAR_ALARMS: Final[dict[str, AlarmCode]] = {
    "sos": AlarmCode.SOS,
    "vibration": AlarmCode.VIBRATION,
    "movement": AlarmCode.ILLEGAL_MOVE,
    "tow": AlarmCode.ILLEGAL_MOVE,
    "overspeed": AlarmCode.OVERSPEED,
    "lowPower": AlarmCode.LOW_VOLTAGE,
    "lowBattery": AlarmCode.LOW_BATTERY,
    "powerCut": AlarmCode.POWER_CUT,
    "door": AlarmCode.ILLEGAL_DOOR_OPEN,
    "gpsAntennaCut": AlarmCode.GNSS_ANTENNA_CUT,
    "accident": AlarmCode.COLLISION,
    "fatigueDriving": AlarmCode.FATIGUE,
    "jamming": AlarmCode.JAMMING,
    "tampering": AlarmCode.TAMPER,
    "removing": AlarmCode.REMOVAL,
    "fuelLeak": AlarmCode.FUEL_ABNORMAL,
}
"""Traccar's alarm names (``Position.ALARM_*``) → canonical codes; canonical names pass too."""
_CANONICAL: Final = {code.value: code for code in DEVICE_ALARMS}


@dataclass(slots=True)
class OsmAndReport:
    """One request: who sent it, the token it presented, and what it reported."""

    device_id: str
    token: str | None
    observations: list[Observation]


@dataclass(slots=True)
class _Fix:
    """What the parameters of one request say, filled in parameter order."""

    tz: tzinfo
    speed_factor: float
    device_id: str | None = None
    token: str | None = None
    time_ms: int | None = None
    lat: float | None = None
    lon: float | None = None
    altitude_m: float | None = None
    speed_kmh: float | None = None
    course: float | None = None
    accuracy_m: float | None = None
    valid: bool = True
    alarms: list[str] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)


def number(name: str, value: str) -> float:
    """A finite decimal number, or a :class:`ProtocolError` naming ``name``."""
    try:
        result = float(value)
    except ValueError:
        raise ProtocolError(f"{name}: {value[:40]!r} is not a number") from None
    if not math.isfinite(result):
        raise ProtocolError(f"{name}: {value[:40]!r} is not a finite number")
    return result


def in_range(name: str, value: float, low: float, high: float) -> float:
    if not low <= value <= high:
        raise ProtocolError(f"{name}: {value:g} is outside {low:g}..{high:g}")
    return value


def boolean(name: str, value: str) -> bool:
    text = value.strip().lower()
    if text in {"true", "1"}:
        return True
    if text in {"false", "0"}:
        return False
    raise ProtocolError(f"{name}: {value[:40]!r} is not true/false/1/0")


def device_key(value: str) -> str:
    text = value.strip()
    if not DEVICE_KEY.match(text):
        raise ProtocolError(f"id: {value[:60]!r} is not a device id (1-40 of A-Z a-z 0-9 . _ : -)")
    return text


def parse_time(value: str, tz: tzinfo) -> int:
    """Epoch seconds/ms, ISO-8601 or ``yyyy-MM-dd HH:mm:ss`` → epoch ms (naive: in ``tz``)."""
    text = value.strip()
    if text.replace(".", "", 1).isdigit():
        seconds = number("timestamp", text)
        return round(seconds * 1000) if seconds < SECONDS_LIMIT else round(seconds)
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise ProtocolError(
            f"timestamp: {value[:40]!r} is not epoch seconds/ms, ISO-8601 or yyyy-MM-dd HH:mm:ss"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return round(moment.timestamp() * 1000)


def alarm_codes(value: str) -> tuple[list[str], list[str]]:
    """``sos,powerCut`` → (canonical codes, names that map to none)."""
    codes, unknown = [], []
    for name in filter(None, (part.strip() for part in value.split(","))):
        code = TRACCAR_ALARMS.get(name) or _CANONICAL.get(name)
        if code is None:
            unknown.append(name)
        else:
            codes.append(code.value)
    return codes, unknown


def _id(fix: _Fix, value: str) -> None:
    fix.device_id = device_key(value)


def _token(fix: _Fix, value: str) -> None:
    fix.token = value


def _valid(fix: _Fix, value: str) -> None:
    fix.valid = boolean("valid", value)


def _timestamp(fix: _Fix, value: str) -> None:
    fix.time_ms = parse_time(value, fix.tz)


def _lat(fix: _Fix, value: str) -> None:
    fix.lat = in_range("lat", number("lat", value), -90, 90)


def _lon(fix: _Fix, value: str) -> None:
    fix.lon = in_range("lon", number("lon", value), -180, 180)


def _location(fix: _Fix, value: str) -> None:
    parts = value.split(",")
    if len(parts) != 2:
        raise ProtocolError(f"location: {value[:40]!r} is not lat,lon")
    _lat(fix, parts[0])
    _lon(fix, parts[1])


def _cell(fix: _Fix, value: str) -> None:
    parts = value.split(",")
    if len(parts) not in (4, 5):
        raise ProtocolError(f"cell: {value[:60]!r} is not mcc,mnc,lac,ci[,signal]")
    try:
        mcc, mnc, lac, ci, *signal = (int(p) for p in parts)
    except ValueError:
        raise ProtocolError(f"cell: {value[:60]!r} has a non-integer part") from None
    cell = {
        "mcc": mcc,
        "mnc": mnc,
        "lac": lac,
        "ci": ci,
        "signal_dbm": signal[0] if signal else None,
    }
    fix.attributes.setdefault("cells", []).append(cell)


def _wifi(fix: _Fix, value: str) -> None:
    mac, _, rssi = value.partition(",")
    signal = int(number("wifi", rssi)) if rssi else None
    fix.attributes.setdefault("wifi", []).append(
        {"mac": mac.replace("-", ":").lower(), "signal_dbm": signal}
    )


def _speed(fix: _Fix, value: str) -> None:
    speed = number("speed", value)
    fix.speed_kmh = round(speed * fix.speed_factor, 3) if speed >= 0 else None  # -1: unknown


def _course(fix: _Fix, value: str) -> None:
    course = number("bearing", value)
    fix.course = in_range("bearing", course, 0, 360) % 360 if course >= 0 else None


def _altitude(fix: _Fix, value: str) -> None:
    fix.altitude_m = number("altitude", value)


def _accuracy(fix: _Fix, value: str) -> None:
    accuracy = number("accuracy", value)
    fix.accuracy_m = accuracy if accuracy >= 0 else None


def _hdop(fix: _Fix, value: str) -> None:
    fix.attributes["hdop"] = number("hdop", value)


def _battery(fix: _Fix, value: str) -> None:
    level = number("batt", value)
    if level >= 0:
        fix.attributes["battery_pct"] = in_range("batt", level, 0, 100)


def _charge(fix: _Fix, value: str) -> None:
    fix.attributes["charging"] = boolean("charge", value)


def _driver(fix: _Fix, value: str) -> None:
    fix.attributes["driver_id"] = value


def _ignition(fix: _Fix, value: str) -> None:
    fix.attributes["ignition"] = boolean("ignition", value)


def _event(fix: _Fix, value: str) -> None:
    fix.attributes["event"] = value


def _alarm(fix: _Fix, value: str) -> None:
    codes, unknown = alarm_codes(value)
    fix.alarms.extend(codes)
    if unknown:
        fix.attributes["raw.alarm"] = ",".join(unknown)


PARAMETERS: Final[dict[str, Callable[[_Fix, str], None]]] = {
    "id": _id,
    "deviceid": _id,
    "token": _token,
    "valid": _valid,
    "timestamp": _timestamp,
    "lat": _lat,
    "lon": _lon,
    "location": _location,
    "cell": _cell,
    "wifi": _wifi,
    "speed": _speed,
    "bearing": _course,
    "heading": _course,
    "altitude": _altitude,
    "accuracy": _accuracy,
    "hdop": _hdop,
    "batt": _battery,
    "charge": _charge,
    "driverUniqueId": _driver,
    "ignition": _ignition,
    "event": _event,
    "alarm": _alarm,
}
"""Parameter → what it sets. Others become ``raw.<name>`` (number, boolean or text)."""


def raw_value(value: str) -> float | bool | str:
    """An unknown parameter's value as Traccar keeps it: a number, a boolean, or the text."""
    try:
        result = float(value)
    except ValueError:
        return {"true": True, "false": False}.get(value, value)
    return result if math.isfinite(result) else value


def device_id(pairs: Sequence[tuple[str, str]]) -> str:
    """The device id of a request (``id`` or ``deviceid``), checked."""
    for key, value in pairs:
        if key in ("id", "deviceid"):
            return device_key(value)
    raise ProtocolError("id: missing (the device id, also accepted as deviceid)")


def parse_params(
    pairs: Sequence[tuple[str, str]],
    *,
    server_time_ms: int,
    tz: tzinfo = UTC,
    speed_unit: SpeedUnit = "kn",
) -> OsmAndReport:
    """Decode the parameters of one request (query string and/or form, in order)."""
    if len(pairs) > MAX_PARAMETERS:
        raise ProtocolError(f"too many parameters ({len(pairs)} > {MAX_PARAMETERS})")
    fix = _Fix(tz=tz, speed_factor=KMH_PER[speed_unit])
    for key, value in pairs:
        if len(value) > MAX_VALUE_CHARS:
            raise ProtocolError(f"{key[:40]}: value longer than {MAX_VALUE_CHARS} characters")
        handler = PARAMETERS.get(key)
        if handler is not None:
            handler(fix, value)
        elif key:
            fix.attributes[f"raw.{key[:64]}"] = raw_value(value)
    if fix.device_id is None:
        raise ProtocolError("id: missing (the device id, also accepted as deviceid)")
    if (fix.lat is None) != (fix.lon is None):
        raise ProtocolError("lat and lon go together")
    signed = "&".join(sorted(f"{k}={v}" for k, v in pairs if k != "token"))
    return OsmAndReport(fix.device_id, fix.token, [_observation(fix, server_time_ms, signed)])


def _observation(fix: _Fix, server_time_ms: int, signed: str) -> Observation:
    assert fix.device_id is not None
    time_ms = fix.time_ms
    if time_ms is None or time_ms < MIN_TIME_MS:
        if time_ms is not None:
            fix.attributes["raw.timestamp"] = time_ms  # a clock that was never set
        time_ms = server_time_ms
    located = fix.lat is not None
    return Observation(
        device_key=fix.device_id,
        protocol=PROTOCOL,
        time_ms=time_ms,
        server_time_ms=server_time_ms,
        kind=ObservationKind.POSITION,
        lat=fix.lat,
        lon=fix.lon,
        altitude_m=fix.altitude_m,
        speed_kmh=fix.speed_kmh,
        course=fix.course,
        valid=fix.valid and located,
        fix_source=FixSource.GPS if located else FixSource.NONE,
        accuracy_m=fix.accuracy_m,
        alarms=tuple(dict.fromkeys(fix.alarms)),
        attributes=fix.attributes,
        idem=idem_of(signed.encode()),
    )
