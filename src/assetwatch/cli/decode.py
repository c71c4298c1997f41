"""``assetwatch decode --protocol jt808 HEX…`` (or ``-`` for one frame per stdin line).

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
from assetwatch.protocols import osmand_request
from assetwatch.protocols.jt808 import decode_lines
from assetwatch.storage.clock import now_ms

Decoder = Callable[[Iterable[str], tzinfo], Iterator[tuple[dict[str, Any], bool]]]


def _osmand(lines: Iterable[str], tz: tzinfo) -> Iterator[tuple[dict[str, Any], bool]]:
    return osmand_request.decode_lines(lines, tz, now_ms=now_ms())


DECODERS: dict[str, Decoder] = {"jt808": decode_lines, "osmand": _osmand}


def decode(
    frames: Annotated[list[str], typer.Argument(help="hex frames, or - to read stdin")],
    protocol: Annotated[str, typer.Option(help="jt808 | osmand")] = "jt808",
    timezone: Annotated[str, typer.Option("--tz", help="device time zone")] = "+08:00",
) -> None:
    """Decode device frames to one JSON object per frame, in order."""
    decoder = DECODERS.get(protocol)
    if decoder is None:
        supported = ", ".join(DECODERS)
        raise typer.BadParameter(f"unsupported protocol {protocol!r} (supported: {supported})")
    lines = sys.stdin if frames == ["-"] else frames
    failed = False
    for obj, ok in decoder((line for line in lines if line.strip()), parse_timezone(timezone)):
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
        failed = failed or not ok
    if failed:
        raise typer.Exit(1)
