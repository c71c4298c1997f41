"""The shape of an evidence bundle file, parsed strictly (docs/evidence.md#the-bundle).

Reading is strict so that no change to a file goes unnoticed: unknown or missing fields,
numbers as strings, keys given twice, NaN and non-UTF-8 text are all refused.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict

from assetwatch.errors import ValidationError


class BundleUnreadable(ValidationError):
    """The bundle is not JSON, or not shaped like a bundle."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class KeyIn(_Strict):
    key_id: str
    algorithm: Literal["ed25519"]
    public_key: str
    endorsement: str | None
    endorsement_signature: str | None


class CheckpointIn(_Strict):
    format: Literal["assetwatch-checkpoint"]
    v: Literal[1]
    log: str
    size: int
    root: str
    time_ms: int
    key_id: str
    signature: str
    consistency: list[str]


class RecordIn(_Strict):
    seq: int
    entry: dict[str, Any]
    checkpoint: int
    proof: list[str]
    prev_proof: list[str]


class ManifestIn(_Strict):
    format: Literal["assetwatch-evidence-export"]
    v: Literal[1]
    log: str
    subject: str
    from_ms: int | None
    to_ms: int | None
    tree_size: int
    root: str
    records: list[tuple[int, str, int]]  # seq, leaf hash, witnessing checkpoint index
    time_ms: int
    key_id: str


class BundleIn(_Strict):
    format: Literal["assetwatch-evidence-bundle"]
    v: Literal[1]
    manifest: ManifestIn
    manifest_signature: str
    records: list[RecordIn]
    checkpoints: list[CheckpointIn]
    keys: list[KeyIn]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        names = [name for name, _ in pairs]
        raise ValueError(f"duplicate key {next(n for n in names if names.count(n) > 1)!r}")
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def load_bundle(data: bytes) -> Any:
    """Parse a bundle file; :class:`BundleUnreadable` when it is not UTF-8 JSON, or JSON with
    a key given twice (which readers resolve differently) or NaN/Infinity."""
    try:
        return json.loads(
            data.decode("utf-8"), object_pairs_hook=_object, parse_constant=_no_constant
        )
    except UnicodeDecodeError as err:
        raise BundleUnreadable(f"bundle is not UTF-8 text (byte {err.start})") from err
    except json.JSONDecodeError as err:
        raise BundleUnreadable(
            f"bundle is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})"
        ) from err
    except ValueError as err:
        raise BundleUnreadable(f"bundle is not valid JSON: {err}") from err


def parse_bundle(raw: Any) -> BundleIn:
    """The bundle's structure; :class:`BundleUnreadable` naming the first misshapen fields."""
    try:
        text = json.dumps(raw, allow_nan=False)
    except (TypeError, ValueError) as err:  # only Python callers can pass such objects
        raise BundleUnreadable(f"bundle is not JSON: {err}") from err
    try:
        # JSON mode: strict types as JSON has them (arrays are tuples, no numeric strings)
        return BundleIn.model_validate_json(text)
    except pydantic.ValidationError as err:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'bundle'}: {e['msg']}"
            for e in err.errors()[:5]
        )
        raise BundleUnreadable(f"bundle structure: {where}") from err
