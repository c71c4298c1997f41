"""Notification channels: one module per kind behind the small :class:`~.base.Channel` interface.

Build them from stored settings with :func:`~.base.build_channel`; check settings from users
with :func:`~.base.validate_config` and show them with :func:`~.base.redact`.
"""

from assetwatch.notify.channels.base import (
    CHANNEL_KINDS,
    Channel,
    build_channel,
    redact,
    validate_config,
)

__all__ = ["CHANNEL_KINDS", "Channel", "build_channel", "redact", "validate_config"]
