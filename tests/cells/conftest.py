"""A migrated SQLite catalogue and tiny OpenCellID files."""

from __future__ import annotations

import gzip
from pathlib import Path

from tests.storage.conftest import postgres_engine  # noqa: F401 - a fixture

HEADER = (
    "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal"
)
# three cells of China Mobile around Shenzhen, updated at 1,700,000,000 s
GOOD = [
    "GSM,460,0,9338,3692,,114.0579,22.5431,1000,12,1,1600000000,1700000000,0",
    "LTE,460,0,6243,120458499,0,114.0600,22.5500,500,30,1,1600000000,1700000000,-95",
    "UMTS,460,1,40977,2342912,,113.9000,22.5000,2000,3,1,1600000000,1700000000,",
]


def csv_text(*lines: str, header: bool = True) -> bytes:
    return ("\n".join(([HEADER] if header else []) + list(lines)) + "\n").encode()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
