"""The HTTP ingestion gateway: OsmAnd phone apps and JSON v1 devices, on its own port.

Routes (docs/http.md):

- ``GET|POST /``: the OsmAnd protocol (query string, form or JSON body);
- ``POST /v1/devices/{key}/{position|reading|event|batch}``: a JSON v1 message;
- ``GET /v1/schema``: the JSON Schema of v1 messages.

A report is answered ``200`` **only after the processor committed it**; ``503`` (with
``Retry-After``) when the commit failed or took too long, so the device sends again.
Bad payloads get a ``4xx`` RFC 9457 problem+json naming the field; missing or wrong tokens
``401``; unknown (under ``reject``) or revoked devices ``403``; a client over its IP's or its
device's rate limit ``429`` with ``Retry-After``. Nothing a client sends can crash the
server: a bug becomes a ``500`` and a metric.

It is a small ASGI application served by uvicorn on the platform's event loop, with a socket
bound before start (port 0 = a free port).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any, Final

import msgspec
import uvicorn

from assetwatch.errors import ProtocolError
from assetwatch.gateways.admission import Refused, admit
from assetwatch.gateways.rate_limit import RateGate, RateLimits, Throttled
from assetwatch.model.observation import Observation
from assetwatch.observability import Metrics
from assetwatch.pipeline.bus import Ack, Bus, Envelope
from assetwatch.pipeline.directory import DeviceDirectory, DeviceInfo, UnknownPolicy
from assetwatch.protocols import jsonmsg
from assetwatch.protocols.jsonmsg import InvalidMessage
from assetwatch.protocols.osmand import SpeedUnit
from assetwatch.protocols.osmand_request import parse_request, query_pairs
from assetwatch.registry.credentials import token_matches

log = logging.getLogger(__name__)

JSON_PROTOCOL: Final = "http"
MAX_BODY_BYTES: Final = 1 << 20
COMMIT_TIMEOUT_S: Final = 30.0
BUSY_PENDING: Final = 200_000
_DEVICE_ROUTE: Final = re.compile(r"^/v1/devices/([^/]+)/([a-z]+)$")
_IDEMPOTENCY_KEY: Final = re.compile(r"^[\x21-\x7e]{1,128}$")
_PROBLEM: Final = b"application/problem+json"
_JSON: Final = b"application/json"
Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


@dataclass(slots=True)
class Answer:
    status: int
    body: bytes = b""
    content_type: bytes = b"text/plain; charset=utf-8"
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


class Problem(Exception):
    """An RFC 9457 answer raised anywhere in a request."""

    retry_after_s = 5

    def __init__(self, status: int, title: str, detail: str, **extra: Any):
        super().__init__(detail)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra

    def answer(self) -> Answer:
        headers: list[tuple[bytes, bytes]] = []
        if self.status == 401:
            headers.append((b"www-authenticate", b'Bearer realm="assetwatch"'))
        if self.status in (429, 503):
            headers.append((b"retry-after", str(self.retry_after_s).encode()))
        body = {"type": "about:blank", "title": self.title, "status": self.status}
        body |= {"detail": self.detail, **self.extra}
        return Answer(self.status, msgspec.json.encode(body), _PROBLEM, headers)


@dataclass(slots=True)
class Request:
    method: str
    path: str
    query: str
    headers: dict[bytes, bytes]
    body: bytes

    @property
    def bearer(self) -> str | None:
        value = self.headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, token = value.partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None

    @property
    def content_type(self) -> str:
        return self.headers.get(b"content-type", b"").decode("latin-1")


@dataclass(slots=True)
class HttpIngestSettings:
    unknown_policy: UnknownPolicy = "quarantine"
    require_token: bool = False
    speed_unit: SpeedUnit = "kn"
    commit_timeout_s: float = COMMIT_TIMEOUT_S
    rates: RateLimits = field(default_factory=RateLimits)  # requests per device and per IP
    tls_certfile: str | None = None  # HTTPS with this certificate (PEM) and key
    tls_keyfile: str | None = None


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: the platform decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HttpGateway:
    def __init__(
        self,
        bus: Bus,
        directory: DeviceDirectory,
        metrics: Metrics,
        clock: Callable[[], int],
        settings: HttpIngestSettings | None = None,
    ):
        self.bus, self.directory, self.metrics, self.clock = bus, directory, metrics, clock
        self.settings = settings or HttpIngestSettings()
        rates = self.settings.rates
        self.ip_gate = RateGate("ip", rates.ip_per_s, rates.ip_burst, metrics.rate_limited)
        self.device_gate = RateGate(
            "device", rates.device_per_s, rates.device_burst, metrics.rate_limited
        )
        self._schema = msgspec.json.encode(jsonmsg.json_schema())
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self, host: str, port: int) -> int:
        """Listen; returns the bound port (useful when ``port`` is 0)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        bound = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self.asgi,
            interface="asgi3",
            log_level="warning",
            lifespan="off",
            ws="none",
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=5,
            ssl_certfile=self.settings.tls_certfile,
            ssl_keyfile=self.settings.tls_keyfile,
        )
        self._server = _Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()  # re-raise why it could not start
                raise RuntimeError("the HTTP ingestion server stopped while starting")
            await asyncio.sleep(0.01)
        return bound

    async def stop(self) -> None:
        """Stop accepting; requests in flight still get their answer."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task

    # -- ASGI -------------------------------------------------------------------------------
    async def asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        label = "osmand" if scope["path"] == "/" else "http-json"
        try:
            client = scope.get("client")
            self.ip_gate.check(label, str(client[0]) if client else "?", time.monotonic())
            request = await _read(scope, receive)
            answer = await self._route(request)
        except Problem as problem:
            answer = problem.answer()
        except Throttled as throttled:
            answer = _too_many(throttled)
        except ProtocolError as err:
            answer = Problem(400, "Invalid request", str(err)).answer()
        except Exception:  # a bug must not take the gateway down
            log.exception("HTTP ingestion request failed")
            answer = Problem(500, "Internal error", "the report was not stored").answer()
        if answer.status >= 400:
            self.metrics.frames.labels(label, "bad" if answer.status < 500 else "error").inc()
        self.metrics.requests.labels(label, str(answer.status)).inc()
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [
                    (b"content-type", answer.content_type),
                    (b"content-length", str(len(answer.body)).encode()),
                    *answer.headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer.body})

    async def _route(self, request: Request) -> Answer:
        if request.path == "/":
            if request.method not in ("GET", "POST"):
                raise Problem(405, "Method not allowed", "OsmAnd reports are GET or POST /")
            return await self._osmand(request)
        if request.path == "/v1/schema":
            return Answer(200, self._schema, b"application/schema+json")
        match = _DEVICE_ROUTE.match(request.path)
        if match is None:
            raise Problem(404, "Not found", f"no route {request.path!r} (see docs/http.md)")
        if request.method != "POST":
            raise Problem(405, "Method not allowed", "JSON messages are POSTed")
        return await self._json(request, match[1], match[2])

    # -- OsmAnd -----------------------------------------------------------------------------
    async def _osmand(self, request: Request) -> Answer:
        try:
            report = parse_request(
                query=request.query,
                body=request.body,
                content_type=request.content_type,
                server_time_ms=self.clock(),
                tz_for=self._tz_for,
                speed_unit=self.settings.speed_unit,
            )
        except ProtocolError as err:
            raise Problem(400, "Invalid OsmAnd report", str(err)) from None
        device = self._admit("osmand", report.device_id, request.bearer or report.token)
        await self._store(device, report.observations, "osmand")
        return Answer(200)

    def _tz_for(self, key: str) -> tzinfo:
        device = self.directory.get("osmand", key)
        return device.tz if device is not None else UTC

    # -- JSON v1 ----------------------------------------------------------------------------
    async def _json(self, request: Request, key: str, kind: str) -> Answer:
        if not jsonmsg.DEVICE_KEY.match(key):
            raise Problem(404, "Not found", f"{key[:60]!r} is not a device key")
        try:
            message = jsonmsg.decode(request.body, kind)
        except InvalidMessage as err:
            status = 404 if err.reason == "kind" else 400 if err.reason == "json" else 422
            extra = {"path": err.path} if err.path else {}
            raise Problem(status, "Invalid message", str(err), **extra) from None
        token = request.bearer or _query_token(request.query)
        device = self._admit(JSON_PROTOCOL, key, token)
        observations = jsonmsg.to_observations(
            message,
            device_key=key,
            protocol=JSON_PROTOCOL,
            server_time_ms=self.clock(),
            idempotency_key=_idempotency_key(request),
        )
        await self._store(device, observations, "http-json")
        return Answer(200, msgspec.json.encode({"accepted": len(observations)}), _JSON)

    # -- shared -----------------------------------------------------------------------------
    def _admit(self, protocol: str, key: str, token: str | None) -> DeviceInfo:
        """The device, once its token is checked, and within its rate limit."""
        try:
            device = self._check_token(self._device(protocol, key), key, token)
        except Problem:
            # a token issued or revoked by another process (the CLI) since the last refresh
            self.directory.maybe_reload()
            device = self._check_token(self._device(protocol, key), key, token)
        label = "osmand" if protocol == "osmand" else "http-json"
        self.device_gate.check(label, f"{protocol}:{key}", time.monotonic())
        return device

    def _device(self, protocol: str, key: str) -> DeviceInfo:
        try:
            return admit(
                self.directory, protocol, key, policy=self.settings.unknown_policy, clock=self.clock
            )
        except Refused as refused:
            raise Problem(refused.status, refused.title, refused.detail) from None

    def _check_token(self, device: DeviceInfo, key: str, token: str | None) -> DeviceInfo:
        if device.token_hash is not None:
            if token is None:
                raise Problem(401, "Token required", f"device {key!r} must present its token")
            if not token_matches(token, device.token_hash):
                raise Problem(401, "Invalid token", f"wrong token for device {key!r}")
        elif self.settings.require_token and not device.quarantined:
            raise Problem(
                401,
                "Token required",
                f"device {key!r} has no token: issue one (assetwatch devices token {key})",
            )
        return device

    async def _store(self, device: DeviceInfo, observations: list[Observation], label: str) -> None:
        """Publish and wait until the processor committed (or failed) every observation."""
        if not observations:
            return  # nothing to store (an Ack of 0 parts would never settle)
        if self.bus.pending > BUSY_PENDING:
            raise Problem(503, "Busy", "too much data waiting to be stored; send again later")
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def settled(ok: bool) -> None:
            if not done.done():
                done.set_result(ok)

        ack = Ack(len(observations), settled)
        for observation in observations:
            self.bus.publish(Envelope(observation, ack))
        try:
            ok = await asyncio.wait_for(done, self.settings.commit_timeout_s)
        except TimeoutError:
            raise Problem(
                503, "Not stored in time", "the commit took too long; send again"
            ) from None
        if not ok:
            raise Problem(503, "Not stored", "storing failed and was rolled back; send again")
        self.metrics.frames.labels(label, "ok").inc()


def _too_many(throttled: Throttled) -> Answer:
    problem = Problem(429, "Too many requests", f"{throttled}; send again later")
    problem.retry_after_s = throttled.retry_after_s
    return problem.answer()


def _idempotency_key(request: Request) -> str | None:
    """The ``Idempotency-Key`` header: the id of a message (or batch) without ``msg_id``."""
    raw = request.headers.get(b"idempotency-key")
    if raw is None:
        return None
    key = raw.decode("latin-1").strip()
    if not _IDEMPOTENCY_KEY.match(key):
        raise Problem(400, "Invalid Idempotency-Key", "1 to 128 visible ASCII characters")
    return key


def _query_token(query: str) -> str | None:
    return next((value for name, value in query_pairs(query) if name == "token" and value), None)


async def _read(scope: Scope, receive: Receive) -> Request:
    """The whole request (bodies over :data:`MAX_BODY_BYTES` are refused)."""
    chunks, size = [], 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Problem(400, "Client went away", "the request ended early")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Problem(413, "Body too large", f"at most {MAX_BODY_BYTES} bytes per request")
        chunks.append(chunk)
        more = message.get("more_body", False)
    return Request(
        method=scope["method"],
        path=scope["path"],
        query=scope.get("query_string", b"").decode("latin-1"),
        headers=dict(scope.get("headers", ())),
        body=b"".join(chunks),
    )
