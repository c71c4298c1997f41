"""The WeCom robot channel against a local HTTP endpoint: message format and errcodes."""

from __future__ import annotations

from contextlib import aclosing

import pytest

from assetwatch.notify.channels.base import build_channel
from assetwatch.notify.channels.wecom import MARKDOWN_MAX_BYTES, cut_utf8
from assetwatch.notify.templates import render

from ..samples import alarm, notice
from .http_server import RecordingServer, Reply

OK = Reply(200, {"errcode": 0, "errmsg": "ok"})


async def test_markdown_message(http_server: RecordingServer):
    http_server.reply = OK
    url = http_server.url + "/cgi-bin/webhook/send?key=693a91f6-7xxx"
    async with aclosing(build_channel("wecom", {"url": url})) as ch:
        delivery = await ch.send(notice())
    assert delivery.ok and delivery.detail == "ok"
    (request,) = http_server.received
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == {"key": "693a91f6-7xxx"}
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {"content": render(notice()).markdown},
    }


async def test_mentions_switch_to_a_text_message(http_server: RecordingServer):
    http_server.reply = OK
    settings = {
        "url": http_server.url,
        "mentioned_mobile_list": ["13800138000"],
        "mentioned_list": ["@all"],
    }
    async with aclosing(build_channel("wecom", settings)) as ch:
        assert (await ch.send(notice())).ok
    body = http_server.received[0].json()
    assert body["msgtype"] == "text"
    assert body["text"]["content"] == render(notice()).text.strip()
    assert body["text"]["mentioned_mobile_list"] == ["13800138000"]
    assert body["text"]["mentioned_list"] == ["@all"]


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        (Reply(200, {"errcode": 45009, "errmsg": "api freq out of limit"}), True),
        (Reply(200, {"errcode": -1, "errmsg": "system busy"}), True),
        (Reply(200, {"errcode": 93000, "errmsg": "invalid webhook url"}), False),
        (Reply(200, {"errcode": 40058, "errmsg": "content exceed max length"}), False),
        (Reply(500, "oops"), True),
        (Reply(404, "not found"), False),
    ],
)
async def test_failures(http_server: RecordingServer, reply, retryable):
    http_server.reply = reply
    async with aclosing(build_channel("wecom", {"url": http_server.url})) as ch:
        delivery = await ch.send(notice())
    assert not delivery.ok
    assert delivery.retryable is retryable


async def test_long_content_is_cut_to_the_markdown_limit(http_server: RecordingServer):
    http_server.reply = OK
    details = {f"k{i}": "值" * 200 for i in range(12)}
    async with aclosing(build_channel("wecom", {"url": http_server.url})) as ch:
        assert (await ch.send(notice(alarms=(alarm(details=details),)))).ok
    content = http_server.received[0].json()["markdown"]["content"]
    assert len(content.encode()) <= MARKDOWN_MAX_BYTES
    assert content.endswith("…")


def test_cut_utf8_never_splits_a_character():
    assert cut_utf8("abc", 3) == "abc"
    assert cut_utf8("中文字符", 9) == "中文…"  # 6 bytes + 3 for the ellipsis
    assert cut_utf8("中文字符", 10) == "中文…"
