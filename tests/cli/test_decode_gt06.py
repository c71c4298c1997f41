"""``assetwatch decode --protocol gt06`` reproduces every GT06 vector, one JSON line each."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.protocols.gt06.gt06_support import load_vectors

VECTORS = load_vectors()
POSITION_PROTOCOLS = {"0x10", "0x12", "0x16", "0x1a", "0x22", "0x26", "0x27", "0x2a", "0xa0"}


def run_decode(lines: list[str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assetwatch", "decode", "--protocol", "gt06", *extra, "-"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )


def expected_position(vector: dict[str, Any]) -> dict[str, Any] | None:
    body = vector["expected"]["body"]
    if vector["protocol_number"] not in POSITION_PROTOCOLS or "gps" not in body:
        return None
    return dict(body["gps"])


def test_every_vector_decodes_as_expected() -> None:
    result = run_decode([v["hex"] for v in VECTORS])
    assert result.returncode == 0, result.stderr
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outputs) == len(VECTORS) == 76
    for vector, out in zip(VECTORS, outputs, strict=True):
        where, expected = vector["id"], vector["expected"]
        assert out["protocol"] == "gt06"
        assert out["message_id"] == vector["protocol_number"], where
        assert out["version"] == vector["start"], where
        assert out["serial"] == expected["serial"], where
        assert out["checksum_ok"] is expected["crc_ok"], where
        imei = expected["body"].get("imei") if vector["protocol_number"] == "0x01" else None
        assert out["device_id"] == imei, where
        gps = expected_position(vector)
        if gps is None:
            assert out["positions"] == [] or vector["protocol_number"] in {"0x28", "0x21"}, where
            continue
        (position,) = out["positions"]
        if gps["lat_raw"] or gps["lon_raw"]:
            assert round(position["lat"], 6) == gps["latitude"], where
            assert round(position["lon"], 6) == gps["longitude"], where
        assert position["valid"] is (gps["positioned"] and bool(gps["lat_raw"] or gps["lon_raw"]))
        assert position["speed_kmh"] == gps["speed_kmh"], where
        assert position["course"] == gps["course"], where
        assert position["time"] == gps["datetime"].replace(" ", "T") + "Z", where


def test_the_time_zone_option_moves_classic_local_times() -> None:
    classic = next(v for v in VECTORS if v["id"] == "GT06-109")
    result = run_decode([classic["hex"]], "--tz", "+08:00")
    (out,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert out["positions"][0]["time"] == "2011-08-29T09:46:16Z"


def test_a_bad_frame_yields_an_error_line_in_place_and_a_failing_exit() -> None:
    good = VECTORS[0]["hex"]
    result = run_decode([good, "7878zz", good[:20], "ffff"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1
    assert len(lines) == 4
    assert lines[0]["message_id"] == VECTORS[0]["protocol_number"]
    for line in lines[1:]:
        assert set(line) == {"error"} and line["error"]
    assert "incomplete frame" in lines[2]["error"]


def test_jt808_stays_the_default() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assetwatch", "decode", "7e0002000001234567890100008a7e"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and json.loads(result.stdout)["protocol"] == "jt808"
