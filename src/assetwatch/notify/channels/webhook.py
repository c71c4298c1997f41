"""Webhook channel: a signed JSON POST that integrators verify with :func:`verify_signature`.

The body is serialised once and exactly those bytes are signed and sent::

    X-Assetwatch-Timestamp: <unix seconds>
    X-Assetwatch-Signature: sha256=<hex HMAC-SHA256(secret, b"<timestamp>." + body)>
    Idempotency-Key: <the notice's idempotency key, also the body's "id">
    X-Assetwatch-Attempt: <1 for the first try>

Receivers should reject a timestamp far from their clock (replays) and de-duplicate on the
idempotency key (delivery is at least once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from pydantic import AfterValidator, Field, StringConstraints

from assetwatch.notify.channels.config import (
    DEFAULT_TIMEOUT_S,
    ChannelConfig,
    Headers,
    HttpUrl,
    TimeoutSeconds,
)
from assetwatch.notify.channels.http_outcome import send_request, status_failure
from assetwatch.notify.model import AlarmFacts, Delivery, Notice

SIGNATURE_PREFIX = "sha256="
RESERVED_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "host",
        "idempotency-key",
        "x-assetwatch-timestamp",
        "x-assetwatch-signature",
        "x-assetwatch-attempt",
    }
)


def _no_reserved(headers: dict[str, str]) -> dict[str, str]:
    clash = sorted(name for name in headers if name.lower() in RESERVED_HEADERS)
    if clash:
        raise ValueError(f"headers may not set {', '.join(clash)}: the channel sets them")
    return headers


class WebhookConfig(ChannelConfig):
    url: HttpUrl
    secret: Annotated[str, StringConstraints(min_length=16)]
    timeout_s: TimeoutSeconds = DEFAULT_TIMEOUT_S
    headers: Annotated[Headers, AfterValidator(_no_reserved)] = Field(default_factory=dict)


def iso_utc(epoch_ms: int) -> str:
    """``2026-12-01T08:05:09.000Z``."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _alarm_json(alarm: AlarmFacts) -> dict[str, Any]:
    return {
        "alarm_id": alarm.alarm_id,
        "type": alarm.type,
        "severity": alarm.severity,
        "status": alarm.status,
        "asset": alarm.asset,
        "asset_name": alarm.asset_name,
        "device": alarm.device,
        "subject": alarm.subject,
        "opened_at": iso_utc(alarm.opened_ms),
        "count": alarm.count,
        "lat": alarm.lat,
        "lon": alarm.lon,
        "details": alarm.details,
    }


def webhook_body(notice: Notice) -> bytes:
    """The JSON body of ``notice`` (UTF-8, compact): serialised once, signed as sent."""
    document = {
        "id": notice.idempotency_key,
        "kind": notice.kind,
        "tenant": notice.tenant,
        "created_at": iso_utc(notice.created_ms),
        "attempt": notice.attempt,
        "alarms": [_alarm_json(alarm) for alarm in notice.alarms],
        "escalation_step": notice.escalation_step,
        "suppressed": notice.suppressed,
        "link": notice.link,
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode("utf-8")


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Assetwatch-Signature`` value: ``sha256=`` and the hex HMAC-SHA256 of
    ``b"<timestamp>." + body`` keyed with ``secret``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def verify_signature(
    secret: str,
    timestamp: int | str | None,
    body: bytes,
    header: str | None,
    *,
    now_s: float,
    tolerance_s: float = 300,
) -> bool:
    """True when ``header`` (the ``X-Assetwatch-Signature`` value) signs ``body`` at
    ``timestamp`` (the ``X-Assetwatch-Timestamp`` value, unix seconds) and the timestamp is
    within ``tolerance_s`` seconds of ``now_s``. Compares in constant time."""
    if timestamp is None or header is None:
        return False
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    if abs(now_s - stamp) > tolerance_s:
        return False
    expected = sign(secret, stamp, body)
    return hmac.compare_digest(expected.encode(), header.strip().encode())


class WebhookChannel:
    kind = "webhook"

    def __init__(self, config: WebhookConfig, *, clock: Callable[[], float] = time.time):
        self.config = config
        self._clock = clock
        self._client = httpx.AsyncClient(timeout=config.timeout_s)

    def request(self, notice: Notice) -> httpx.Request:
        body = webhook_body(notice)
        timestamp = int(self._clock())
        headers = {
            **self.config.headers,
            "Content-Type": "application/json",
            "X-Assetwatch-Timestamp": str(timestamp),
            "X-Assetwatch-Signature": sign(self.config.secret, timestamp, body),
            "Idempotency-Key": notice.idempotency_key,
            "X-Assetwatch-Attempt": str(notice.attempt),
        }
        return self._client.build_request("POST", self.config.url, content=body, headers=headers)

    async def send(self, notice: Notice) -> Delivery:
        answer = await send_request(self._client, self.request(notice))
        if isinstance(answer, Delivery):
            return answer
        if 200 <= answer.status_code < 300:
            return Delivery(
                ok=True, detail=f"HTTP {answer.status_code}", status_code=answer.status_code
            )
        return status_failure(answer)

    async def aclose(self) -> None:
        await self._client.aclose()
