"""Fuzz targets of the HTTP/MQTT ingestion codecs, run by ``fuzz_codecs.py``.

``osmand`` (query strings and form bodies), ``osmand-json`` (Traccar Client JSON bodies) and
``jsonmsg`` (JSON v1 messages of every kind, decoded by kind and by ``type``), with a
text-aware mutator (interesting tokens, boundary digits) instead of the byte-level one.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from assetwatch.errors import ProtocolError
from assetwatch.protocols import jsonmsg
from assetwatch.protocols.osmand_request import parse_request

SERVER_MS = 1_780_000_000_000


OSMAND_SEEDS = [
    b"id=123456789012345&timestamp=1504763810&lat=40.7232948571&lon=-74.0061408571"
    b"&bearing=7.19889788244&speed=40&ignition=true&rpm=933&fuel=24",
    b"id=902064&lat=42.06288&lon=-88.23412&timestamp=2016-01-27T18%3A55%3A47Z&hdop=6.0"
    b"&altitude=224.0&speed=0.0&batt=87&charge=false&accuracy=12.5",
    b"lat=49.60688&lon=6.15788&timestamp=2014-06-04+09%3A10%3A11&altitude=384.7&deviceid=35386",
    b"id=123456&timestamp=1377177267&cell=257,02,16,2224&cell=257,02,16,2223,-90"
    b"&wifi=00-14-22-01-23-45,-80&alarm=sos,powerCut&valid=1&location=60.0,30.0",
]
OSMAND_JSON_SEEDS = [
    json.dumps(
        {
            "device_id": "48241179",
            "location": {
                "timestamp": "2025-06-15T13:45:12.862Z",
                "uuid": "0e9a2473-a9a7-4c00-997b-fb97d2154e75",
                "coords": {
                    "latitude": 37.42,
                    "longitude": -122.08,
                    "accuracy": 5,
                    "speed": 3.5,
                    "heading": -1,
                    "altitude": 5,
                },
                "is_moving": True,
                "odometer": 1520.5,
                "event": "motionchange",
                "battery": {"level": 0.79, "is_charging": False},
                "activity": {"type": "still"},
                "mock": False,
                "extras": {"alarm": "sos", "trip": 7},
            },
        }
    ).encode(),  # fmt: skip
    b'{"device_id": 658765, "location": [{"timestamp": "2025-05-09T04:11:30Z",'
    b' "battery": {"level": -1}}, {"coords": {"latitude": 1, "longitude": 2}}]}',
]
JSONMSG_SEEDS = [
    b'{"type": "position", "lat": 22.5431, "lon": 114.0579, "time": "2026-01-01T08:00:00+08:00",'
    b' "msg_id": "p-1", "speed_kmh": 32.5, "course": 90, "battery_pct": 80, "ignition": true,'
    b' "cells": [{"mcc": 460, "mnc": 0, "lac": 9520, "ci": 3671, "signal_dbm": -71}],'
    b' "attributes": {"vendor": "x"}}',
    b'{"type": "reading", "time": 1767225600000, "sensor": "probe-2", "temperature_c": -18.5,'
    b' "door_open": false, "values": {"pressure": {"value": 2.4, "unit": "bar"}}}',
    b'{"type": "event", "alarms": ["tamper", "power_cut"], "event": "lid_open",'
    b' "lat": 1, "lon": 2}',
    b'{"type": "batch", "items": [{"type": "position", "lat": 1, "lon": 2, "time": 1767225600000},'
    b' {"type": "event", "alarms": ["removal"], "time": 1767225601000}]}',
]


def _osmand(data: bytes, _rng: random.Random) -> int:
    text = data.decode("latin-1")
    decoded = 0
    for query, body, content_type in (
        (text, b"", ""),
        ("", data, "application/x-www-form-urlencoded"),
    ):
        try:
            report = parse_request(
                query=query, body=body, content_type=content_type, server_time_ms=SERVER_MS
            )
        except ProtocolError:
            continue
        decoded += len(report.observations)
    return decoded


def _osmand_json(data: bytes, _rng: random.Random) -> int:
    report = parse_request(
        query="token=x", body=data, content_type="application/json", server_time_ms=SERVER_MS
    )
    return len(report.observations)


def _jsonmsg(data: bytes, _rng: random.Random) -> int:
    decoded = 0
    for kind in (None, *jsonmsg.KINDS):
        try:
            message = jsonmsg.decode(data, kind)
        except ProtocolError:
            continue
        decoded += len(
            jsonmsg.to_observations(
                message, device_key="d", protocol="mqtt", server_time_ms=SERVER_MS
            )
        )
    return decoded


INTERESTING = [b"-1", b"0", b"1e999", b"NaN", b"null", b"true", b"[]", b"{}", b'""', b"%",
               b"%ff", b"&", b"=", b",", b"9" * 30, b"\xff\xfe", b"\x00", b"T", b"Z",
               b"+08:00"]  # fmt: skip


def mutate_text(rng: random.Random, seed: bytes, seeds: list[bytes]) -> bytes:
    data = bytearray(seed)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        at = rng.randrange(len(data) + 1)
        if op == 0 and data:  # flip a byte
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif op == 1:  # insert an interesting token
            data[at:at] = rng.choice(INTERESTING)
        elif op == 2 and data:  # delete a range
            del data[at : at + rng.randint(1, 16)]
        elif op == 3 and data:  # duplicate a slice
            end = min(len(data), at + rng.randint(1, 32))
            data[at:at] = data[at:end]
        elif op == 4:  # splice with another seed
            other = rng.choice(seeds)
            cut = rng.randrange(len(other) + 1)
            data = data[:at] + bytearray(other[cut:])
        elif data:  # change one digit: boundary values
            digits = [i for i, b in enumerate(data) if 48 <= b <= 57]
            if digits:
                data[rng.choice(digits)] = rng.choice(b"0959")
    return bytes(data)


def ingest_targets(target: Callable[..., Any]) -> dict[str, Any]:
    """The ingestion targets, built with ``fuzz_targets.FuzzTarget``."""
    return {
        "osmand": target("osmand", OSMAND_SEEDS, _osmand, mutate=mutate_text),
        "osmand-json": target("osmand-json", OSMAND_JSON_SEEDS, _osmand_json, mutate=mutate_text),
        "jsonmsg": target("jsonmsg", JSONMSG_SEEDS, _jsonmsg, mutate=mutate_text),
    }
