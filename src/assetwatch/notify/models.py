"""API/CLI/provisioning schemas of the notification configuration (one shape for all three)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assetwatch.geo.zones import zone
from assetwatch.notify.quiet import validate_quiet_hours

KEY = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$"
Severity = Literal["low", "medium", "high", "critical"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContactIn(_Strict):
    """A person who can be notified (until users arrive with issue 6, contacts stand alone)."""

    name: str = Field("", max_length=200)
    role: str | None = Field(None, max_length=30, description="e.g. risk_officer, operator")
    org_unit: str | None = Field(None, max_length=100, description="org unit key")
    email: str | None = Field(None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(None, max_length=30, pattern=r"^\+?[0-9 -]{5,29}$")
    timezone: str = Field("Asia/Shanghai", description="IANA zone times are shown in")
    locale: Literal["zh-CN", "en"] = "zh-CN"
    active: bool = True

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        zone(value)
        return value


class ChannelIn(_Strict):
    kind: Literal["inapp", "email", "sms", "webhook", "wecom", "dingtalk"]
    config: dict[str, Any] = Field(default_factory=dict, description="per kind: see the docs")
    enabled: bool = True


class AlarmFilterIn(_Strict):
    alarm_types: list[str] = Field(default_factory=list, description="empty: every type")
    min_severity: Severity = "low"
    asset_groups: list[str] = Field(default_factory=list, description="empty: every asset")


class QuietHoursIn(_Strict):
    start: str = Field(..., examples=["22:00"])
    end: str = Field(..., examples=["07:00"])
    timezone: str | None = Field(None, description="default: the recipient's zone")
    bypass_severity: Severity = "critical"

    @model_validator(mode="after")
    def _valid(self) -> QuietHoursIn:
        validate_quiet_hours(self.model_dump(exclude_none=True))
        return self


class SubscriptionIn(_Strict):
    """Who (a contact, everyone with a role, everyone in an org unit subtree, or the channel
    itself for group robots and webhooks) gets which alarms on which channel."""

    target_kind: Literal["contact", "role", "org_unit", "channel"]
    target: str = Field("", max_length=100, description="contact key, role or org unit key")
    channel: str = Field(..., description="channel key")
    filters: AlarmFilterIn = Field(default_factory=AlarmFilterIn)
    quiet_hours: QuietHoursIn | None = None
    delivery: Literal["immediate", "digest"] = "immediate"
    digest_minutes: int = Field(60, ge=1, le=10080)
    timezone: str | None = Field(None, description="for channel targets")
    locale: Literal["zh-CN", "en"] | None = None
    enabled: bool = True

    @model_validator(mode="after")
    def _target(self) -> SubscriptionIn:
        if self.target_kind != "channel" and not self.target:
            raise ValueError(f"target is required for a {self.target_kind} subscription")
        if self.timezone:
            zone(self.timezone)
        return self


class EscalationTarget(_Strict):
    kind: Literal["contact", "role", "org_unit"]
    key: str = Field(..., min_length=1, max_length=100)


class EscalationStep(_Strict):
    after_minutes: float = Field(..., gt=0, description="after the alarm was raised")
    targets: list[EscalationTarget] = Field(..., min_length=1)
    channel: str = Field(..., description="channel key")


class EscalationPolicyIn(_Strict):
    """Unacknowledged after N minutes → the next role, org unit or person, in steps."""

    priority: int = Field(100, description="the lowest-numbered matching policy applies")
    match: AlarmFilterIn = Field(default_factory=AlarmFilterIn)
    steps: list[EscalationStep] = Field(..., min_length=1, max_length=10)
    enabled: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> EscalationPolicyIn:
        times = [s.after_minutes for s in self.steps]
        if times != sorted(times) or len(set(times)) != len(times):
            raise ValueError("steps must come in increasing after_minutes")
        return self
