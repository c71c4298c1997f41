"""``assetwatch decode --protocol jt808|gt06 HEX…`` (or ``-`` for one frame per stdin line)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import tzinfo
from typing import Annotated, Any

import typer

from assetwatch.pipeline.directory import parse_timezone
from assetwatch.protocols import gt06, jt808

DecodeLines = Callable[[Iterable[str], tzinfo], Iterator[tuple[dict[str, Any], bool]]]


@dataclass(frozen=True, slots=True)
class FrameDecoder:
    """How ``decode`` reads one protocol: its line decoder and the time zone its devices
    use unless ``--tz`` says otherwise."""

    decode_lines: DecodeLines
    default_tz: str


DECODERS: dict[str, FrameDecoder] = {
    "jt808": FrameDecoder(jt808.decode_lines, "+08:00"),
    "gt06": FrameDecoder(gt06.decode_lines, "UTC"),
}
"""Protocol name -> decoder. Add a protocol by adding a row."""


def decode(
    frames: Annotated[list[str], typer.Argument(help="hex frames, or - to read stdin")],
    protocol: Annotated[str, typer.Option(help=" | ".join(DECODERS))] = "jt808",
    timezone: Annotated[
        str | None,
        typer.Option("--tz", help="device time zone (default: jt808 +08:00, gt06 UTC)"),
    ] = None,
) -> None:
    """Decode device frames to one JSON object per frame, in order."""
    decoder = DECODERS.get(protocol)
    if decoder is None:
        supported = ", ".join(DECODERS)
        raise typer.BadParameter(f"unsupported protocol {protocol!r} (supported: {supported})")
    tz = parse_timezone(timezone or decoder.default_tz)
    lines = sys.stdin if frames == ["-"] else frames
    failed = False
    for obj, ok in decoder.decode_lines((line for line in lines if line.strip()), tz):
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
        failed = failed or not ok
    if failed:
        raise typer.Exit(1)
