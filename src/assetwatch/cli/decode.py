"""``assetwatch decode --protocol jt808|gt06|osmand HEX…`` (or ``-`` for one frame per stdin line).

``--protocol osmand`` takes OsmAnd requests instead: a URL (``http://host:5055/?id=…``), a
query string (``id=…&lat=…``) or a JSON body (``{"device_id": …}``), one per argument/line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import tzinfo
from typing import Annotated, Any

import typer

from assetwatch.pipeline.directory import parse_timezone
from assetwatch.protocols import gt06, osmand_request
from assetwatch.protocols.jt808 import decode_lines
from assetwatch.storage.clock import now_ms

Decoder = Callable[[Iterable[str], tzinfo], Iterator[tuple[dict[str, Any], bool]]]


def _osmand(lines: Iterable[str], tz: tzinfo) -> Iterator[tuple[dict[str, Any], bool]]:
    return osmand_request.decode_lines(lines, tz, now_ms=now_ms())


DECODERS: dict[str, Decoder] = {
    "jt808": decode_lines,
    "gt06": gt06.decode_lines,
    "osmand": _osmand,
}
"""Protocol name -> line decoder. Add a protocol by adding an entry."""
DEFAULT_TZ: dict[str, str] = {"gt06": "UTC"}
"""The device time zone of a protocol when ``--tz`` is not given (else JT/T 808's +08:00)."""


def decode(
    frames: Annotated[list[str], typer.Argument(help="hex frames, or - to read stdin")],
    protocol: Annotated[str, typer.Option(help=" | ".join(DECODERS))] = "jt808",
    timezone: Annotated[
        str | None,
        typer.Option("--tz", help="device time zone (default: gt06 UTC, otherwise +08:00)"),
    ] = None,
) -> None:
    """Decode device frames to one JSON object per frame, in order."""
    decoder = DECODERS.get(protocol)
    if decoder is None:
        supported = ", ".join(DECODERS)
        raise typer.BadParameter(f"unsupported protocol {protocol!r} (supported: {supported})")
    tz = parse_timezone(timezone or DEFAULT_TZ.get(protocol, "+08:00"))
    lines = sys.stdin if frames == ["-"] else frames
    failed = False
    for obj, ok in decoder((line for line in lines if line.strip()), tz):
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
        failed = failed or not ok
    if failed:
        raise typer.Exit(1)
