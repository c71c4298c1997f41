"""In-app channel: hands the notification to a ``publish`` callback (the live WebSocket feed)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from assetwatch.notify.channels.config import ChannelConfig
from assetwatch.notify.model import Delivery, Notice
from assetwatch.notify.templates import render

log = logging.getLogger(__name__)
Publish = Callable[[dict[str, Any]], None]


class InAppConfig(ChannelConfig):
    """No settings: the message goes wherever ``publish`` sends it."""


def inapp_message(notice: Notice) -> dict[str, Any]:
    """The live-feed message of ``notice``."""
    rendered = render(notice)
    return {
        "type": "notification",
        "kind": notice.kind,
        "idempotency_key": notice.idempotency_key,
        "title": rendered.title,
        "text": rendered.text,
        "alarm_ids": [alarm.alarm_id for alarm in notice.alarms],
        "recipient": notice.recipient.key,
        "tenant": notice.tenant,
    }


class InAppChannel:
    kind = "inapp"

    def __init__(self, config: InAppConfig, publish: Publish):
        self.config = config
        self._publish = publish

    async def send(self, notice: Notice) -> Delivery:
        try:
            self._publish(inapp_message(notice))
        except Exception as error:  # the feed's failure is a failed delivery, not a crash
            log.exception("in-app publish failed for %s", notice.idempotency_key)
            return Delivery(ok=False, retryable=True, detail=f"publish failed: {error!r}")
        return Delivery(ok=True, detail="published")

    async def aclose(self) -> None:
        return None
