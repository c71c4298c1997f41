"""The channel interface, and building, checking and showing channel settings by kind.

A channel turns a :class:`Notice` into a message on its medium and answers a
:class:`Delivery`. ``send`` never raises for delivery problems (refusals, timeouts, an
unreachable server, a recipient without the address the channel needs): they come back as
``Delivery(ok=False, retryable=...)``. Only programming errors raise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

import pydantic

from assetwatch.errors import ConfigurationError, ValidationError
from assetwatch.notify.channels.config import ChannelConfig
from assetwatch.notify.channels.dingtalk import DingTalkChannel, DingTalkConfig
from assetwatch.notify.channels.email import EmailChannel, EmailConfig
from assetwatch.notify.channels.inapp import InAppChannel, InAppConfig
from assetwatch.notify.channels.sms import SmsChannel, SmsConfig
from assetwatch.notify.channels.webhook import WebhookChannel, WebhookConfig
from assetwatch.notify.channels.wecom import WeComChannel, WeComConfig
from assetwatch.notify.model import Delivery, Notice


class Channel(Protocol):
    kind: str

    async def send(self, notice: Notice) -> Delivery: ...

    async def aclose(self) -> None: ...


CHANNEL_KINDS = ("inapp", "email", "sms", "webhook", "wecom", "dingtalk")
CONFIG_MODELS: dict[str, type[ChannelConfig]] = {
    "inapp": InAppConfig,
    "email": EmailConfig,
    "sms": SmsConfig,
    "webhook": WebhookConfig,
    "wecom": WeComConfig,
    "dingtalk": DingTalkConfig,
}
MASK = "***"
SECRET_NAME = re.compile(
    r"pass(word|wd)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|^key$"
    r"|auth|^sign(ature)?$|credential|cookie",
    re.IGNORECASE,
)
"""Setting, header, body-template and URL-query names whose values are secrets."""
PLACEHOLDER = re.compile(r"^\{(phone|text|sender)\}$")  # an SMS template slot, not a secret


def _model(kind: str) -> type[ChannelConfig]:
    model = CONFIG_MODELS.get(kind)
    if model is None:
        raise ValidationError(
            f"unknown channel kind {kind!r}; known kinds: {', '.join(CHANNEL_KINDS)}"
        )
    return model


def _explain(error: pydantic.ValidationError) -> str:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "settings"
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{where}: {message}")
    return "; ".join(problems)


def parse_config(kind: str, config: Mapping[str, Any]) -> ChannelConfig:
    """The typed settings of a ``kind`` channel; :class:`ValidationError` says what is wrong."""
    model = _model(kind)
    if not isinstance(config, Mapping):
        raise ValidationError(f"{kind} channel: settings must be a mapping of names to values")
    try:
        return model.model_validate(dict(config))
    except pydantic.ValidationError as error:
        raise ValidationError(f"{kind} channel: {_explain(error)}") from None


def validate_config(kind: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` checked and normalised (defaults filled in), as plain JSON-able data."""
    return parse_config(kind, config).model_dump(mode="json")


def build_channel(
    kind: str,
    config: Mapping[str, Any],
    *,
    publish: Callable[[dict[str, Any]], None] | None = None,
) -> Channel:
    """A ready channel of ``kind``; ``publish`` is the live feed (needed by ``inapp`` only).
    Call ``aclose`` when done with it."""
    parsed = parse_config(kind, config)
    if isinstance(parsed, InAppConfig):
        if publish is None:
            raise ConfigurationError("the inapp channel needs a publish callback")
        return InAppChannel(parsed, publish)
    if isinstance(parsed, EmailConfig):
        return EmailChannel(parsed)
    if isinstance(parsed, SmsConfig):
        return SmsChannel(parsed)
    if isinstance(parsed, WebhookConfig):
        return WebhookChannel(parsed)
    if isinstance(parsed, WeComConfig):
        return WeComChannel(parsed)
    if isinstance(parsed, DingTalkConfig):
        return DingTalkChannel(parsed)
    raise AssertionError(f"no channel class for {type(parsed).__name__}")


def redact(kind: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` as an API may show it: secret values (passwords, secrets, tokens, auth
    headers, keys in URL queries such as WeCom's ``key`` or DingTalk's ``access_token``,
    URL passwords) replaced by ``***``. Works on unchecked settings too."""
    _model(kind)
    return {name: _redacted(value, name) for name, value in config.items()}


def _redacted(value: Any, name: str | None) -> Any:
    secret = name is not None and SECRET_NAME.search(name) is not None
    if isinstance(value, Mapping):
        return {key: _redacted(item, str(key)) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item, name) for item in value]
    if secret and value not in (None, "") and not isinstance(value, bool):
        return value if isinstance(value, str) and PLACEHOLDER.match(value) else MASK
    if isinstance(value, str) and "://" in value:
        return redact_url(value)
    return value


def redact_url(url: str) -> str:
    """``url`` with its password and secret query values masked, all else kept as written."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}:{MASK}@{host}"
    fields = []
    for field in parts.query.split("&") if parts.query else []:
        name, equals, _ = field.partition("=")
        fields.append(f"{name}={MASK}" if equals and SECRET_NAME.search(unquote(name)) else field)
    return urlunsplit(parts._replace(netloc=netloc, query="&".join(fields)))
