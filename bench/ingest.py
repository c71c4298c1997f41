"""Ingest benchmark: acked JT/T 808 positions per second, end to end over real TCP.

    python bench/ingest.py [--devices N] [--reports M] [--fences K] [--quick] [--profile]

1. provisions a fresh SQLite data dir (tenant, dealer, contract, N assets + N devices, K
   geofences) through the real fleet-file code;
2. baseline: ``bench/baseline_server.py`` (uvloop, frame split + immediate canned ack, no
   decode, no storage) in a subprocess, blasted by ``run_load`` over loopback;
3. platform: ``python -m assetwatch serve`` on a copy of that data dir, blasted the same way
   (decode, K fences, rules, durable SQLite commit, ack after commit);
4. optionally (``--profile``) a second platform round with py-spy attached;
5. in-process component costs (``bench/micro.py``).

On a machine with two or more cores the client runs on CPU 0 and each server on CPU 1, so
the server has exactly one core (its event loop and its commit thread share it). Prints a
table and writes ``bench/results/ingest-latest.json``. DESIGN §6: ≥ 50,000 positions/s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvloop

import fleet_gen
import micro
import procs
from assetwatch.simulate.load import SHENZHEN, LoadStats
from assetwatch.simulate.runner import run_load
from assetwatch.storage.engine import SQLITE_FILENAME
from report import render

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
RADIUS_M = 10_000.0
ALLOWED_CPUS = sorted(os.sched_getaffinity(0))  # before this process pins itself
PROFILE_FOCUS = (  # hot-path functions whose inclusive share the profile reports
    "Jt808Connection.data_received",
    "FrameSplitter.feed",
    "decode_frame",
    "to_observations",
    "Jt808Connection._on_location",
    "MemoryBus.publish",
    "MetricWrapperBase.labels",
    "Processor._handle",
    "Jt808Connection._respond",
    "encode_frame",
    "Processor.process",
    "Batch.add",
    "observation_row",
    "Batch.run_geofences",
    "FenceIndex.containing",
    "transitions",
    "Processor._commit",
    "insert_observations",
    "Processor._record",
    "raise_alarm",
    "save_device_states",
    "save_asset_states",
    "DefaultDialect.do_commit",
    "JSONEncoder.encode",
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="assetwatch ingest benchmark (DESIGN §6)")
    p.add_argument("--devices", type=int, default=200, help="concurrent terminals")
    p.add_argument("--reports", type=int, default=500, help="0x0200 reports per terminal")
    p.add_argument("--fences", type=int, default=1000, help="geofences provisioned")
    p.add_argument("--depth", type=int, default=32, help="un-acked reports per connection")
    p.add_argument("--quick", action="store_true", help="50 devices x 200 reports")
    p.add_argument("--profile", action="store_true", help="extra platform round under py-spy")
    p.add_argument("--idle", action="store_true", help="profile waiting threads too")
    p.add_argument("--no-pin", action="store_true", help="do not pin client/server to cores")
    p.add_argument("--no-micro", action="store_true", help="skip the component breakdown")
    p.add_argument("--src", help="serve the platform from this copy of src/ (A/B a patch)")
    p.add_argument("--timeout", type=float, default=600.0, help="hard limit per load round, s")
    p.add_argument(
        "--late-after-s",
        type=float,
        default=None,
        help="server late threshold; default reports + 600 s so every report is live",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.devices, args.reports = 50, 200
    if args.late_after_s is None:
        args.late_after_s = float(args.reports + 600)
    if args.profile and procs.py_spy() is None:
        p.error("--profile needs py-spy: .venv/bin/pip install py-spy")
    return args


def _git(*argv: str) -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(
            ["git", *argv], cwd=BENCH, capture_output=True, text=True, timeout=10, check=True
        )
        return done.stdout.strip()
    return ""


def machine() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "git": _git("rev-parse", "--short", "HEAD"),
        "src_uncommitted_files": len(_git("status", "--porcelain", "src").splitlines()),
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "uvloop": uvloop.__version__,
        "sqlite": sqlite3.sqlite_version,
        "kernel": platform.release(),
    }


def _cpus(args: argparse.Namespace) -> tuple[set[int] | None, set[int] | None]:
    """(client cpus, server cpus), or no pinning."""
    available = ALLOWED_CPUS
    if args.no_pin or len(available) < 2:
        return None, None
    return {available[0]}, {available[1]}


async def _drive(port: int, args: argparse.Namespace) -> LoadStats:
    async with asyncio.timeout(args.timeout):
        return await run_load(
            "127.0.0.1",
            port,
            devices=args.devices,
            reports_per_device=args.reports,
            pipeline_depth=args.depth,
            centre=SHENZHEN,
            radius_m=RADIUS_M,
            seed=7,
        )


def load_round(
    argv: list[str],
    args: argparse.Namespace,
    *,
    env: dict[str, str] | None = None,
    profile_to: Path | None = None,
    after: Callable[[procs.Server], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Start a server, blast it with ``run_load``, stop it; the figures of the round.

    CPU figures cover the blasting phase only (the last ``elapsed_s`` before ``run_load``
    returned), from a 10 ms trace of the server's and this process's CPU time."""
    client_cpus, server_cpus = _cpus(args)
    os.sched_setaffinity(0, client_cpus or ALLOWED_CPUS)  # the server process inherits this
    with procs.server(argv, env=env, cpus=server_cpus or set(ALLOWED_CPUS)) as srv:
        sampler: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
        if profile_to:
            sampler = procs.sampling(srv.pid, profile_to, idle=args.idle)
        traces = [procs.CpuTrace(srv.cpu_s), procs.CpuTrace(time.process_time)]
        if server_cpus:
            core = min(server_cpus)
            traces.append(procs.CpuTrace(lambda: procs.core_busy_seconds(core)))
        with sampler, contextlib.ExitStack() as stack:
            for trace in traces:
                stack.enter_context(trace)
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                stats = runner.run(_drive(srv.port, args))
                done = time.perf_counter()
            time.sleep(0.05)  # one more sample after the end
        extra = after(srv) if after else {}
    extra["server_log_tail"] = list(srv.output)[-5:]
    server_cpu, client_cpu, *core = (t.between(done - stats.elapsed_s, done) for t in traces)
    per_position = 1e6 / stats.acked if stats.acked else 0.0
    blast = stats.elapsed_s or 1.0
    return extra | {
        "positions_per_s": stats.positions_per_s,
        "acked": stats.acked,
        "sent": stats.sent,
        "refused": stats.refused,
        "failed": stats.failed,
        "connected": stats.connected,
        "blast_s": stats.elapsed_s,
        "p50_ms": stats.latency_ms(0.50),
        "p99_ms": stats.latency_ms(0.99),
        "max_ms": stats.latency_ms(1.0),
        "server_cpu_s": server_cpu,
        "client_cpu_s": client_cpu,
        "server_cpu_util": server_cpu / blast,
        "server_core_busy": core[0] / blast if core else None,
        "client_cpu_util": client_cpu / blast,
        "server_cpu_us_per_position": server_cpu * per_position,
        "client_cpu_us_per_position": client_cpu * per_position,
    }


