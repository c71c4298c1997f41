"""What a simulated JT/T 808 terminal is configured with, and what it counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from assetwatch.simulate.jt808_link import CHINA_STANDARD_TIME


@dataclass(frozen=True, slots=True)
class TerminalSettings:
    """Timing and behaviour of a terminal. Times in seconds.

    ``ack_timeout_s`` is T(1) of the retransmission schedule; ``window`` how many messages
    may wait for their ack at once; ``batch_size`` the items per 0x0704 backfill batch.
    """

    heartbeat_s: float = 60.0
    ack_timeout_s: float = 10.0
    max_retries: int = 3
    window: int = 8
    batch_size: int = 20
    reconnect_min_s: float = 1.0
    reconnect_max_s: float = 30.0
    connect_timeout_s: float = 10.0
    tz: tzinfo = CHINA_STANDARD_TIME
    version: str = "2013"
    blind_zone_capacity: int = 100_000


@dataclass(slots=True)
class TerminalMetrics:
    """Counters: ``sent``/``acked`` messages with positions (0x0200, 0x0704), ``retransmitted``
    repeat transmissions, ``backfilled`` positions acked in 0x0704 batches."""

    recorded: int = 0
    sent: int = 0
    acked: int = 0
    retransmitted: int = 0
    rejected: int = 0
    backfilled: int = 0
    heartbeats: int = 0
    connects: int = 0
    dropped: int = 0
