"""``assetwatch decode --protocol osmand``: one JSON line per request, errors included."""

from __future__ import annotations

import json
import subprocess
import sys


def run_decode(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assetwatch", "decode", "--protocol", "osmand", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_urls_query_strings_and_json_bodies_decode_in_order() -> None:
    body = json.dumps(
        {
            "device_id": "p2",
            "location": {
                "timestamp": "2025-06-15T13:45:12Z",
                "coords": {"latitude": 1.5, "longitude": 2.5, "speed": 10},
            },
        }
    )
    result = run_decode(
        "-",
        stdin="http://tracker.example:5055/?id=p1&lat=22.5&lon=114.0&timestamp=1700000000&speed=10\n"
        "# a comment\n"
        "id=p1&lat=22.6&lon=114.1&timestamp=2023-11-14T22:13:21Z&alarm=sos\n"
        f"{body}\n",
    )
    assert result.returncode == 0, result.stderr
    first, second, third = (json.loads(line) for line in result.stdout.splitlines())
    assert first["protocol"] == "osmand" and first["device_id"] == "p1"
    assert first["positions"][0] | {"attributes": None} == {
        "time": "2023-11-14T22:13:20.000Z",
        "lat": 22.5,
        "lon": 114.0,
        "altitude_m": None,
        "speed_kmh": 18.52,
        "course": None,
        "accuracy_m": None,
        "valid": True,
        "alarms": [],
        "attributes": None,
    }
    assert second["positions"][0]["alarms"] == ["sos"]
    assert third["device_id"] == "p2" and third["positions"][0]["speed_kmh"] == 36.0


def test_a_bad_request_is_an_error_line_and_a_failing_exit() -> None:
    result = run_decode("id=p1&lat=1&lon=2", "lat=1&lon=2", "id=p1&lat=x&lon=2")
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["device_id"] == "p1"
    assert lines[1] == {"error": "line 2: id: missing (the device id, also accepted as deviceid)"}
    assert lines[2] == {"error": "line 3: lat: 'x' is not a number"}


def test_an_unknown_protocol_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assetwatch", "decode", "--protocol", "nope", "00"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "supported: jt808, gt06, osmand" in result.stderr
