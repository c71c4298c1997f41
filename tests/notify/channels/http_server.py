"""A real HTTP server on loopback for channel tests: records requests, answers as told.

It runs the standard library's threading server in a background thread on port 0. Each
request is recorded before it is answered, so a test that awaited the client's call sees it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    raw_query: str
    headers: Message
    body: bytes

    @property
    def query(self) -> dict[str, str]:
        """The query parameters, URL-decoded (one value each)."""
        return {name: values[0] for name, values in parse_qs(self.raw_query).items()}

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = b""  # bytes, str, or anything JSON (sent as application/json)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return json.dumps(self.body).encode(), "application/json"


@dataclass
class RecordingServer:
    """``reply`` answers every request; set it to a function for per-request answers."""

    reply: Reply | Callable[[Received], Reply] = field(default_factory=Reply)
    received: list[Received] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def answer(self, request: Received) -> Reply:
        self.received.append(request)
        return self.reply(request) if callable(self.reply) else self.reply


def _handler(recorder: RecordingServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = Received(self.command, parts.path, parts.query, self.headers, body)
            reply = recorder.answer(request)
            payload, content_type = reply.encoded()
            self.send_response(reply.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the request threads
    block_on_close = True


def start(recorder: RecordingServer) -> Callable[[], None]:
    """Serve ``recorder`` on a free loopback port; returns the function that stops it."""
    server = _Server((recorder.host, 0), _handler(recorder))
    recorder.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join()
        server.server_close()

    return stop
