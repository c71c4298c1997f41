"""DingTalk (钉钉) group robot channel.

Posts a ``markdown`` message to the robot URL
(``https://oapi.dingtalk.com/robot/send?access_token=…``). With a ``secret`` (the robot's
"加签" security setting) the URL gets ``&timestamp=<ms>&sign=<sign>``, where ``sign`` is the
URL-encoded Base64 of HMAC-SHA256 keyed with the secret over ``"<timestamp>\\n<secret>"``
(:func:`dingtalk_sign`). DingTalk only notifies the mobiles in ``at.atMobiles`` when they
also appear as ``@<mobile>`` in the text, so the channel appends them.

Success is HTTP 200 with ``errcode`` 0. Retryable: errcode 130101 (sending too fast) and -1
(system busy); other errcodes (bad token 300001, bad sign 310000…) are final.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

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

RETRYABLE_ERRCODES = frozenset({130101, -1})


class DingTalkConfig(ChannelConfig):
    url: HttpUrl
    secret: str | None = Field(default=None, min_length=1)  # "SEC…" of the 加签 setting
    at_mobiles: Mobiles = Field(default_factory=list)
    at_all: bool = False
    timeout_s: TimeoutSeconds = DEFAULT_TIMEOUT_S


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The ``sign`` of DingTalk's 加签: Base64 of HMAC-SHA256(key=secret,
    msg=f"{timestamp_ms}\\n{secret}"). URL-encode it when putting it in the query."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(url: str, secret: str | None, timestamp_ms: int) -> str:
    """``url`` with ``timestamp`` and ``sign`` appended when a secret is set."""
    if secret is None:
        return url
    separator = "&" if "?" in url else "?"
    sign = quote_plus(dingtalk_sign(secret, timestamp_ms))
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"


def dingtalk_payload(config: DingTalkConfig, notice: Notice) -> dict[str, Any]:
    rendered = render(notice)
    text = rendered.markdown
    if config.at_mobiles:
        text += "\n\n" + " ".join(f"@{mobile}" for mobile in config.at_mobiles)
    return {
        "msgtype": "markdown",
        "markdown": {"title": rendered.title, "text": text},
        "at": {"atMobiles": list(config.at_mobiles), "isAtAll": config.at_all},
    }


class DingTalkChannel:
    kind = "dingtalk"

    def __init__(self, config: DingTalkConfig, *, clock: Callable[[], float] = time.time):
        self.config = config
        self._clock = clock
        self._client = httpx.AsyncClient(timeout=config.timeout_s)

    def request(self, notice: Notice) -> httpx.Request:
        url = signed_url(self.config.url, self.config.secret, int(self._clock() * 1000))
        payload = dingtalk_payload(self.config, notice)
        return self._client.build_request("POST", url, json=payload)

    async def send(self, notice: Notice) -> Delivery:
        answer = await send_request(self._client, self.request(notice))
        if isinstance(answer, Delivery):
            return answer
        return robot_outcome(answer, RETRYABLE_ERRCODES)

    async def aclose(self) -> None:
        await self._client.aclose()
