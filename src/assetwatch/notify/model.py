"""What the outbox hands to a channel, and what a channel answers.

A :class:`Notice` is everything a channel needs to render and send one notification: the
alarms it is about (one for an alarm or escalation; several for a digest or a storm
summary), the recipient and the locale. It is built by the delivery worker from an outbox
row, so a channel never reads the database. A channel answers with a :class:`Delivery`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

NoticeKind = Literal["alarm", "escalation", "summary", "digest", "test"]
LOCALES = ("en", "zh-CN")


@dataclass(frozen=True, slots=True)
class AlarmFacts:
    """One alarm as a notification shows it (no database ids other than ``alarm_id``)."""

    alarm_id: int
    type: str  # canonical alarm type, e.g. "geofence_exit", "offline", "removal"
    severity: str  # low | medium | high | critical
    status: str  # open | acknowledged | resolved | false_positive
    asset: str | None  # asset key (VIN, serial…), None for device-only alarms
    asset_name: str | None
    device: str | None  # device key (IMEI / terminal phone)
    subject: str  # what the alarm is about within its type (fence key, device key…)
    opened_ms: int  # when it happened (event time, UTC epoch ms)
    count: int = 1  # repeats folded into this alarm
    lat: float | None = None
    lon: float | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a notice goes to. Channel addresses not used by a channel may be empty."""

    key: str  # contact key, or the channel name for group channels (webhook, chat robot)
    name: str = ""
    email: str | None = None
    phone: str | None = None  # E.164, e.g. +8613800138000
    timezone: str = "Asia/Shanghai"  # IANA zone the times are shown in
    locale: str = "zh-CN"  # "zh-CN" | "en"


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification to send. ``idempotency_key`` is stable across retries and restarts:
    receivers de-duplicate on it (delivery is at least once)."""

    notification_id: int
    idempotency_key: str
    kind: NoticeKind
    tenant: str  # tenant key
    recipient: Recipient
    alarms: tuple[AlarmFacts, ...]
    created_ms: int
    attempt: int = 1  # 1 for the first try
    escalation_step: int | None = None  # for kind == "escalation": 1, 2, ...
    suppressed: int = 0  # for kind == "summary": alarms not notified one by one
    link: str | None = None  # URL of the alarm in the dashboard/API, when configured


@dataclass(frozen=True, slots=True)
class Delivery:
    """A channel's answer. ``retryable`` failures are tried again with backoff; others go
    straight to the dead letter (e.g. a 400 from a webhook, an invalid address)."""

    ok: bool
    retryable: bool = True
    detail: str = ""  # short human text: "250 OK", "HTTP 500", "connection refused"
    status_code: int | None = None  # HTTP status or SMTP reply code when there is one
