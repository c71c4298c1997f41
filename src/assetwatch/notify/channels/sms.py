"""SMS channel: an adapter for HTTP SMS gateways, configured by a request template.

The body template is a JSON object (``encoding: json``) or a flat form / query dict whose
string values may contain ``{phone}``, ``{text}`` and ``{sender}``; they are replaced
literally (other braces are left alone, so JSON-looking values are safe). The text is the
notice's one-line ``short`` form, cut with an ellipsis to fit ``max_segments`` SMS (see
:mod:`.sms_length`).

Success is a status in ``success_statuses`` (default: any 2xx) and, when
``success_contains`` is set, that text in the response body. A gateway that answers
success-status but without that text is a final failure: it may have sent the message, and a
retry could send it twice.
"""

from __future__ import annotations

from typing import Any, Literal

import httpx
from pydantic import Field, model_validator

from assetwatch.notify.channels.config import (
    DEFAULT_TIMEOUT_S,
    ChannelConfig,
    Headers,
    HttpUrl,
    TimeoutSeconds,
)
from assetwatch.notify.channels.http_outcome import send_request, snippet, status_failure
from assetwatch.notify.channels.sms_length import fit_sms
from assetwatch.notify.model import Delivery, Notice
from assetwatch.notify.templates import render

PLACEHOLDERS = ("{phone}", "{text}", "{sender}")


class SmsConfig(ChannelConfig):
    url: HttpUrl
    method: Literal["POST", "GET"] = "POST"
    headers: Headers = Field(default_factory=dict)
    body_template: dict[str, Any]
    encoding: Literal["json", "form", "query"] = "json"
    sender: str = ""
    max_segments: int = Field(default=1, ge=1, le=10)
    success_statuses: list[int] | None = None  # None: any 2xx
    success_contains: str | None = None
    timeout_s: TimeoutSeconds = DEFAULT_TIMEOUT_S

    @model_validator(mode="before")
    @classmethod
    def _upper_method(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("method"), str):
            return {**data, "method": data["method"].upper()}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> SmsConfig:
        if self.method == "GET" and self.encoding != "query":
            raise ValueError("method GET sends no body: use encoding 'query'")
        if self.encoding != "json":
            for key, value in self.body_template.items():
                if not isinstance(value, str | int | float):
                    raise ValueError(
                        f"body_template[{key!r}]: {self.encoding} encoding needs flat text values"
                    )
        used = "\n".join(_strings(self.body_template))
        if "{phone}" not in used or "{text}" not in used:
            raise ValueError("body_template must use both {phone} and {text}")
        for status in self.success_statuses or []:
            if not 100 <= status <= 599:
                raise ValueError(f"success_statuses: {status} is not an HTTP status")
        return self


def _strings(template: Any) -> list[str]:
    """Every string in ``template``, keys included, at any depth."""
    if isinstance(template, str):
        return [template]
    if isinstance(template, dict):
        return [text for key, value in template.items() for text in [key, *_strings(value)]]
    if isinstance(template, list):
        return [text for value in template for text in _strings(value)]
    return []


def fill(template: Any, values: dict[str, str]) -> Any:
    """``template`` with every placeholder in its strings (at any depth) replaced."""
    if isinstance(template, str):
        for name, value in values.items():
            template = template.replace("{" + name + "}", value)
        return template
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, values) for value in template]
    return template


def sms_request(
    client: httpx.AsyncClient, config: SmsConfig, phone: str, text: str
) -> httpx.Request:
    """The gateway request that sends ``text`` to ``phone`` (built by ``client``, so that
    its timeouts apply)."""
    body = fill(config.body_template, {"phone": phone, "text": text, "sender": config.sender})
    method, url, headers = config.method, config.url, dict(config.headers)
    if config.encoding == "json":
        return client.build_request(method, url, json=body, headers=headers)
    flat = {key: str(value) for key, value in body.items()}
    if config.encoding == "form":
        return client.build_request(method, url, data=flat, headers=headers)
    return client.build_request(method, url, params=flat, headers=headers)


def sms_outcome(config: SmsConfig, response: httpx.Response) -> Delivery:
    statuses = config.success_statuses
    status = response.status_code
    if not (status in statuses if statuses else 200 <= status < 300):
        return status_failure(response)
    if config.success_contains is not None and config.success_contains not in response.text:
        return Delivery(
            ok=False,
            retryable=False,
            detail=f"HTTP {status} without {config.success_contains!r}: {snippet(response.text)}",
            status_code=status,
        )
    return Delivery(ok=True, detail=f"HTTP {status}", status_code=status)


class SmsChannel:
    kind = "sms"

    def __init__(self, config: SmsConfig):
        self.config = config
        self._client = httpx.AsyncClient(timeout=config.timeout_s)

    def text_of(self, notice: Notice) -> str:
        """The SMS text of ``notice``, fitted to ``max_segments``."""
        return fit_sms(render(notice).short, self.config.max_segments)

    async def send(self, notice: Notice) -> Delivery:
        phone = notice.recipient.phone
        if not phone:
            return Delivery(
                ok=False, retryable=False, detail=f"recipient {notice.recipient.key} has no phone"
            )
        request = sms_request(self._client, self.config, phone, self.text_of(notice))
        answer = await send_request(self._client, request)
        if isinstance(answer, Delivery):
            return answer
        return sms_outcome(self.config, answer)

    async def aclose(self) -> None:
        await self._client.aclose()
