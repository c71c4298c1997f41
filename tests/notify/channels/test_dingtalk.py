"""The DingTalk robot channel against a local HTTP endpoint that checks 加签 like DingTalk."""

from __future__ import annotations

import base64
import hashlib
import hmac
from contextlib import aclosing

import pytest

from assetwatch.notify.channels.dingtalk import (
    DingTalkChannel,
    DingTalkConfig,
    dingtalk_sign,
    signed_url,
)
from assetwatch.notify.templates import render

from ..samples import notice
from .http_server import Received, RecordingServer, Reply

SECRET = "SEC0123456789abcdef"
NOW_MS = 1_700_000_000_000


def channel(url: str, **settings: object) -> DingTalkChannel:
    config = DingTalkConfig.model_validate({"url": url, **settings})
    return DingTalkChannel(config, clock=lambda: NOW_MS / 1000)


def checking_robot(request: Received) -> Reply:
    """DingTalk's check: recompute the sign from the timestamp and the shared secret."""
    timestamp = request.query["timestamp"]
    digest = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256)
    if request.query["sign"] != base64.b64encode(digest.digest()).decode():
        return Reply(200, {"errcode": 310000, "errmsg": "sign not match"})
    return Reply(200, {"errcode": 0, "errmsg": "ok"})


async def test_signed_markdown_post(http_server: RecordingServer):
    http_server.reply = checking_robot
    url = http_server.url + "/robot/send?access_token=tok123"
    settings = {"secret": SECRET, "at_mobiles": ["13800138000"]}
    async with aclosing(channel(url, **settings)) as ch:
        delivery = await ch.send(notice())
    assert delivery.ok, delivery.detail
    (request,) = http_server.received
    assert request.path == "/robot/send"
    assert request.query["access_token"] == "tok123"
    assert request.query["timestamp"] == str(NOW_MS)
    body = request.json()
    rendered = render(notice())
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == rendered.title
    assert body["markdown"]["text"] == rendered.markdown + "\n\n@13800138000"
    assert body["at"] == {"atMobiles": ["13800138000"], "isAtAll": False}


async def test_without_secret_the_url_is_left_alone(http_server: RecordingServer):
    http_server.reply = Reply(200, {"errcode": 0, "errmsg": "ok"})
    async with aclosing(channel(http_server.url + "/robot/send?access_token=tok123")) as ch:
        assert (await ch.send(notice())).ok
    assert http_server.received[0].raw_query == "access_token=tok123"
    assert http_server.received[0].json()["at"] == {"atMobiles": [], "isAtAll": False}


async def test_a_wrong_secret_is_refused_by_the_robot(http_server: RecordingServer):
    http_server.reply = checking_robot
    url = http_server.url + "/robot/send?access_token=tok123"
    async with aclosing(channel(url, secret="SECnot-the-right-one")) as ch:
        delivery = await ch.send(notice())
    assert (delivery.ok, delivery.retryable) == (False, False)
    assert delivery.detail == "errcode 310000: sign not match"


@pytest.mark.parametrize(
    ("reply", "ok", "retryable"),
    [
        (Reply(200, {"errcode": 0, "errmsg": "ok"}), True, True),
        (Reply(200, {"errcode": 130101, "errmsg": "send too fast"}), False, True),
        (Reply(200, {"errcode": 300001, "errmsg": "token is not exist"}), False, False),
        (Reply(200, "<html>gateway login</html>"), False, False),
        (Reply(502, "bad gateway"), False, True),
        (Reply(403, "forbidden"), False, False),
    ],
)
async def test_answers(http_server: RecordingServer, reply, ok, retryable):
    http_server.reply = reply
    async with aclosing(channel(http_server.url + "/robot/send?access_token=t")) as ch:
        delivery = await ch.send(notice())
    assert delivery.ok is ok
    if not ok:
        assert delivery.retryable is retryable


def test_sign_matches_an_independent_hmac():
    # printf '1700000000000\nSEC0123456789abcdef' | openssl dgst -sha256 -hmac SEC… -binary | base64
    assert dingtalk_sign(SECRET, NOW_MS) == "TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk="


def test_signed_url_url_encodes_the_sign():
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=t", SECRET, NOW_MS)
    assert url == (
        "https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000"
        "&sign=TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D"
    )
    assert signed_url("https://robot.example/send", SECRET, 1).startswith(
        "https://robot.example/send?timestamp=1&sign="
    )
