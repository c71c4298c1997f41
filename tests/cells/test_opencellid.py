"""OpenCellID CSV parsing: good rows, bad rows with line numbers, gzip, filters."""

from __future__ import annotations

import io

import pytest

from assetwatch.cells.opencellid import OpenCellIdReader, Reject, RowError, parse_row
from assetwatch.errors import ValidationError
from tests.cells.conftest import GOOD, csv_text, gz

EXPECTED = [
    (460, 0, 9338, 3692, "GSM", 114.0579, 22.5431, 1000, 12, 1_700_000_000_000),
    (460, 0, 6243, 120458499, "LTE", 114.06, 22.55, 500, 30, 1_700_000_000_000),
    (460, 1, 40977, 2342912, "UMTS", 113.9, 22.5, 2000, 3, 1_700_000_000_000),
]


def read(data: bytes, **kw: object) -> tuple[list[object], OpenCellIdReader]:
    reader = OpenCellIdReader(io.BytesIO(data), **kw)  # type: ignore[arg-type]
    return list(reader.rows()), reader


@pytest.mark.parametrize("header", [True, False])
def test_good_rows_with_or_without_header(header: bool) -> None:
    rows, reader = read(csv_text(*GOOD, header=header))
    assert rows == EXPECTED
    assert (reader.header, reader.rejected, reader.skipped) == (header, 0, 0)


def test_gzip_is_detected_by_its_magic_bytes_and_progress_counts_compressed_bytes() -> None:
    data = gz(csv_text(*GOOD))
    rows, reader = read(data)
    assert rows == EXPECTED
    assert reader.bytes_read == len(data)


def test_updated_falls_back_to_created_and_a_missing_last_column_is_fine() -> None:
    row = "GSM,460,0,1,2,,114.0,22.0,0,1,1,1600000000,,".split(",")
    assert parse_row(row)[-1] == 1_600_000_000_000
    assert parse_row(row[:13])[-1] == 1_600_000_000_000
    assert parse_row(["lte", *row[1:]])[4] == "LTE"


BAD = [
    ("GSM,460,0,9338", "expected 14 columns, got 4"),
    ("WIMAX,460,0,1,2,,114.0,22.0,1000,1,1,0,0,0", "unknown radio 'WIMAX'"),
    ("GSM,abc,0,1,2,,114.0,22.0,1000,1,1,0,0,0", "mcc: 'abc' is not an integer"),
    ("GSM,460,0,1,2,,east,22.0,1000,1,1,0,0,0", "lon: 'east' is not a number"),
    ("GSM,460,0,1,2,,114.0,22.0,1000,1,1,0,yesterday,0", "updated: 'yesterday' is not"),
    ("GSM,460,0,1,2,,114.0,22.0,1000,1,1,today,,0", "created: 'today' is not an integer"),
    ("GSM,1460,0,1,2,,114.0,22.0,1000,1,1,0,0,0", "mcc 1460 is not 0-999"),
    ("GSM,460,0,1,2,,114.0,95.0,1000,1,1,0,0,0", "lat 95.0 is not -90-90"),
    ("GSM,460,0,1,2,,114.0,nan,1000,1,1,0,0,0", "lat nan is not -90-90"),
    ("GSM,460,0,1,2,,0,0,1000,1,1,0,0,0", "lon/lat 0,0 is not a surveyed position"),
    ("NR,460,0,1,68719476736,,114.0,22.0,1000,1,1,0,0,0", "cell 68719476736 is out of range"),
    ("GSM,460,0,1,2,,114.0,22.0,-5,1,1,0,0,0", "range or samples is negative"),
]


@pytest.mark.parametrize(("line", "reason"), BAD)
def test_bad_row_reasons(line: str, reason: str) -> None:
    with pytest.raises(RowError) as err:
        parse_row(line.split(","))
    assert str(err.value).startswith(reason)


def test_bad_rows_are_counted_with_line_numbers_and_never_stop_the_file() -> None:
    lines = [GOOD[0], BAD[0][0], "", GOOD[1], BAD[6][0], GOOD[2]]
    rows, reader = read(csv_text(*lines))
    assert rows == EXPECTED
    assert reader.rejected == 2
    assert reader.rejects == [
        Reject(3, "expected 14 columns, got 4"),
        Reject(6, "mcc 1460 is not 0-999"),
    ]
    assert reader.lines == 7


def test_only_the_first_rejects_are_kept() -> None:
    rows, reader = read(csv_text(*([BAD[1][0]] * 25), GOOD[0]), keep_rejects=20)
    assert len(rows) == 1
    assert reader.rejected == 25
    assert [r.line for r in reader.rejects] == list(range(2, 22))


def test_mcc_filter_skips_other_countries() -> None:
    other = "GSM,262,1,100,200,,13.4,52.5,1000,1,1,0,1700000000,0"  # Berlin
    rows, reader = read(csv_text(other, GOOD[0]), mcc=frozenset({460}))
    assert rows == EXPECTED[:1]
    assert (reader.skipped, reader.rejected) == (1, 0)


def test_a_truncated_gzip_file_is_an_error_with_the_line_reached() -> None:
    data = gz(csv_text(*(GOOD * 2000)))
    with pytest.raises(ValidationError, match="unreadable file"):
        read(data[: len(data) // 2])


def test_binary_garbage_is_rejected_row_by_row() -> None:
    rows, reader = read(b"\x00\x01\x02 not,a,cell,file\n\xff\xfe\n")
    assert rows == []
    assert [r.line for r in reader.rejects] == [1, 2]