def platform_round(
    template: Path, work: Path, name: str, args: argparse.Namespace, profile_to: Path | None
) -> dict[str, Any]:
    data_dir = work / name
    shutil.copytree(template, data_dir)
    argv = [sys.executable, "-m", "assetwatch", "serve", "--data-dir", str(data_dir)]
    argv += ["--jt808-port", "0", "--api-port", "0", "--log-level", "WARNING"]
    env = {
        "ASSETWATCH_LATE_AFTER_S": str(args.late_after_s),
        "ASSETWATCH_ENVIRONMENT": "development",  # a local load test: the API is not used
        "ASSETWATCH_IP_RATE_PER_S": "0",  # every simulated device comes from 127.0.0.1
    }
    if args.src:
        env["PYTHONPATH"] = str(Path(args.src).resolve())
    result = load_round(argv, args, env=env, profile_to=profile_to, after=processor_metrics)
    result["db"] = db_counts(data_dir / SQLITE_FILENAME)
    return result


def processor_metrics(srv: procs.Server) -> dict[str, Any]:
    """The platform's own view: batches committed, mean batch size, processing time per
    observation inside ``Processor.process`` (its ``commit_seconds`` histogram)."""
    if srv.api_port is None:
        return {}
    names = ["assetwatch_commit_seconds_count", "assetwatch_commit_seconds_sum"]
    names.append("assetwatch_observations_total")
    m = procs.prometheus(srv.api_port, names)
    batches, seconds = m[names[0]], m[names[1]]
    observations = m["assetwatch_observations_total"]
    return {
        "batches": int(batches),
        "mean_batch": observations / batches if batches else 0.0,
        "process_us_per_observation": 1e6 * seconds / observations if observations else 0.0,
        "process_s": seconds,
    }


