"""``assetwatch decode`` reproduces every in-scope JT/T 808 vector, one JSON line per frame."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.protocols.jt808.jt808_support import load_vectors

FRAMES = [v for v in load_vectors() if v["in_scope"] and v.get("hex", "").lower().startswith("7e")]


def expected_positions(vector: dict[str, Any]) -> list[dict[str, Any]]:
    body = vector["body"]
    if vector["message_id"] == "0x0200":
        return [body]
    if vector["message_id"] == "0x0704":
        return [item["location"] for item in body["items"]]
    return []


def run_decode(lines: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assetwatch", "decode", "--protocol", "jt808", "-"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_in_scope_vector_decodes_as_expected() -> None:
    assert len(FRAMES) >= 90
    result = run_decode([v["hex"] for v in FRAMES])
    assert result.returncode == 0, result.stderr
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outputs) == len(FRAMES)
    for vector, out in zip(FRAMES, outputs, strict=True):
        where = vector["id"]
        assert out["protocol"] == "jt808"
        assert out["message_id"] == vector["message_id"], where
        assert out["device_id"] == vector["header"]["phone_bcd"], where
        assert out["serial"] == vector["header"]["serial"], where
        assert out["checksum_ok"] is vector["checksum_ok"], where
        expected = expected_positions(vector)
        assert len(out["positions"]) == len(expected), where
        for got, want in zip(out["positions"], expected, strict=True):
            if abs(want["latitude"]) <= 90 and abs(want["longitude"]) <= 180:
                sign_lat = -1 if want["south"] else 1
                sign_lon = -1 if want["west"] else 1
                assert got["lat"] == sign_lat * abs(want["latitude"]), where
                assert got["lon"] == sign_lon * abs(want["longitude"]), where
            assert got["speed_kmh"] == want["speed_kmh"], where
            assert got["course"] == want["course"], where
            utc = (want.get("time") or {}).get("utc")
            if utc and utc >= "2000":
                assert got["time"] == utc, where


def test_a_bad_frame_yields_an_error_line_in_place_and_a_failing_exit() -> None:
    good = FRAMES[0]["hex"]
    result = run_decode([good, "7e0200zz7e", good[:20]])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1
    assert len(lines) == 3
    assert lines[0]["message_id"] == FRAMES[0]["message_id"]
    assert set(lines[1]) == {"error"} and lines[1]["error"]
    assert set(lines[2]) == {"error"} and lines[2]["error"]


def test_frames_as_arguments() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assetwatch", "decode", FRAMES[0]["hex"], FRAMES[1]["hex"]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert [json.loads(x)["serial"] for x in result.stdout.splitlines()] == [
        FRAMES[0]["header"]["serial"],
        FRAMES[1]["header"]["serial"],
    ]
