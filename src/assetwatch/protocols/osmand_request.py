"""One OsmAnd HTTP request → a report, whichever shape it came in (pure); the decode CLI view.

Parameters are read from the query string and, for a form (or untyped) body, from the body
too; a ``Content-Type: application/json`` body is the JSON form. The ``token`` may be in
either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, tzinfo
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from assetwatch.errors import ProtocolError
from assetwatch.protocols.json_view import position_json
from assetwatch.protocols.osmand import PROTOCOL, OsmAndReport, SpeedUnit, device_id, parse_params
from assetwatch.protocols.osmand_json import parse_json

JsonDict = dict[str, Any]


def query_pairs(text: str) -> list[tuple[str, str]]:
    """``a=1&b=2`` → pairs (``+`` is a space, %-escapes decoded, bad UTF-8 replaced)."""
    try:
        return parse_qsl(text, keep_blank_values=True, max_num_fields=200, errors="replace")
    except ValueError as err:  # more fields than max_num_fields
        raise ProtocolError(f"query: {err}") from None


def parse_request(
    *,
    query: str,
    body: bytes,
    content_type: str,
    server_time_ms: int,
    tz_for: Callable[[str], tzinfo] = lambda _key: UTC,
    speed_unit: SpeedUnit = "kn",
) -> OsmAndReport:
    """Decode one request. ``tz_for(device_id)`` is the device's time zone, for times
    without an offset."""
    pairs = query_pairs(query)
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json":
        token = next((v for k, v in pairs if k == "token"), None)
        return parse_json(body, server_time_ms=server_time_ms, tz_for=tz_for, token=token)
    if body and media in ("", "application/x-www-form-urlencoded", "text/plain"):
        pairs += query_pairs(body.decode("utf-8", errors="replace"))
    if not pairs:
        raise ProtocolError("no parameters: expected ?id=...&lat=...&lon=... or a form body")
    tz = tz_for(device_id(pairs))
    return parse_params(pairs, server_time_ms=server_time_ms, tz=tz, speed_unit=speed_unit)


def request_from_text(text: str) -> tuple[str, bytes, str]:
    """A decode-CLI input line → ``(query, body, content type)``: a URL (``http://…/?…`` or
    ``/?…``), a bare query string, or a JSON body (starts with ``{``)."""
    line = text.strip()
    if line.startswith("{"):
        return "", line.encode(), "application/json"
    if "://" in line or line.startswith("/"):
        return urlsplit(line).query, b"", ""
    return line.removeprefix("?"), b"", ""


def report_to_json(report: OsmAndReport) -> JsonDict:
    """``{"protocol": "osmand", "device_id", "positions": [...]}`` (the JT/T 808 view's keys)."""
    return {
        "protocol": PROTOCOL,
        "device_id": report.device_id,
        "positions": [position_json(o, milliseconds=True) for o in report.observations],
    }


def decode_lines(
    lines: Iterable[str], tz: tzinfo, *, speed_unit: SpeedUnit = "kn", now_ms: int
) -> Iterator[tuple[JsonDict, bool]]:
    """Decode one request per line; yield ``(json, ok)``. Blank lines and ``#`` comments
    are skipped; a bad line yields ``({"error": "line N: <reason>"}, False)``. Reports
    without a timestamp get ``now_ms``."""
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        query, body, content_type = request_from_text(text)
        try:
            report = parse_request(
                query=query,
                body=body,
                content_type=content_type,
                server_time_ms=now_ms,
                tz_for=lambda _key: tz,
                speed_unit=speed_unit,
            )
        except ProtocolError as err:
            yield {"error": f"line {number}: {err}"}, False
            continue
        yield report_to_json(report), True
