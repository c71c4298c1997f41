"""Sample notices for the notification tests: one removal alarm at a known instant."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from assetwatch.notify.model import AlarmFacts, Notice, Recipient

OPENED = datetime(2026, 12, 1, 8, 5, 9, tzinfo=UTC)  # 16:05:09 in Asia/Shanghai
OPENED_MS = int(OPENED.timestamp() * 1000)
CREATED_MS = OPENED_MS + 2_000


def alarm(**changes: Any) -> AlarmFacts:
    base = AlarmFacts(
        alarm_id=41,
        type="removal",
        severity="critical",
        status="open",
        asset="LSVAB4182E2000001",
        asset_name="Camry 京A·12345",
        device="868120000000001",
        subject="868120000000001",
        opened_ms=OPENED_MS,
        lat=39.908722,
        lon=116.397499,
    )
    return replace(base, **changes)


def recipient(**changes: Any) -> Recipient:
    base = Recipient(
        key="li.wei",
        name="李伟",
        email="li.wei@bank.example",
        phone="+8613800138000",
        timezone="Asia/Shanghai",
        locale="zh-CN",
    )
    return replace(base, **changes)


def notice(**changes: Any) -> Notice:
    base = Notice(
        notification_id=7,
        idempotency_key="ntf-7-email-li.wei",
        kind="alarm",
        tenant="north-bank",
        recipient=recipient(),
        alarms=(alarm(),),
        created_ms=CREATED_MS,
    )
    return replace(base, **changes)


def english(**changes: Any) -> Notice:
    """The sample notice for an English reader in Berlin (unless ``recipient`` is given)."""
    changes.setdefault("recipient", recipient(locale="en", timezone="Europe/Berlin"))
    return notice(**changes)
