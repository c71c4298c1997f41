"""Pieces shared by the channels' configuration models (pydantic 2, unknown keys refused)."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an RFC 9110 token
_MOBILE = re.compile(r"^\+?[0-9]{5,20}$")


class ChannelConfig(BaseModel):
    """Base of every channel's settings: unknown keys are an error, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_http_url(value: str) -> str:
    """An absolute ``http://`` or ``https://`` URL with a host, kept exactly as written
    (robots sign and match the URL, so it is not normalised)."""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{value!r} is not an http:// or https:// URL with a host")
    if any(ch in value for ch in "\r\n\t "):
        raise ValueError("a URL may not contain spaces or line breaks")
    return value


def check_headers(value: dict[str, str]) -> dict[str, str]:
    """Header names must be tokens, values may not break lines (header injection)."""
    for name, text in value.items():
        if not _HEADER_NAME.match(name):
            raise ValueError(f"{name!r} is not a valid HTTP header name")
        if "\r" in text or "\n" in text:
            raise ValueError(f"header {name!r}: a value may not contain line breaks")
    return value


def check_mobiles(value: list[str]) -> list[str]:
    for mobile in value:
        if not _MOBILE.match(mobile):
            raise ValueError(f"{mobile!r} is not a mobile number (digits, optional leading +)")
    return value


HttpUrl = Annotated[str, AfterValidator(check_http_url)]
Headers = Annotated[dict[str, str], AfterValidator(check_headers)]
Mobiles = Annotated[list[str], AfterValidator(check_mobiles)]
TimeoutSeconds = Annotated[float, Field(gt=0, le=300, description="seconds")]
DEFAULT_TIMEOUT_S = 10.0
