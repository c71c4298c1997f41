"""Typed decoding of the standard 0x0200 additional items (TLV id, length, value), as data.

:data:`EXTRA_ITEMS` describes each standard item: its accepted declared lengths and its fields,
each with a ``value_fn`` that turns the value bytes into a value. Items with another id, or a
standard id with an unexpected declared length (e.g. 0x2B sent with 8 bytes), stay raw and
surface as ``raw.0xNN`` hex attributes. Field ``key`` names match the acceptance vectors;
``attribute`` is the shared :class:`~assetwatch.model.observation.Observation` name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

ValueFn = Callable[[bytes], Any]


@dataclass(frozen=True, slots=True)
class ExtraField:
    """One value decoded from an item. ``attribute`` is ``None`` for fields kept out of
    Observation attributes; ``value_fn`` may return ``None`` for an absent optional part."""

    key: str
    value_fn: ValueFn
    attribute: str | None
    lengths: frozenset[int] | None = None
    """Declared lengths this field applies to (None: every length of its item)."""

    def applies(self, length: int) -> bool:
        return self.lengths is None or length in self.lengths


@dataclass(frozen=True, slots=True)
class ExtraItem:
    """A standard additional item: id, name, accepted declared lengths and fields."""

    item_id: int
    name: str
    lengths: frozenset[int]
    fields: tuple[ExtraField, ...]


def _uint(value: bytes) -> int:
    return int.from_bytes(value, "big")


def _tenths(value: bytes) -> float:
    return int.from_bytes(value, "big") / 10


def _first_byte(value: bytes) -> int:
    return value[0]


def _last_byte(value: bytes) -> int:
    return value[-1]


def _area_id(value: bytes) -> int | None:
    return int.from_bytes(value[1:5], "big") if len(value) >= 5 else None


def _bits_set(value: bytes) -> list[int]:
    raw = int.from_bytes(value, "big")
    return [bit for bit in range(len(value) * 8) if raw >> bit & 1]


def _bit(bit: int) -> ValueFn:
    def value_fn(value: bytes) -> bool:
        return bool(int.from_bytes(value, "big") >> bit & 1)

    return value_fn


def _word(offset: int) -> ValueFn:
    def value_fn(value: bytes) -> int:
        return int.from_bytes(value[offset : offset + 2], "big")

    return value_fn


def _words(value: bytes) -> list[int]:
    return [int.from_bytes(value[i : i + 2], "big") for i in range(0, len(value) - 1, 2)]


def _sign_magnitude(value: bytes) -> int:
    raw = int.from_bytes(value, "big")
    return -(raw & 0x7FFF) if raw & 0x8000 else raw


def _tire_pressures(value: bytes) -> list[int]:
    return [b for b in value if b != 0xFF]


def _item(item_id: int, name: str, lengths: Iterable[int], *fields: ExtraField) -> ExtraItem:
    return ExtraItem(item_id, name, frozenset(lengths), fields)


F = ExtraField
_STANDARD_2B: Final = frozenset({4})
EXTRA_ITEMS: Final[tuple[ExtraItem, ...]] = (
    _item(0x01, "mileage", [4], F("mileage_km", _tenths, "mileage_km")),
    _item(0x02, "fuel", [2], F("fuel_l", _tenths, "fuel_l")),
    _item(0x03, "recorder_speed", [2], F("recorder_speed_kmh", _tenths, "recorder_speed_kmh")),
    _item(0x04, "alarm_event", [2], F("alarm_event_id", _uint, "alarm_event_id")),
    _item(0x05, "tire_pressure", [30], F("tire_pressure", _tire_pressures, "tire_pressure")),
    _item(0x06, "cargo_temperature", [2], F("cargo_temp_c", _sign_magnitude, "cargo_temp_c")),
    _item(
        0x11, "overspeed_area", [1, 5],
        F("location_type", _first_byte, "overspeed_location_type"),
        F("area_id", _area_id, "overspeed_area_id"),
    ),
    _item(
        0x12, "area_in_out", [6],
        F("location_type", _first_byte, "inout_location_type"),
        F("area_id", _area_id, "inout_area_id"),
        F("direction", _last_byte, "inout_direction"),
    ),
    _item(
        0x13, "route_time", [7],
        F("route_id", lambda v: _uint(v[:4]), "route_id"),
        F("drive_time_s", _word(4), "route_drive_time_s"),
        F("result", _last_byte, "route_time_result"),
    ),
    _item(
        0x25, "ext_signals", [4],
        F("ext_signal_status", _uint, "ext_signal_status"),
        F("ext_bits_set", _bits_set, None),
    ),
    _item(
        0x2A, "io_status", [2],
        F("io_status", _uint, "io_status"),
        F("deep_sleep", _bit(0), "deep_sleep"),
        F("sleep", _bit(1), "sleep"),
    ),
    _item(
        0x2B, "analog", [2, 4, 6, 8],
        F("analog_raw", _uint, None, _STANDARD_2B),
        F("ad0", _word(2), "ad0", _STANDARD_2B),
        F("ad1", _word(0), "ad1", _STANDARD_2B),
        F("analog_words", _words, "analog_words", frozenset({2, 6, 8})),
    ),
    _item(0x30, "signal", [1], F("rssi", _first_byte, "signal")),
    _item(0x31, "satellites", [1], F("satellites", _first_byte, "satellites")),
)  # fmt: skip
"""Standard items (spec §6.4). 0x2B: AD0 is bits 0–15, i.e. the LAST two bytes on the wire;
devices that send 0x2B with 2, 6 or 8 bytes (vendor channel lists) get ``analog_words``, the
WORDs in wire order, since which channel is which is not standardised."""

EXTRA_BY_ID: Final = {item.item_id: item for item in EXTRA_ITEMS}
_ATTRIBUTE_FNS: Final = {
    item.item_id: {
        length: tuple(
            (f.attribute, f.value_fn)
            for f in item.fields
            if f.attribute is not None and f.applies(length)
        )
        for length in item.lengths
    }
    for item in EXTRA_ITEMS
}
RAW_KEYS: Final = tuple(f"raw.0x{item_id:02x}" for item_id in range(256))
"""``raw.0xNN`` attribute name per item id."""


def decode_extra(item_id: int, value: bytes) -> dict[str, Any]:
    """Typed fields of one item; empty for unknown ids or unexpected declared lengths."""
    item = EXTRA_BY_ID.get(item_id)
    if item is None or len(value) not in item.lengths:
        return {}
    decoded: dict[str, Any] = {}
    for field in item.fields:
        if not field.applies(len(value)):
            continue
        field_value = field.value_fn(value)
        if field_value is not None:
            decoded[field.key] = field_value
    return decoded


def add_extra_attributes(attributes: dict[str, Any], extras: Iterable[tuple[int, bytes]]) -> None:
    """Add Observation attributes for ``extras`` to ``attributes``.

    Typed items give their shared names; anything else gives ``raw.0xNN`` = hex. An item id
    may repeat: later occurrences get ``_2``, ``_3``… suffixes instead of overwriting.
    """
    specs = _ATTRIBUTE_FNS
    for item_id, value in extras:
        spec = specs.get(item_id)
        fns = spec.get(len(value)) if spec is not None else None
        if fns is not None:
            for name, value_fn in fns:
                field_value = value_fn(value)
                if field_value is None:
                    continue
                if name in attributes:
                    _put_repeated(attributes, name, field_value)
                else:
                    attributes[name] = field_value
        else:
            name = RAW_KEYS[item_id]
            if name in attributes:
                _put_repeated(attributes, name, value.hex())
            else:
                attributes[name] = value.hex()


def _put_repeated(attributes: dict[str, Any], name: str, value: Any) -> None:
    suffix = 2
    while f"{name}_{suffix}" in attributes:
        suffix += 1
    attributes[f"{name}_{suffix}"] = value


def describe_extras(extras: Iterable[tuple[int, bytes]]) -> list[dict[str, Any]]:
    """JSON-ready list: ``{"id": "0x01", "len": 4, "hex": "…", <typed fields>}`` per item."""
    return [
        {"id": f"0x{item_id:02x}", "len": len(value), "hex": value.hex()}
        | decode_extra(item_id, value)
        for item_id, value in extras
    ]
