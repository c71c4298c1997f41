"""Device date/time → UTC epoch milliseconds, with the clone quirks (pure: the caller gives
the server time when it wants the plausibility check).

Which zone a packet's wall-clock time is read in:

* packets the JM-VL03 document defines as UTC (0x22, 0x26, 0x27, 0x28, 0x2A, 0xA0, 0xA1,
  0xA4) are read in the device's configured zone ``tz`` (UTC unless an operator says the
  device's clock runs local);
* the classic packets (0x10, 0x12, 0x16, 0x1A, …) of older devices and clones may carry
  local time: they are read in the zone announced by the login's time-zone word when
  there was one, else in ``tz``.

Encodings (``TimeEncoding``): ``binary`` is the spec; ``bcd`` the clone reading; ``auto``
takes the binary reading unless it is impossible, or more than :data:`FUTURE_SLACK_MS` in
the future of the server time, while the BCD reading is valid and not in the future (BCD
bytes read as binary always come out later than they are).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Final

from assetwatch.protocols.gt06.messages import UTC_PACKETS
from assetwatch.protocols.gt06.wire import TimeEncoding, bcd_time, binary_time

_NAIVE_EPOCH: Final = datetime(1970, 1, 1)
_NO_OFFSET: Final = timedelta(0)
FUTURE_SLACK_MS: Final = 600_000
"""A binary reading more than 10 minutes ahead of the server is not believed (``auto``)."""


def local_to_epoch_ms(local: datetime, tz: tzinfo) -> int:
    """Naive wall-clock ``local`` read in ``tz`` → UTC epoch milliseconds."""
    delta = local - _NAIVE_EPOCH - (tz.utcoffset(local) or _NO_OFFSET)
    return (delta.days * 86400 + delta.seconds) * 1000


def packet_zone(protocol: int, tz: tzinfo, login_zone: tzinfo | None) -> tzinfo:
    """The zone the date/time of a ``protocol`` packet is read in (see module doc)."""
    if login_zone is None or protocol in UTC_PACKETS:
        return tz
    return login_zone


def device_time_ms(
    raw: bytes,
    zone: tzinfo,
    *,
    encoding: TimeEncoding = "binary",
    server_time_ms: int = 0,
) -> tuple[int | None, bool]:
    """``(UTC epoch ms or None if invalid, read_as_bcd)`` of the 6 date/time bytes ``raw``.

    ``server_time_ms`` (epoch ms) enables the ``auto`` plausibility check; 0 disables it.
    """
    if encoding == "bcd":
        moment = bcd_time(raw)
        return (None if moment is None else local_to_epoch_ms(moment, zone)), True
    binary = binary_time(raw)
    binary_ms = None if binary is None else local_to_epoch_ms(binary, zone)
    if encoding == "binary" or server_time_ms <= 0:
        return binary_ms, False
    horizon = server_time_ms + FUTURE_SLACK_MS
    if binary_ms is not None and binary_ms <= horizon:
        return binary_ms, False
    clone = bcd_time(raw)
    if clone is not None and clone != binary:
        clone_ms = local_to_epoch_ms(clone, zone)
        if clone_ms <= horizon:
            return clone_ms, True
    return binary_ms, False
