"""Rate limits per device and per IP address: token buckets (pure, the caller gives the time).

A bucket holds up to ``burst`` tokens and gains ``rate`` tokens per second; each frame (TCP)
or request (HTTP) takes one. A device that reconnects after a blind zone may send its backlog
at once, so the burst is generous; a sustained flood beyond the rate is dropped. The per-IP
bucket is shared by every device behind one address (carrier-grade NAT): it is checked after
the device's own, so a device over its limit does not use up its neighbours' budget.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Hashable
from dataclasses import dataclass

from prometheus_client import Counter

from assetwatch.settings import Settings

log = logging.getLogger(__name__)

FORGET_AFTER = 10_000
"""Buckets kept per limiter before the full (idle) ones are forgotten."""


@dataclass(frozen=True, slots=True)
class RateLimits:
    """``*_per_s`` of 0 switches that limit off."""

    device_per_s: float = 50.0
    device_burst: int = 500
    ip_per_s: float = 2000.0
    ip_burst: int = 10_000

    @classmethod
    def of(cls, settings: Settings) -> RateLimits:
        return cls(
            settings.device_rate_per_s,
            settings.device_rate_burst,
            settings.ip_rate_per_s,
            settings.ip_rate_burst,
        )


class TokenBucket:
    __slots__ = ("rate", "burst", "tokens", "stamp")

    def __init__(self, rate: float, burst: int, now: float):
        self.rate, self.burst = rate, float(burst)
        self.tokens, self.stamp = float(burst), now

    def take(self, now: float) -> bool:
        """Take one token if there is one (``now`` in seconds, monotonic)."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def full(self, now: float) -> bool:
        return self.tokens + (now - self.stamp) * self.rate >= self.burst

    def retry_after_s(self) -> int:
        """Whole seconds until the next token."""
        return max(1, math.ceil((1.0 - self.tokens) / self.rate)) if self.rate else 1


class RateLimiter:
    """One bucket per key (a device, an IP address); ``rate`` 0 allows everything."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, max(1, burst)
        self._buckets: dict[Hashable, TokenBucket] = {}
        self._sweep_at = FORGET_AFTER

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def bucket(self, key: Hashable, now: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._sweep_at:
                self._forget_idle(now)
            bucket = self._buckets[key] = TokenBucket(self.rate, self.burst, now)
        return bucket

    def allow(self, key: Hashable, now: float) -> bool:
        return not self.enabled or self.bucket(key, now).take(now)

    def _forget_idle(self, now: float) -> None:
        """Drop buckets that refilled (their keys went quiet): a new one starts full anyway."""
        self._buckets = {k: b for k, b in self._buckets.items() if not b.full(now)}
        self._sweep_at = max(FORGET_AFTER, 2 * len(self._buckets))  # amortised: no scan per key

    def __len__(self) -> int:
        return len(self._buckets)


class Throttled(Exception):
    """A request over a rate limit; ``retry_after_s`` is when the next one fits."""

    def __init__(self, message: str, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class RateGate:
    """A limiter that refuses with :class:`Throttled`, counts what it refuses in
    ``counter{protocol, scope}`` and logs each key once per episode over the limit."""

    def __init__(self, scope: str, rate: float, burst: int, counter: Counter):
        self.scope, self.limiter, self.counter = scope, RateLimiter(rate, burst), counter
        self._throttled: set[Hashable] = set()

    def check(self, protocol: str, key: Hashable, now: float) -> None:
        if not self.limiter.enabled:
            return
        bucket = self.limiter.bucket(key, now)
        if bucket.take(now):
            self._throttled.discard(key)
            return
        self.counter.labels(protocol, self.scope).inc()
        if key not in self._throttled:
            if len(self._throttled) >= FORGET_AFTER:
                self._throttled.clear()
            self._throttled.add(key)
            log.warning(
                "%s %s %s over its rate limit (%g/s): refusing until it slows down",
                protocol, self.scope, key, self.limiter.rate,
            )  # fmt: skip
        raise Throttled(
            f"over the {self.scope} rate limit of {self.limiter.rate:g} requests/s",
            bucket.retry_after_s(),
        )
