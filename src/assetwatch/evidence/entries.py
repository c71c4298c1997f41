"""One ledger entry, byte for byte: its canonical JSON, its leaf hash and its chain link.

An entry is the JSON object::

    {"v": 1, "seq": 12, "kind": "alarm", "subject": "asset:VIN123", "time_ms": 1764000000000,
     "record": {...}, "prev": "<hex leaf hash of entry 11, or 64 zeros for entry 0>"}

Its canonical bytes are ``json.dumps(sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` in UTF-8 (no NaN or infinity), and its leaf hash, which is also the
*entry hash* that the next entry's ``prev`` chains, is ``SHA-256(0x00 || bytes)``.
Pure: the ledger, the exporter and the offline verifier all use these functions.
"""

from __future__ import annotations

import json
from typing import Any, Final

from assetwatch.errors import ValidationError
from assetwatch.evidence.merkle import leaf_hash

ENTRY_VERSION: Final = 1
ZERO_HASH: Final = "0" * 64
"""The ``prev`` of a log's first entry."""

KINDS: Final = frozenset(
    {
        "alarm",  # an alarm was raised
        "alarm_change",  # an alarm changed status, owner or got a note
        "command",  # a downlink command was requested
        "command_approval",  # a command was approved or rejected
        "state_change",  # an asset, contract or device changed state
        "observation",  # a selected device observation
        "key_rotation",  # the platform's signing key was replaced
    }
)
"""What an entry may record (docs/evidence.md)."""

PLATFORM_SUBJECT: Final = "platform"
"""The subject of entries about the platform itself (key rotations)."""
MAX_SUBJECT = 200


def asset_subject(key: str) -> str:
    """The subject of entries about asset ``key``: what ``evidence export --asset`` selects."""
    return f"asset:{key}"


def canonical(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, no spaces, UTF-8, no NaN; ``TypeError`` or
    ``ValueError`` for what JSON cannot hold."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def normalised(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` as it will read back from JSON (tuples become lists...), or
    :class:`ValidationError` when it is not plain JSON."""
    if not isinstance(record, dict):
        raise ValidationError("an evidence record must be a JSON object")
    try:
        parsed: dict[str, Any] = json.loads(canonical(record))
    except (TypeError, ValueError) as err:
        raise ValidationError(f"an evidence record must be plain JSON: {err}") from err
    return parsed


def make_entry(
    *, seq: int, kind: str, subject: str, time_ms: int, record: dict[str, Any], prev: str
) -> dict[str, Any]:
    """The entry object that is hashed (``record`` already normalised)."""
    return {
        "v": ENTRY_VERSION,
        "seq": seq,
        "kind": kind,
        "subject": subject,
        "time_ms": time_ms,
        "record": record,
        "prev": prev,
    }


def check_kind_and_subject(kind: str, subject: str) -> None:
    if kind not in KINDS:
        raise ValidationError(f"unknown evidence kind {kind!r}; one of {', '.join(sorted(KINDS))}")
    if not subject or len(subject) > MAX_SUBJECT:
        raise ValidationError(f"an evidence subject must be 1..{MAX_SUBJECT} characters")


def entry_hash(entry: dict[str, Any]) -> bytes:
    """The leaf hash of ``entry``: ``SHA-256(0x00 || canonical(entry))``."""
    return leaf_hash(canonical(entry))
