"""Subprocesses of the benchmark: servers pinned to a core, their CPU time, and py-spy.

Every process started here is stopped by the context managers, also when the benchmark fails
or is interrupted: SIGTERM, a bounded wait, then SIGKILL.
"""

from __future__ import annotations

import bisect
import collections
import contextlib
import ctypes
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PORT_LINE = re.compile(r"jt808_port=(\d+)(?: api_port=(\d+))?")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PR_SET_PDEATHSIG = 1
_STARTED: set[subprocess.Popen[Any]] = set()  # every process this benchmark started


def kill_started() -> None:
    """SIGKILL every process this benchmark started that is still running (by its pid)."""
    for proc in list(_STARTED):
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()


@dataclass
class Server:
    proc: subprocess.Popen[str]
    port: int
    api_port: int | None = None
    output: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=50))

    @property
    def pid(self) -> int:
        return self.proc.pid

    def cpu_s(self) -> float:
        """User + system CPU seconds of the server (all its threads) so far."""
        return cpu_seconds(self.proc.pid)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def core_busy_seconds(cpu: int) -> float:
    """Seconds core ``cpu`` spent not idle (user, system, irq, softirq, steal…)."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{cpu} "):
            ticks = [int(v) for v in line.split()[1:]]
            return (sum(ticks[:8]) - ticks[3] - ticks[4]) / CLOCK_TICKS  # minus idle, iowait
    raise LookupError(cpu)


class CpuTrace:
    """Samples a CPU-seconds counter (``read``) every ``period_s`` in a thread, so the CPU used
    in a window known only afterwards (the blasting phase of a load run) can be read back."""

    def __init__(self, read: Callable[[], float], period_s: float = 0.01):
        self.read, self.period_s = read, period_s
        self.samples: list[tuple[float, float]] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._done.is_set():
            with contextlib.suppress(OSError):
                self.samples.append((time.perf_counter(), self.read()))
            self._done.wait(self.period_s)

    def __enter__(self) -> CpuTrace:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(5)

    def at(self, t: float) -> float:
        """CPU seconds at perf_counter time ``t`` (linear between samples)."""
        points = self.samples
        if not points:
            return 0.0
        i = bisect.bisect_left(points, (t, -1.0))
        if i == 0:
            return points[0][1]
        if i == len(points):
            return points[-1][1]
        (t0, c0), (t1, c1) = points[i - 1], points[i]
        return c0 + (c1 - c0) * (t - t0) / (t1 - t0) if t1 > t0 else c1

    def between(self, start: float, end: float) -> float:
        return self.at(end) - self.at(start)


def _child_setup(cpus: set[int] | None) -> None:
    """In the child before exec: pin it, and have Linux SIGTERM it if the benchmark dies."""
    if cpus:
        os.sched_setaffinity(0, cpus)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _pump(
    proc: subprocess.Popen[str], lines: queue.Queue[str], keep: collections.deque[str]
) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        keep.append(line.rstrip())
        lines.put(line)


def _stop(proc: subprocess.Popen[Any], sig: int = signal.SIGTERM, timeout_s: float = 30.0) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(sig)
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
    _STARTED.discard(proc)


@contextlib.contextmanager
def server(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cpus: set[int] | None = None,
    start_timeout_s: float = 60.0,
) -> Iterator[Server]:
    """Start ``argv``, wait for its ``jt808_port=N`` line, yield it; always stop it."""
    proc = subprocess.Popen(
        list(argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
        preexec_fn=lambda: _child_setup(cpus),
    )
    _STARTED.add(proc)
    srv = Server(proc, 0)
    lines: queue.Queue[str] = queue.Queue()
    pump = threading.Thread(target=_pump, args=(proc, lines, srv.output), daemon=True)
    try:
        pump.start()
        deadline = time.monotonic() + start_timeout_s
        while srv.port == 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or proc.poll() is not None:
                raise RuntimeError(f"{argv[0]} did not start:\n" + "\n".join(srv.output))
            with contextlib.suppress(queue.Empty):
                match = PORT_LINE.search(lines.get(timeout=min(remaining, 0.5)))
                if match:
                    srv.port = int(match.group(1))
                    srv.api_port = int(match.group(2)) if match.group(2) else None
        yield srv
    finally:
        _stop(proc)
        if pump.is_alive():
            pump.join(5)


def prometheus(port: int, names: Sequence[str], timeout_s: float = 10.0) -> dict[str, float]:
    """Sum of each named sample (over its labels) from ``/metrics`` on ``port``."""
    url = f"http://127.0.0.1:{port}/metrics"
    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        text = response.read().decode()
    totals = dict.fromkeys(names, 0.0)
    for line in text.splitlines():
        name = line.split("{", 1)[0].split(" ", 1)[0]
        if name in totals:
            totals[name] += float(line.rsplit(" ", 1)[1])
    return totals


def py_spy() -> str | None:
    """The py-spy executable next to this interpreter, or on PATH."""
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


@contextlib.contextmanager
def sampling(pid: int, out: Path, *, rate: int = 250, idle: bool = False) -> Iterator[None]:
    """py-spy ``record`` of ``pid`` (all threads, collapsed stacks) while the block runs;
    with ``idle``, waiting threads are sampled too (where the server waits)."""
    exe = py_spy()
    if exe is None:
        raise RuntimeError("py-spy not found: .venv/bin/pip install py-spy")
    argv = [exe, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw"]
    argv += ["--nonblocking", "--output", str(out)] + (["--idle"] if idle else [])
    log = out.with_suffix(".log").open("w")  # py-spy's own messages, if it fails
    proc = subprocess.Popen(
        argv,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=lambda: _child_setup(None),
    )
    _STARTED.add(proc)
    try:
        time.sleep(1.0)  # let it attach
        yield
    finally:
        _stop(proc, signal.SIGINT, timeout_s=60.0)  # py-spy writes its output on SIGINT
        log.close()


def summarize_collapsed(
    path: Path, focus: Sequence[str] = (), top: int = 20
) -> dict[str, list[tuple[str, float]]]:
    """A collapsed-stack file as % of samples: the ``top`` frames by self samples, each
    thread's share (by its outermost frame), and the inclusive share of each ``focus``
    function (matched on the function name, any module)."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    threads: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_short_frame(f) for f in stack.split(";")]
        total += count
        own[frames[-1]] += count
        threads["commit thread" if "Thread" in frames[0] else "event loop"] += count
        for name in {f.split(" (", 1)[0] for f in frames}:
            inclusive[name] += count
    pct = 100.0 / total if total else 0.0
    return {
        "samples": [("total", float(total))],
        "threads": [(name, n * pct) for name, n in threads.most_common()],
        "self": [(name, n * pct) for name, n in own.most_common(top)],
        "focus": [(name, inclusive[name] * pct) for name in focus],
    }


def _short_frame(frame: str) -> str:
    """``func (path/to/module.py:12)`` -> ``func (module.py)``: aggregate over lines."""
    name, _, where = frame.partition(" (")
    file = where.rsplit(":", 1)[0].rstrip(")")
    parts = file.split("/")
    tail = "/".join(parts[-2:]) if "assetwatch" in file else parts[-1]
    return f"{name} ({tail})" if where else name
