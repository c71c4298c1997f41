"""Idempotency keys for :attr:`Observation.idem` (pure).

The observations table is unique on ``(device_id, time_ms, idem)``: a message that is sent
again (a retry after a lost acknowledgement, an MQTT redelivery) gets the same key and is
stored once.
"""

from __future__ import annotations

from hashlib import blake2b


def idem_of(data: bytes) -> int:
    """Stable non-zero 63-bit key of ``data`` (BLAKE2b; 0 is left for "no key")."""
    return (int.from_bytes(blake2b(data, digest_size=8).digest(), "big") >> 1) or 1
