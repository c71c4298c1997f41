"""The webhook channel against a real HTTP server that verifies signatures as integrators do."""

from __future__ import annotations

from contextlib import aclosing

import pytest

from assetwatch.notify.channels.base import build_channel
from assetwatch.notify.channels.webhook import (
    WebhookChannel,
    WebhookConfig,
    sign,
    verify_signature,
)

from ..samples import notice
from .http_server import Received, RecordingServer, Reply

SECRET = "whsec-0123456789abcdef"
NOW_S = 1_796_112_400  # the channel's (fake) clock


def channel(url: str, **settings: object) -> WebhookChannel:
    config = WebhookConfig.model_validate({"url": url, "secret": SECRET, **settings})
    return WebhookChannel(config, clock=lambda: NOW_S + 0.75)


def verifying(request: Received) -> Reply:
    """What a receiver does: check the signature against the raw body and its own clock."""
    ok = verify_signature(
        SECRET,
        request.headers["X-Assetwatch-Timestamp"],
        request.body,
        request.headers["X-Assetwatch-Signature"],
        now_s=NOW_S + 2,
    )
    return Reply(204) if ok else Reply(401, {"error": "bad signature"})


async def test_signed_post_is_accepted_by_a_verifying_receiver(http_server: RecordingServer):
    http_server.reply = verifying
    async with aclosing(channel(http_server.url + "/hooks/aw", headers={"X-Env": "test"})) as ch:
        delivery = await ch.send(notice(attempt=2, link="https://aw.example/alarms/41"))
    assert delivery.ok and delivery.status_code == 204
    (request,) = http_server.received
    assert request.method == "POST" and request.path == "/hooks/aw"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Assetwatch-Timestamp"] == str(NOW_S)
    assert request.headers["Idempotency-Key"] == "ntf-7-email-li.wei"
    assert request.headers["X-Assetwatch-Attempt"] == "2"
    assert request.headers["X-Env"] == "test"
    assert request.headers["X-Assetwatch-Signature"] == sign(SECRET, NOW_S, request.body)


async def test_body_carries_the_alarm_facts_in_utc(http_server: RecordingServer):
    async with aclosing(channel(http_server.url)) as ch:
        await ch.send(notice(kind="summary", suppressed=9))
    body = http_server.received[0].json()
    assert body["id"] == "ntf-7-email-li.wei"
    assert (body["kind"], body["tenant"], body["attempt"]) == ("summary", "north-bank", 1)
    assert body["created_at"] == "2026-12-01T08:05:11.000Z"
    assert body["suppressed"] == 9 and body["escalation_step"] is None
    (alarm,) = body["alarms"]
    assert alarm["opened_at"] == "2026-12-01T08:05:09.000Z"
    assert alarm["asset_name"] == "Camry 京A·12345"  # UTF-8, not \\u escapes
    assert "京A" in http_server.received[0].body.decode("utf-8")
    assert {"alarm_id", "type", "severity", "status", "device", "subject", "lat", "lon"} <= set(
        alarm
    )


async def test_retries_send_the_same_idempotency_key(http_server: RecordingServer):
    async with aclosing(channel(http_server.url)) as ch:
        await ch.send(notice(attempt=1))
        await ch.send(notice(attempt=2))
    first, second = http_server.received
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert first.json()["id"] == second.json()["id"]
    assert [r.headers["X-Assetwatch-Attempt"] for r in (first, second)] == ["1", "2"]


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(500, True), (503, True), (408, True), (429, True), (400, False), (404, False), (301, False)],
)
async def test_failed_status(http_server: RecordingServer, status, retryable):
    http_server.reply = Reply(status, {"error": "nope"})
    async with aclosing(channel(http_server.url)) as ch:
        delivery = await ch.send(notice())
    assert not delivery.ok
    assert delivery.retryable is retryable
    assert delivery.status_code == status
    assert delivery.detail.startswith(f"HTTP {status}")


async def test_connection_refused_is_retryable(refused_port: int):
    async with aclosing(
        build_channel("webhook", {"url": f"http://127.0.0.1:{refused_port}/", "secret": SECRET})
    ) as ch:
        delivery = await ch.send(notice())
    assert (delivery.ok, delivery.retryable) == (False, True)
    assert delivery.detail.startswith("connection failed")


async def test_timeout_is_retryable(silent_port: int):
    async with aclosing(channel(f"http://127.0.0.1:{silent_port}/", timeout_s=0.2)) as ch:
        delivery = await ch.send(notice())
    assert (delivery.ok, delivery.retryable) == (False, True)
    assert delivery.detail.startswith("timeout")


def test_signature_matches_an_independent_hmac():
    # printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 0123456789abcdef
    expected = "sha256=9eb18f493f8ec135d9eb2dad817c369bb4e9cbfa818657897a7437c1cd8c3a23"
    assert sign("0123456789abcdef", 1_700_000_000, b'{"a":1}') == expected


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "now_s", "valid"),
    [
        (SECRET, "1700000000", b"{}", 1_700_000_000, True),
        (SECRET, "1700000000", b"{}", 1_700_000_300, True),  # at the tolerance
        (SECRET, "1700000000", b"{}", 1_700_000_301, False),  # a replay, too old
        (SECRET, "1700000000", b"{}", 1_699_999_699, False),  # from the future
        ("another-secret-value", "1700000000", b"{}", 1_700_000_000, False),
        (SECRET, "1700000000", b"{ }", 1_700_000_000, False),  # body changed
        (SECRET, "1700000001", b"{}", 1_700_000_000, False),  # timestamp changed
        (SECRET, "soon", b"{}", 1_700_000_000, False),
    ],
)
def test_verify_signature(secret, timestamp, body, now_s, valid):
    header = sign(SECRET, 1_700_000_000, b"{}")
    assert verify_signature(secret, timestamp, body, header, now_s=now_s) is valid


def test_verify_signature_needs_the_headers_and_the_prefix():
    header = sign(SECRET, 1_700_000_000, b"{}")
    kwargs = {"now_s": 1_700_000_000}
    assert not verify_signature(SECRET, None, b"{}", header, **kwargs)
    assert not verify_signature(SECRET, "1700000000", b"{}", None, **kwargs)
    assert not verify_signature(
        SECRET, "1700000000", b"{}", header.removeprefix("sha256="), **kwargs
    )
    assert verify_signature(
        SECRET, 1_700_000_000, b"{}", header, now_s=1_700_000_010, tolerance_s=10
    )
