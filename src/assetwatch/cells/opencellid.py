"""Streaming reader of the OpenCellID CSV format, plain or gzip-compressed.

Columns: ``radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,
averageSignal`` (the header line is optional; ``averageSignal`` may be missing). ``net`` is
the MNC, ``area`` the LAC (GSM/UMTS) or TAC (LTE/NR), ``cell`` the cell id (for CDMA: SID,
NID, BID), ``range`` metres, ``created``/``updated`` Unix seconds.

The reader holds one line at a time: memory stays constant for files of any size. A bad row
is counted (the first :data:`KEEP_REJECTS` are kept with their line number and reason) and
skipped; it never stops the reading.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from assetwatch.errors import ValidationError

RADIOS = frozenset({"GSM", "UMTS", "CDMA", "LTE", "NR"})
MAX_AREA = 0xFFFFFF  # 24-bit NR TAC; GSM/UMTS LAC and LTE TAC are 16-bit
MAX_CELL = (1 << 36) - 1  # 36-bit NR cell identity; LTE ECI is 28-bit
KEEP_REJECTS = 20
GZIP_MAGIC = b"\x1f\x8b"

CellRow = tuple[int, int, int, int, str, float, float, int, int, int]
"""``(mcc, mnc, lac, cid, radio, lon, lat, range_m, samples, updated_ms)``: the column order
of the ``cells`` table's bulk insert."""


@dataclass(frozen=True, slots=True)
class Reject:
    line: int
    reason: str


class RowError(ValueError):
    """Why one row cannot be imported."""


class CountingReader(io.RawIOBase):
    """Passes a binary stream through and counts the bytes read from it (for progress)."""

    def __init__(self, source: BinaryIO):
        self._source = source
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._source.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


def _field_error(row: list[str]) -> str:
    """The first field of ``row`` that is not a number (slow path, bad rows only)."""
    for name, index, kind in (
        ("mcc", 1, int), ("net", 2, int), ("area", 3, int), ("cell", 4, int),
        ("lon", 6, float), ("lat", 7, float), ("range", 8, int), ("samples", 9, int),
    ):  # fmt: skip
        try:
            kind(row[index])
        except ValueError:
            return f"{name}: {row[index]!r} is not {'an integer' if kind is int else 'a number'}"
    name, index = ("updated", 12) if row[12] else ("created", 11)
    return f"{name}: {row[index]!r} is not an integer"


def _range_error(mcc: int, mnc: int, lac: int, cid: int, lon: float, lat: float) -> str:
    checks = (
        (0 <= mcc <= 999, f"mcc {mcc} is not 0-999"),
        (0 <= mnc <= 999, f"net {mnc} is not 0-999"),
        (0 <= lac <= MAX_AREA, f"area {lac} is out of range"),
        (0 <= cid <= MAX_CELL, f"cell {cid} is out of range"),
        (-180.0 <= lon <= 180.0, f"lon {lon} is not -180-180"),
        (-90.0 <= lat <= 90.0, f"lat {lat} is not -90-90"),
        (lat != 0.0 or lon != 0.0, "lon/lat 0,0 is not a surveyed position"),
    )
    return next((message for ok, message in checks if not ok), "range or samples is negative")


def parse_row(row: list[str]) -> CellRow:
    """One CSV row as a :data:`CellRow`; :class:`RowError` says why it cannot be."""
    if not 13 <= len(row) <= 14:
        raise RowError(f"expected 14 columns, got {len(row)}")
    radio = row[0].strip().upper()
    if radio not in RADIOS:
        raise RowError(f"unknown radio {row[0]!r} (expected {', '.join(sorted(RADIOS))})")
    try:
        mcc, mnc, lac, cid = int(row[1]), int(row[2]), int(row[3]), int(row[4])
        lon, lat = float(row[6]), float(row[7])
        reach, samples = int(row[8]), int(row[9])
        updated_s = int(row[12] or row[11] or 0)
    except ValueError:
        raise RowError(_field_error(row)) from None
    if not (
        0 <= mcc <= 999
        and 0 <= mnc <= 999
        and 0 <= lac <= MAX_AREA
        and 0 <= cid <= MAX_CELL
        and -180.0 <= lon <= 180.0
        and -90.0 <= lat <= 90.0
        and (lat != 0.0 or lon != 0.0)
        and reach >= 0
        and samples >= 0
    ):
        raise RowError(_range_error(mcc, mnc, lac, cid, lon, lat))
    return (mcc, mnc, lac, cid, radio, lon, lat, reach, samples, updated_s * 1000)


@dataclass
class OpenCellIdReader:
    """Iterate :meth:`rows` over ``source`` (binary, plain or gzip); counters and the first
    rejects fill in as it goes. ``mcc`` keeps only the rows of those country codes (the
    others count as ``skipped``)."""

    source: BinaryIO
    mcc: frozenset[int] | None = None
    keep_rejects: int = KEEP_REJECTS
    lines: int = 0
    header: bool = False
    rejected: int = 0
    skipped: int = 0
    rejects: list[Reject] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._counter = CountingReader(self.source)

    @property
    def bytes_read(self) -> int:
        """Bytes consumed from ``source`` (compressed bytes for a gzip file)."""
        return self._counter.count

    def _text(self) -> io.TextIOWrapper:
        buffered = io.BufferedReader(self._counter, buffer_size=1 << 16)
        binary: BinaryIO = buffered
        if buffered.peek(2)[:2] == GZIP_MAGIC:
            binary = gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[assignment]
        return io.TextIOWrapper(binary, encoding="utf-8", errors="replace", newline="")

    def rows(self) -> Iterator[CellRow]:
        """The valid rows, in file order; :class:`ValidationError` if the file itself is
        broken (a corrupt or truncated gzip stream)."""
        reader = csv.reader(self._text())
        wanted = self.mcc
        try:
            while True:
                try:
                    row = next(reader)
                    cell = parse_row(row)
                except StopIteration:
                    return
                except csv.Error as err:  # e.g. an unterminated quote
                    self._reject(reader.line_num, f"not CSV: {err}")
                    continue
                except RowError as err:
                    if not row:
                        continue
                    if reader.line_num == 1 and row[0].strip().lower() == "radio":
                        self.header = True
                        continue
                    self._reject(reader.line_num, str(err))
                    continue
                if wanted is not None and cell[0] not in wanted:
                    self.skipped += 1
                    continue
                yield cell
        except (OSError, EOFError, zlib.error) as err:
            raise ValidationError(f"unreadable file: {err}", line=reader.line_num + 1) from err
        finally:
            self.lines = reader.line_num

    def _reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejects) < self.keep_rejects:
            self.rejects.append(Reject(line, reason))
