"""``assetwatch decode --protocol jt808 HEX…`` (or ``-`` for one frame per stdin line)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from assetwatch.pipeline.directory import parse_timezone
from assetwatch.protocols.jt808 import decode_lines


def decode(
    frames: Annotated[list[str], typer.Argument(help="hex frames, or - to read stdin")],
    protocol: Annotated[str, typer.Option(help="jt808")] = "jt808",
    timezone: Annotated[str, typer.Option("--tz", help="device time zone")] = "+08:00",
) -> None:
    """Decode device frames to one JSON object per frame, in order."""
    if protocol != "jt808":
        raise typer.BadParameter(f"unsupported protocol {protocol!r} (supported: jt808)")
    lines = sys.stdin if frames == ["-"] else frames
    failed = False
    for obj, ok in decode_lines((line for line in lines if line.strip()), parse_timezone(timezone)):
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
        failed = failed or not ok
    if failed:
        raise typer.Exit(1)
