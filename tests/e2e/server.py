"""Start the real ``assetwatch serve`` process on free ports, and talk to it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

PORTS = re.compile(r"jt808_port=(\d+) api_port=(\d+)")
T = TypeVar("T")


@dataclass
class Server:
    process: subprocess.Popen[str]
    jt808_port: int
    api_port: int
    data_dir: Path
    output: list[str] | None = None
    tenant: str = "demo-bank"
    reader: threading.Thread | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Assetwatch-Tenant": self.tenant}

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def get(self, path: str, **params: Any) -> Any:
        response = httpx.get(f"{self.api}{path}", params=params, headers=self.headers, timeout=10)
        response.raise_for_status()
        return response.json()

    def get_text(self, path: str) -> str:
        response = httpx.get(f"{self.api}{path}", headers=self.headers, timeout=10)
        response.raise_for_status()
        return response.text

    def post(self, path: str, body: Any = None) -> httpx.Response:
        return httpx.post(f"{self.api}{path}", json=body, headers=self.headers, timeout=10)

    def patch(self, path: str, body: Any = None) -> httpx.Response:
        return httpx.patch(f"{self.api}{path}", json=body, headers=self.headers, timeout=10)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self._close()

    def _close(self) -> None:
        if self.reader is not None:
            self.reader.join(5)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._close()
        return self.process.returncode


def start_server(data_dir: Path, *extra: str, timeout_s: float = 30.0) -> Server:
    """Run ``python -m assetwatch serve`` with ports 0 and read the ports it prints."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    env.setdefault("ASSETWATCH_ENVIRONMENT", "development")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assetwatch",
            "serve",
            "--data-dir",
            str(data_dir),
            "--jt808-port",
            "0",
            "--gt06-port",
            "0",
            "--api-port",
            "0",
            "--http-port",
            "0",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + timeout_s
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        match = PORTS.search(line)
        if match:
            server = Server(process, int(match[1]), int(match[2]), data_dir)
            server.output = seen
            server.reader = threading.Thread(target=_drain, args=(process, seen), daemon=True)
            server.reader.start()
            return server
    process.kill()
    raise RuntimeError("server did not start:\n" + "".join(seen))


def _drain(process: subprocess.Popen[str], sink: list[str]) -> None:
    """Keep reading the server's output so its pipe never fills and blocks it."""
    assert process.stdout is not None
    for line in process.stdout:
        sink.append(line)


def wait_for(check: Callable[[], T | None], timeout_s: float = 30.0, every_s: float = 0.2) -> T:
    """Poll until ``check`` returns something truthy; fail with the last value otherwise."""
    deadline = time.monotonic() + timeout_s
    value = None
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"condition not met in {timeout_s} s; last value: {value!r}")
