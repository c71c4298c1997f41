"""How an HTTP exchange becomes a :class:`Delivery`: the one place that converts httpx errors.

Retryable: connection errors, timeouts, HTTP 5xx, 408 and 429. Any other status a channel
does not count as success (3xx, 4xx) is final: trying again would get the same answer.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from assetwatch.notify.model import Delivery

RETRYABLE_STATUSES = frozenset({408, 429})
SNIPPET_CHARS = 200


def is_retryable_status(status: int) -> bool:
    return status >= 500 or status in RETRYABLE_STATUSES


def snippet(text: str) -> str:
    """The start of a response body on one line, for :attr:`Delivery.detail`."""
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"


def status_failure(response: httpx.Response) -> Delivery:
    """A response whose status the channel does not count as success."""
    status = response.status_code
    body = snippet(response.text)
    detail = f"HTTP {status}" + (f": {body}" if body else "")
    return Delivery(
        ok=False, retryable=is_retryable_status(status), detail=detail, status_code=status
    )


def transport_failure(error: httpx.HTTPError) -> Delivery:
    """No response: timeouts and connection problems are retryable; a request that httpx
    refuses to build (bad URL, unsupported scheme) is not."""
    if isinstance(error, httpx.TimeoutException):
        return Delivery(ok=False, retryable=True, detail=f"timeout ({type(error).__name__})")
    if isinstance(error, httpx.UnsupportedProtocol):
        return Delivery(ok=False, retryable=False, detail=f"bad URL: {error}")
    reason = str(error) or type(error).__name__
    if isinstance(error, httpx.ConnectError):
        return Delivery(ok=False, retryable=True, detail=f"connection failed: {reason}")
    return Delivery(ok=False, retryable=True, detail=f"{type(error).__name__}: {reason}")


async def send_request(
    client: httpx.AsyncClient, request: httpx.Request
) -> httpx.Response | Delivery:
    """Send ``request`` (made by ``client.build_request``, which attaches the client's
    timeouts); a transport problem comes back as a failed :class:`Delivery`."""
    try:
        return await client.send(request)
    except httpx.HTTPError as error:
        return transport_failure(error)


def robot_outcome(response: httpx.Response, retryable_errcodes: frozenset[int]) -> Delivery:
    """A chat robot's answer (WeCom, DingTalk): success is HTTP 200 with ``errcode == 0``."""
    if response.status_code != 200:
        return status_failure(response)
    answer = _json_object(response.text)
    if answer is None:
        return Delivery(
            ok=False,
            retryable=False,
            detail=f"not a robot answer: {snippet(response.text)}",
            status_code=200,
        )
    errcode = answer.get("errcode")
    errmsg = str(answer.get("errmsg", ""))
    if errcode == 0:
        return Delivery(ok=True, detail=errmsg or "ok", status_code=200)
    return Delivery(
        ok=False,
        retryable=isinstance(errcode, int) and errcode in retryable_errcodes,
        detail=f"errcode {errcode}: {errmsg}",
        status_code=200,
    )


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
