"""Throwaway ``mosquitto`` processes on free ports for the broker tests, and the CLI."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.server import wait_for

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def assetwatch(*args: str) -> str:
    """Run the ``assetwatch`` CLI; its standard output (it must succeed)."""
    result = subprocess.run(
        [sys.executable, "-m", "assetwatch", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "300"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def require_mosquitto() -> None:
    if not os.path.exists(MOSQUITTO):
        if os.environ.get("CI") == "true":
            pytest.fail("the mosquitto binary is required when CI=true")
        pytest.skip("no mosquitto binary")


@contextmanager
def mosquitto(conf: Path, port: int) -> Iterator[subprocess.Popen[str]]:
    """``mosquitto -c conf`` until the block ends; ``port`` is one of its listeners. As root
    it would drop to the ``mosquitto`` user, so the config gets ``user root`` then."""
    require_mosquitto()
    if os.geteuid() == 0:
        conf.write_text("user root\n" + conf.read_text("utf-8"), "utf-8")
    process = subprocess.Popen(
        [MOSQUITTO, "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_for(lambda: listening(port) or process.poll() is not None, 10, 0.05)
        assert process.poll() is None, process.communicate()[0]
        yield process
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()
