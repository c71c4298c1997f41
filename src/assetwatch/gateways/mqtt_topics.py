"""MQTT topic layout v1 and dead-letter records (pure).

Devices publish JSON v1 messages to ``{prefix}/{device_key}/{kind}`` with ``kind`` one of
``position``, ``reading``, ``event``, ``batch`` (prefix ``assetwatch/v1`` by default). What
cannot be stored is republished to ``{prefix}/deadletter/{device_key}/{kind}`` (the rest of
the original topic) as a JSON record with the reason; ``deadletter`` is therefore not a
usable device key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

import msgspec

from assetwatch.protocols import jsonmsg

DEAD_LETTER: Final = "deadletter"
MAX_PAYLOAD_BYTES: Final = 1 << 20
MAX_DEAD_LETTER_PAYLOAD: Final = 64 * 1024


class UnknownTopic(Exception):
    """A topic outside the v1 layout."""


def parse_topic(prefix: str, topic: str) -> tuple[str, str] | None:
    """``(device_key, kind)`` of a device topic; ``None`` for the platform's own dead
    letters; :class:`UnknownTopic` for anything else."""
    head = prefix + "/"
    if not topic.startswith(head):
        raise UnknownTopic(f"topic {topic!r} is not under {head}")
    parts = topic[len(head) :].split("/")
    if parts[0] == DEAD_LETTER:
        return None
    if len(parts) != 2 or parts[1] not in jsonmsg.KINDS:
        raise UnknownTopic(f"topic {topic!r} is not {head}{{device}}/{{{'|'.join(jsonmsg.KINDS)}}}")
    if not jsonmsg.DEVICE_KEY.match(parts[0]):
        raise UnknownTopic(f"{parts[0][:60]!r} is not a device key")
    return parts[0], parts[1]


def dead_letter_topic(prefix: str, topic: str) -> str:
    head = prefix + "/"
    rest = topic[len(head) :] if topic.startswith(head) else topic.lstrip("/")
    return f"{head}{DEAD_LETTER}/{rest}"


def dead_letter_record(
    topic: str, payload: bytes | bytearray, reason: str, error: str, received_ms: int
) -> bytes:
    """``{"topic", "reason", "error", "received", "payload" | "payload_base64",
    "truncated"}`` as JSON."""
    record: dict[str, Any] = {
        "topic": topic,
        "reason": reason,
        "error": error,
        "received": datetime.fromtimestamp(received_ms / 1000, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "truncated": len(payload) > MAX_DEAD_LETTER_PAYLOAD,
    }
    kept = payload[:MAX_DEAD_LETTER_PAYLOAD]
    try:
        record["payload"] = kept.decode("utf-8")
    except UnicodeDecodeError:
        record["payload_base64"] = bytes(kept)
    return msgspec.json.encode(record)