def db_counts(path: Path) -> dict[str, int]:
    """What the platform stored: proves the acked positions are durable."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return {
            "observations": conn.execute("SELECT count(*) FROM observations").fetchone()[0],
            "late": conn.execute("SELECT count(*) FROM observations WHERE late").fetchone()[0],
            "events": conn.execute("SELECT count(*) FROM events").fetchone()[0],
            "alarms": conn.execute("SELECT count(*) FROM alarms").fetchone()[0],
        }


def run_micro(template: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    devices, reports = min(args.devices, 200), 100 if args.quick else 250
    frames = micro.location_frames(devices, reports, SHENZHEN, RADIUS_M)
    data_dir = work / "micro"
    shutil.copytree(template, data_dir)
    return {
        "frames": len(frames),
        "codec": micro.codec(frames),
        "geofence": micro.geofence(data_dir, frames, batch=1000),
        "processor": micro.processor(data_dir, frames, 3000, args.late_after_s),
    }


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    template = work / "template"
    result: dict[str, Any] = {"machine": machine(), "params": vars(args).copy()}
    result["provision"] = fleet_gen.provision(
        template, devices=args.devices, fences=args.fences, centre=SHENZHEN, radius_m=RADIUS_M
    )
    print(f"provisioned in {result['provision']['apply_s']:.1f} s; baseline round…", flush=True)
    baseline_argv = [sys.executable, str(BENCH / "baseline_server.py")]
    result["baseline"] = load_round(baseline_argv, args)
    print("platform round…", flush=True)
    result["platform"] = platform_round(template, work, "platform", args, None)
    base = result["baseline"]["positions_per_s"]
    result["ratio"] = result["platform"]["positions_per_s"] / base if base else 0.0
    if args.profile:
        print("profiled platform round (py-spy)…", flush=True)
        raw = RESULTS / "ingest-profile.txt"
        result["profiled"] = platform_round(template, work, "profiled", args, raw)
        result["profile"] = procs.summarize_collapsed(raw, PROFILE_FOCUS)
    os.sched_setaffinity(0, ALLOWED_CPUS)
    if not args.no_micro:
        print("component micro-benchmarks…", flush=True)
        result["micro"] = run_micro(template, work, args)
    return result


WORK_PREFIX = "assetwatch-bench-"


def _work_dir() -> Path:
    """A fresh temp dir holding our pid; dirs left by killed runs (dead pid) are removed."""
    for old in Path(tempfile.gettempdir()).glob(WORK_PREFIX + "*"):
        with contextlib.suppress(OSError, ValueError):
            if not Path(f"/proc/{int((old / 'pid').read_text())}").exists():
                shutil.rmtree(old, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX))
    (work / "pid").write_text(str(os.getpid()))
    return work


def _on_sigterm(work: Path) -> None:
    procs.kill_started()
    shutil.rmtree(work, ignore_errors=True)
    os._exit(143)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = _work_dir()
    signal.signal(signal.SIGTERM, lambda *_: _on_sigterm(work))
    try:
        result = run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    text = json.dumps(result, indent=2, default=str)
    (RESULTS / "ingest-latest.json").write_text(text)
    (RESULTS / f"ingest-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text)
    print(render(result))
    return 0 if result["platform"]["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
