"""The SMS gateway channel against a local HTTP server: JSON, form and query requests."""

from __future__ import annotations

import base64
from contextlib import aclosing
from typing import Any

import pytest

from assetwatch.notify.channels.base import build_channel
from assetwatch.notify.channels.sms_length import sms_segments
from assetwatch.notify.templates import render

from ..samples import alarm, english, notice, recipient
from .http_server import RecordingServer, Reply

JSON_TEMPLATE = {
    "to": "{phone}",
    "message": {"content": "{text}", "signature": "{sender}"},
    "options": {"flash": False, "note": "{not-a-placeholder}"},
}
LONG_NAME = "融资租赁挖掘机" * 12  # pushes the Chinese SMS line far over 70 characters


def settings(url: str, **changes: Any) -> dict[str, Any]:
    return {"url": url, "body_template": JSON_TEMPLATE, "sender": "北方银行", **changes}


async def test_json_post(http_server: RecordingServer):
    async with aclosing(build_channel("sms", settings(http_server.url + "/sms"))) as ch:
        delivery = await ch.send(notice())
    assert delivery.ok and delivery.status_code == 200
    (request,) = http_server.received
    assert request.method == "POST" and request.path == "/sms"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {
        "to": "+8613800138000",
        "message": {"content": render(notice()).short, "signature": "北方银行"},
        "options": {"flash": False, "note": "{not-a-placeholder}"},
    }


async def test_chinese_text_is_cut_to_70_characters_for_one_segment(http_server: RecordingServer):
    long_notice = notice(alarms=(alarm(asset_name=LONG_NAME),))
    assert len(render(long_notice).short) > 70
    async with aclosing(build_channel("sms", settings(http_server.url))) as ch:
        assert (await ch.send(long_notice)).ok
    text = http_server.received[0].json()["message"]["content"]
    assert len(text) == 70 and text.endswith("…")
    assert render(long_notice).short.startswith(text[:-1])
    assert sms_segments(text) == ("ucs2", 1)


async def test_max_segments_allows_longer_texts(http_server: RecordingServer):
    long_notice = notice(alarms=(alarm(asset_name=LONG_NAME),))
    async with aclosing(build_channel("sms", settings(http_server.url, max_segments=3))) as ch:
        assert (await ch.send(long_notice)).ok
    text = http_server.received[0].json()["message"]["content"]
    assert text == render(long_notice).short  # 100-odd characters fit in 3 segments


async def test_form_post_with_basic_auth(http_server: RecordingServer):
    token = base64.b64encode(b"AC123:secret").decode()
    config = {
        "url": http_server.url + "/2010-04-01/Accounts/AC123/Messages.json",
        "headers": {"Authorization": f"Basic {token}"},
        "encoding": "form",
        "body_template": {"To": "{phone}", "From": "{sender}", "Body": "{text}"},
        "sender": "+15005550006",
        "success_statuses": [201],
    }
    http_server.reply = Reply(201, {"sid": "SM1", "status": "queued"})
    latin = english(alarms=(alarm(asset_name="Camry"),))  # GSM-7: up to 160 characters
    async with aclosing(build_channel("sms", config)) as ch:
        delivery = await ch.send(latin)
    assert delivery.ok and delivery.status_code == 201
    (request,) = http_server.received
    assert request.headers["Authorization"] == f"Basic {token}"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.form() == {
        "To": "+8613800138000",
        "From": "+15005550006",
        "Body": "[Critical] Device removal: Camry (LSVAB4182E2000001), 2026-12-01 09:05 CET",
    }


async def test_get_with_query(http_server: RecordingServer):
    config = {
        "url": http_server.url + "/send",
        "method": "get",
        "encoding": "query",
        "body_template": {"mobile": "{phone}", "msg": "{text}", "apikey": "k-123"},
    }
    http_server.reply = Reply(200, "OK: 1 sent")
    async with aclosing(build_channel("sms", {**config, "success_contains": "OK"})) as ch:
        assert (await ch.send(notice())).ok
    (request,) = http_server.received
    assert request.method == "GET" and request.body == b""
    assert request.query == {
        "mobile": "+8613800138000",
        "msg": render(notice()).short,
        "apikey": "k-123",
    }


async def test_success_status_without_the_expected_text_is_final(http_server: RecordingServer):
    http_server.reply = Reply(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL"})
    config = settings(http_server.url, success_contains='"Code": "OK"')
    async with aclosing(build_channel("sms", config)) as ch:
        delivery = await ch.send(notice())
    assert (delivery.ok, delivery.retryable) == (False, False)
    assert "isv.MOBILE_NUMBER_ILLEGAL" in delivery.detail


@pytest.mark.parametrize(
    ("reply", "statuses", "retryable"),
    [
        (Reply(500, "down"), None, True),
        (Reply(429, "slow down"), None, True),
        (Reply(400, "bad number"), None, False),
        (Reply(200, "ok"), [202], False),  # not one of the configured success statuses
    ],
)
async def test_failed_status(http_server: RecordingServer, reply, statuses, retryable):
    http_server.reply = reply
    async with aclosing(
        build_channel("sms", settings(http_server.url, success_statuses=statuses))
    ) as ch:
        delivery = await ch.send(notice())
    assert (delivery.ok, delivery.retryable) == (False, retryable)


async def test_recipient_without_phone_is_not_retryable(http_server: RecordingServer):
    async with aclosing(build_channel("sms", settings(http_server.url))) as ch:
        delivery = await ch.send(notice(recipient=recipient(phone=None)))
    assert (delivery.ok, delivery.retryable) == (False, False)
    assert "no phone" in delivery.detail
    assert http_server.received == []


async def test_unreachable_gateway_is_retryable(refused_port: int):
    async with aclosing(build_channel("sms", settings(f"http://127.0.0.1:{refused_port}/"))) as ch:
        delivery = await ch.send(notice())
    assert (delivery.ok, delivery.retryable) == (False, True)
