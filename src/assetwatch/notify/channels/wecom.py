"""WeCom (企业微信) group robot channel.

Posts to the robot's webhook URL (``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``)
a ``markdown`` message. WeCom's markdown cannot mention people by mobile number, so when
``mentioned_mobile_list`` (or ``mentioned_list``, WeCom user ids; ``@all`` for everyone) is
configured the channel sends a ``text`` message instead, which can.

Success is HTTP 200 with ``errcode`` 0. Retryable: errcode 45009 (API rate limit) and -1
(system busy); other errcodes (invalid key 93000, content too long 40058…) are final. Content
is cut to WeCom's limits (4096 bytes of markdown, 2048 bytes of text, UTF-8).
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import Field

from assetwatch.notify.channels.config import (
    DEFAULT_TIMEOUT_S,
    ChannelConfig,
    HttpUrl,
    Mobiles,
    TimeoutSeconds,
)
from assetwatch.notify.channels.http_outcome import robot_outcome, send_request
from assetwatch.notify.model import Delivery, Notice
from assetwatch.notify.templates import render

RETRYABLE_ERRCODES = frozenset({45009, -1})
MARKDOWN_MAX_BYTES = 4096
TEXT_MAX_BYTES = 2048


class WeComConfig(ChannelConfig):
    url: HttpUrl
    mentioned_mobile_list: Mobiles = Field(default_factory=list)
    mentioned_list: list[str] = Field(default_factory=list)
    timeout_s: TimeoutSeconds = DEFAULT_TIMEOUT_S


def cut_utf8(text: str, max_bytes: int) -> str:
    """``text`` cut so that its UTF-8 encoding fits ``max_bytes`` (ending in ``…`` if cut)."""
    if len(text.encode()) <= max_bytes:
        return text
    room = max_bytes - len("…".encode())
    return text.encode()[:room].decode("utf-8", "ignore") + "…"


def wecom_payload(config: WeComConfig, notice: Notice) -> dict[str, Any]:
    rendered = render(notice)
    if config.mentioned_mobile_list or config.mentioned_list:
        text: dict[str, Any] = {"content": cut_utf8(rendered.text.strip(), TEXT_MAX_BYTES)}
        if config.mentioned_list:
            text["mentioned_list"] = list(config.mentioned_list)
        if config.mentioned_mobile_list:
            text["mentioned_mobile_list"] = list(config.mentioned_mobile_list)
        return {"msgtype": "text", "text": text}
    content = cut_utf8(rendered.markdown, MARKDOWN_MAX_BYTES)
    return {"msgtype": "markdown", "markdown": {"content": content}}


class WeComChannel:
    kind = "wecom"

    def __init__(self, config: WeComConfig):
        self.config = config
        self._client = httpx.AsyncClient(timeout=config.timeout_s)

    async def send(self, notice: Notice) -> Delivery:
        payload = wecom_payload(self.config, notice)
        request = self._client.build_request("POST", self.config.url, json=payload)
        answer = await send_request(self._client, request)
        if isinstance(answer, Delivery):
            return answer
        return robot_outcome(answer, RETRYABLE_ERRCODES)

    async def aclose(self) -> None:
        await self._client.aclose()
