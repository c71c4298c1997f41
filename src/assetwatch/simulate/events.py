"""What the simulator tells its caller while it runs (progress displays, logs, tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SimulationEvent:
    """Something a simulated terminal or the scenario did.

    ``at_s`` is seconds since the simulation started. ``kind`` is one of ``connected``,
    ``registered``, ``authenticated``, ``disconnected``, ``silent``, ``resumed``,
    ``backfill``, ``retransmit``, ``rejected`` (terminal events) or ``incident`` (a scripted
    incident began; ``detail`` names it and the alarm the platform should raise).
    """

    at_s: float
    device: str
    kind: str
    detail: str = ""


EventCallback = Callable[[SimulationEvent], None]
