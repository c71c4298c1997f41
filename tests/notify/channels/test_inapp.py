"""The in-app channel hands a message to the live feed's publish function."""

from __future__ import annotations

from contextlib import aclosing
from typing import Any

import pytest

from assetwatch.errors import ConfigurationError
from assetwatch.live import LiveFeed
from assetwatch.notify.channels.base import build_channel
from assetwatch.notify.templates import render

from ..samples import alarm, notice


async def test_publishes_the_notification_to_the_live_feed():
    feed = LiveFeed()
    subscription = feed.subscribe()
    facts = (alarm(), alarm(alarm_id=42, type="offline"))
    sent = notice(kind="digest", alarms=facts)
    async with aclosing(build_channel("inapp", {}, publish=feed.publish)) as ch:
        delivery = await ch.send(sent)
    assert delivery.ok
    message = subscription.queue.get_nowait()
    assert message == {
        "type": "notification",
        "kind": "digest",
        "idempotency_key": "ntf-7-email-li.wei",
        "title": render(sent).title,
        "text": render(sent).text,
        "alarm_ids": [41, 42],
        "recipient": "li.wei",
        "tenant": "north-bank",
    }


async def test_a_failing_publish_is_a_retryable_delivery(caplog: pytest.LogCaptureFixture):
    def broken(message: dict[str, Any]) -> None:
        raise RuntimeError("feed closed")

    async with aclosing(build_channel("inapp", {}, publish=broken)) as ch:
        delivery = await ch.send(notice())
    assert (delivery.ok, delivery.retryable) == (False, True)
    assert "feed closed" in delivery.detail
    assert "in-app publish failed" in caplog.text


def test_needs_a_publish_function():
    with pytest.raises(ConfigurationError, match="publish"):
        build_channel("inapp", {})
