"""Command parameters by kind, and the API's request/response shapes."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from pydantic import BaseModel, Field

from assetwatch.errors import ValidationError
from assetwatch.model.commands import CommandKind

STATUSES = ("queued", "sent", "acked", "failed", "expired", "cancelled")
OPEN_STATUSES = ("queued", "sent")
SENDABLE_APPROVALS = ("not_required", "approved")

DEFAULT_EXPIRY_S = 24 * 3600
MAX_EXPIRY_S = 30 * 24 * 3600

Seconds = Annotated[int, msgspec.Meta(gt=0, le=7 * 24 * 3600)]


class _Params(msgspec.Struct, forbid_unknown_fields=True):
    pass


class NoParams(_Params):
    pass


class IntervalParams(_Params):
    seconds: Seconds


class TrackingParams(_Params):
    interval_s: Annotated[int, msgspec.Meta(ge=0, le=65535)]
    duration_s: Annotated[int, msgspec.Meta(ge=0, le=7 * 24 * 3600)]


class TextParams(_Params):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class SetParametersParams(_Params):
    values: Annotated[dict[str, Any], msgspec.Meta(min_length=1)]


class QueryParametersParams(_Params):
    names: list[str | int] = []


class RawParams(_Params):
    msg_id: Annotated[int, msgspec.Meta(ge=0, le=0xFFFF)] | None = None
    body_hex: str | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        if self.msg_id is None and self.text is None:
            raise ValueError("give msg_id and body_hex (JT/T 808) or text (GT06)")
        if self.body_hex is not None:
            bytes.fromhex(self.body_hex)  # ValueError: not hex


PARAMS: dict[CommandKind, type[_Params]] = {
    CommandKind.SET_REPORT_INTERVAL: IntervalParams,
    CommandKind.SET_SLEEP_INTERVAL: IntervalParams,
    CommandKind.SET_HEARTBEAT_INTERVAL: IntervalParams,
    CommandKind.SET_PARAMETERS: SetParametersParams,
    CommandKind.QUERY_PARAMETERS: QueryParametersParams,
    CommandKind.QUERY_LOCATION: NoParams,
    CommandKind.TEMPORARY_TRACKING: TrackingParams,
    CommandKind.CUT_OIL: NoParams,
    CommandKind.RESTORE_OIL: NoParams,
    CommandKind.TEXT: TextParams,
    CommandKind.REBOOT: NoParams,
    CommandKind.RAW: RawParams,
}


def checked_params(kind: str, params: dict[str, Any] | None) -> tuple[CommandKind, dict[str, Any]]:
    """The kind and its parameters, validated; ``ValidationError`` names the bad field."""
    try:
        command_kind = CommandKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in CommandKind)
        raise ValidationError(f"unknown command kind {kind!r} (known: {known})") from None
    try:
        value = msgspec.convert(params or {}, PARAMS[command_kind])
    except msgspec.ValidationError as err:
        raise ValidationError(f"{kind} params: {err}") from None
    checked = {k: v for k, v in msgspec.to_builtins(value).items() if v is not None}
    return command_kind, checked


class CommandCreate(BaseModel):
    kind: CommandKind = Field(description="What the device should do")
    params: dict[str, Any] = Field(default_factory=dict, description="By kind; see the docs")
    expires_in_s: int = Field(
        DEFAULT_EXPIRY_S, gt=0, le=MAX_EXPIRY_S, description="Give up if not delivered by then"
    )
    requested_by: str | None = Field(
        None, max_length=100, description="Development mode only: who asks (else the caller)"
    )
    reason: str | None = Field(None, max_length=2000)


class CommandDecision(BaseModel):
    by: str | None = Field(
        None, max_length=100, description="Development mode only: who decides (else the caller)"
    )
    note: str | None = Field(None, max_length=2000)
