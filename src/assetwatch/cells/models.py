"""Cell schemas: what the API accepts and returns. Degrees WGS-84, metres, dBm."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from assetwatch.cells.opencellid import MAX_AREA, MAX_CELL
from assetwatch.registry.models import Strict

Mcc = Annotated[int, Field(ge=0, le=999, description="mobile country code")]
Mnc = Annotated[int, Field(ge=0, le=999, description="mobile network code")]
Lac = Annotated[int, Field(ge=0, le=MAX_AREA, description="LAC (GSM/UMTS) or TAC (LTE/NR)")]
CellId = Annotated[int, Field(ge=0, le=MAX_CELL, description="cell id (LTE: ECI, NR: NCI)")]
MAX_CELLS_PER_FIX = 64


class SeenCell(Strict):
    """A cell a device hears, as in ``Observation.attributes["cells"]``."""

    mcc: Mcc
    mnc: Mnc
    lac: Lac
    ci: CellId
    signal_dbm: Annotated[int, Field(ge=-200, le=0, description="dBm")] | None = None


class ResolveRequest(Strict):
    """The cells one device hears at one moment, serving cell first."""

    cells: Annotated[list[SeenCell], Field(min_length=1, max_length=MAX_CELLS_PER_FIX)]


class CellRead(BaseModel):
    radio: str
    mcc: int
    mnc: int
    lac: int
    cid: int
    lat: float
    lon: float
    range_m: int = Field(description="metres")
    samples: int
    updated: str | None = Field(description="ISO-8601 UTC")


class CellPositionRead(BaseModel):
    """A position from cells: ``accuracy_m`` is the radius (metres) of the disc the device
    is believed to be in."""

    lat: float
    lon: float
    accuracy_m: float
    fix_source: str = "cell"
    cells_used: int
    unknown: list[SeenCell] = Field(description="heard cells not in the catalogue")


class RejectRead(BaseModel):
    line: int
    reason: str


class ImportSummaryRead(BaseModel):
    rows_read: int
    added: int
    updated: int
    unchanged: int
    rejected: int
    skipped: int
    seconds: float
    rows_per_second: int
    bytes_read: int
    rejects: list[RejectRead] = Field(description="the first rejected rows")
