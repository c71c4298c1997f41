"""In-process component costs of the ingest hot path, per frame / point / observation.

* codec: ``FrameSplitter.feed`` on 32-frame chunks, ``decode_frame``, ``to_observations`` and
  encoding the 0x8001 ack, on the exact frames the load client sends;
* geofence: ``FenceIndex.containing`` (one bulk STRtree query) over batches of points of the
  load area against the provisioned fences, and for comparison a bounding-box query followed
  by ``shapely.contains_xy`` on prepared polygons (same hits, checked);
* processor: ``Processor.process`` on batches of observations interleaved across devices,
  committed to a copy of the provisioned SQLite database (WAL, ``synchronous=FULL``), and a
  cProfile of those calls giving each stage's share.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely

from assetwatch.observability import Metrics
from assetwatch.pipeline.bus import MemoryBus
from assetwatch.pipeline.directory import DeviceDirectory
from assetwatch.pipeline.processor import Processor, ProcessorSettings
from assetwatch.places.fences import load_fences
from assetwatch.protocols import jt808
from assetwatch.rules.geofence import FenceIndex
from assetwatch.simulate.jt808_link import LOCATION, encode_location, location_report
from assetwatch.simulate.load import load_phone, wandering_track
from assetwatch.simulate.routes import LatLon
from assetwatch.storage.engine import open_engine, sqlite_url

CHINA = ZoneInfo("Asia/Shanghai")
STAGES = {  # label -> (file suffix, function name) in cProfile's stats
    "Batch.add (classify, state, rows)": ("pipeline/batch.py", "add"),
    "Batch.run_geofences (STRtree + rules)": ("pipeline/batch.py", "run_geofences"),
    "  FenceIndex.containing": ("rules/geofence.py", "containing"),
    "TrajectoryRules.run (stays, blind, dwell)": ("pipeline/trajectory.py", "run"),
    "  StayDetector.add": ("analytics/stays.py", "add"),
    "  BlindDetector.add": ("analytics/blind.py", "add"),
    "Processor._commit (SQLite tx)": ("pipeline/processor.py", "_commit"),
    "  insert_observations": ("pipeline/writer.py", "insert_observations"),
    "  _record (events + alarms)": ("pipeline/processor.py", "_record"),
    "  recheck_window (late data; 0 here)": ("pipeline/retro.py", "recheck_window"),
    "  insert_segments (stays, trips)": ("pipeline/trajectory_store.py", "insert_segments"),
    "  sqlite3 COMMIT": ("~", "<method 'commit' of 'sqlite3.Connection' objects>"),
    "  save_device_states": ("pipeline/writer.py", "save_device_states"),
    "  save_asset_states": ("pipeline/writer.py", "save_asset_states"),
    "_position_message (live feed)": ("pipeline/processor.py", "_position_message"),
}


def _best_per_item(fn: Callable[[], int], repeat: int) -> float:
    """Best of ``repeat`` runs of ``fn`` (which returns how many items it did), µs/item."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        items = fn()
        best = min(best, (time.perf_counter() - t0) / max(items, 1))
    return best * 1e6


def location_frames(devices: int, reports: int, centre: LatLon, radius_m: float) -> list[bytes]:
    """Wire frames as the load client sends them, interleaved across devices."""
    end = datetime.now(UTC)
    per_device = []
    for i in range(devices):
        track = wandering_track(i, reports, centre=centre, radius_m=radius_m, end=end)
        phone = load_phone(i)
        per_device.append(
            [jt808.encode_frame(LOCATION, phone, k, encode_location(location_report(fix)))
             for k, fix in enumerate(track)]
        )  # fmt: skip
    return [frames[k] for k in range(reports) for frames in per_device]


def codec(frames: list[bytes], repeat: int = 5) -> dict[str, float]:
    """µs per frame of each codec step of the gateway."""
    chunks = [b"".join(frames[i : i + 32]) for i in range(0, len(frames), 32)]
    contents = [c for chunk in chunks for c in jt808.FrameSplitter().feed(chunk)]
    messages = [jt808.decode_frame(c) for c in contents]
    now = int(time.time() * 1000)

    def split() -> int:
        splitter = jt808.FrameSplitter()
        return sum(len(splitter.feed(chunk)) for chunk in chunks)

    def decode() -> int:
        for content in contents:
            jt808.decode_frame(content)
        return len(contents)

    def observe() -> int:
        for m in messages:
            jt808.to_observations(m, device_key=m.header.phone, tz=CHINA, server_time_ms=now)
        return len(messages)

    def ack() -> int:
        for m in messages:
            h = m.header
            body = jt808.encode_platform_response(h.serial, h.msg_id, 0)
            jt808.encode_frame(0x8001, h.phone, h.serial, body, version=h.version)
        return len(messages)

    def all_steps() -> int:
        splitter = jt808.FrameSplitter()
        for chunk in chunks:
            for content in splitter.feed(chunk):
                m = jt808.decode_frame(content)
                jt808.to_observations(m, device_key=m.header.phone, tz=CHINA, server_time_ms=now)
        return len(contents)

    steps = {"split": split, "decode": decode, "to_observations": observe, "encode_ack": ack}
    result = {f"{name}_us": _best_per_item(fn, repeat) for name, fn in steps.items()}
    result["split_decode_observe_us"] = _best_per_item(all_steps, repeat)
    return result


def geofence(data_dir: Path, frames: list[bytes], batch: int, repeat: int = 5) -> dict[str, float]:
    """µs per point of one bulk point-in-fence query per ``batch`` points."""
    engine = open_engine(sqlite_url(data_dir))
    try:
        with engine.connect() as conn:
            index = FenceIndex(load_fences(conn))
    finally:
        engine.dispose()
    bodies = [jt808.decode_frame(c).body for f in frames for c in jt808.FrameSplitter().feed(f)]
    lons = [b.lon for b in bodies]
    lats = [b.lat for b in bodies]
    hits = sum(len(h) for h in index.containing(lons, lats))

    def query() -> int:
        for i in range(0, len(lons), batch):
            index.containing(lons[i : i + batch], lats[i : i + batch])
        return len(lons)

    geoms = np.array([f.geometry for f in index.fences])
    shapely.prepare(geoms)
    tree = shapely.STRtree(geoms)
    x, y = np.asarray(lons), np.asarray(lats)

    def prepared(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        points, fences = tree.query(shapely.points(xs, ys))  # bounding boxes only
        inside = shapely.contains_xy(geoms[fences], xs[points], ys[points])
        return points[inside], fences[inside]

    def query_prepared() -> int:
        for i in range(0, len(x), batch):
            prepared(x[i : i + batch], y[i : i + batch])
        return len(x)

    reference = tree.query(shapely.points(x, y), predicate="within")
    alternative = prepared(x, y)
    same = sorted(zip(*(a.tolist() for a in reference), strict=True)) == sorted(
        zip(*(a.tolist() for a in alternative), strict=True)
    )
    return {
        "fences": float(len(index)),
        "batch_points": float(batch),
        "containing_us": _best_per_item(query, repeat),
        "bbox_contains_xy_prepared_us": _best_per_item(query_prepared, repeat),
        "prepared_same_hits": same,
        "fences_per_point": hits / max(len(lons), 1),
    }


def processor(
    data_dir: Path, frames: list[bytes], batch: int, late_after_s: float
) -> dict[str, Any]:
    """µs per observation of ``Processor.process`` on ``batch``-sized batches, plus the share
    of each stage from a cProfile of a second pass (fresh devices' later reports)."""
    engine = open_engine(sqlite_url(data_dir))
    try:
        settings = ProcessorSettings(batch_max=batch, late_after_s=late_after_s)
        proc = Processor(
            engine, MemoryBus(), DeviceDirectory(engine), Metrics(), lambda _: None, settings
        )
        now = int(time.time() * 1000)
        observations = []
        for f in frames:
            for content in jt808.FrameSplitter().feed(f):
                m = jt808.decode_frame(content)
                observations += jt808.to_observations(
                    m, device_key=m.header.phone, tz=CHINA, server_time_ms=now
                )
        half = len(observations) // 2
        batches = [observations[i : min(i + batch, half)] for i in range(0, half, batch)]
        t0 = time.perf_counter()
        for b in batches:
            proc.process(b)
        timed = (time.perf_counter() - t0) / max(half, 1) * 1e6
        profile = cProfile.Profile()
        profile.enable()
        for i in range(half, len(observations), batch):
            proc.process(observations[i : i + batch])
        profile.disable()
        return {"batch": batch, "process_us": timed, "stages_pct": _stage_shares(profile)}
    finally:
        engine.dispose()


def _stage_shares(profile: cProfile.Profile) -> dict[str, float]:
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(tt for (_, _, tt, _, _) in stats.values())
    shares = {}
    for label, (suffix, name) in STAGES.items():
        cumulative = sum(
            ct for (file, _, func), (_, _, _, ct, _) in stats.items()
            if func == name and file.endswith(suffix)
        )  # fmt: skip
        shares[label] = 100.0 * cumulative / total if total else 0.0
    return shares
