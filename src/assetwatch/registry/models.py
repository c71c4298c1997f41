"""API and provisioning schemas of the registry (pydantic 2).

``*Create`` is a full description (also used by ``assetwatch apply``), ``*Update`` a partial
one (only the fields sent are changed), ``*Read`` what the API returns. Entities are named by
their external keys (VIN, IMEI, contract number); database ids never leave the service layer.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

PROTOCOLS = frozenset({"jt808", "gt06", "mqtt", "osmand", "http"})  # http: JSON v1 over HTTP
DEFAULT_TIMEZONE = "+08:00"
PROTOCOL_TIMEZONES = {"gt06": "UTC"}
"""Device time zones that differ from :data:`DEFAULT_TIMEZONE` (JT/T 808's GMT+8) for a
device provisioned without one: GT06 / JM-VL firmware reports UTC."""


def default_timezone(protocol: str) -> str:
    return PROTOCOL_TIMEZONES.get(protocol, DEFAULT_TIMEZONE)


Key = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\s/?#%\\]+$")]
Name = Annotated[str, StringConstraints(max_length=200)]
Latitude = Annotated[float, Field(ge=-90, le=90, description="degrees WGS-84")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="degrees WGS-84")]
Attributes = dict[str, Any]

AssetKind = Literal["vehicle", "equipment", "inventory", "herd", "site"]
CounterpartyKind = Literal["borrower", "lessee", "dealer", "pledgor"]
ContractKind = Literal["loan", "lease", "floor_plan", "pledge"]
ContractStatus = Literal["active", "overdue", "defaulted", "closed"]
DeviceStatus = Literal["active", "quarantined", "revoked"]

_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})?$")


def check_protocol(value: str) -> str:
    if value not in PROTOCOLS:
        raise ValueError(f"unknown protocol {value!r}; known: {', '.join(sorted(PROTOCOLS))}")
    return value


def check_timezone(value: str) -> str:
    """``+08:00`` / ``+0800`` / ``+08`` / ``UTC`` / an IANA name, normalized (``+08:00``)."""
    text = value.strip()
    if text.upper() in {"UTC", "GMT", "Z"}:
        return "UTC"
    offset = _OFFSET.match(text)
    if offset is not None:
        sign, hours, minutes = offset.group(1), offset.group(2), offset.group(3) or "00"
        if int(hours) > 14 or int(minutes) > 59:
            raise ValueError(f"time zone offset {value!r} is out of range")
        return f"{sign}{hours}:{minutes}"
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}: use ±HH:MM, UTC or an IANA name like Asia/Shanghai"
        ) from None
    return text


Protocol = Annotated[str, AfterValidator(check_protocol)]
TimeZoneName = Annotated[str, AfterValidator(check_timezone)]
DeviceKey = Annotated[
    str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._:-]+$")
]


class Strict(BaseModel):
    """Base of every input schema: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


class Patch(Strict):
    """A partial update: fields left out stay as they are; ``not_null`` fields refuse null."""

    not_null: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _refuse_null(self) -> Patch:
        for name in sorted(self.model_fields_set & self.not_null):
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields that were sent, as plain data."""
        return self.model_dump(include=self.model_fields_set)


class OrgUnitCreate(Strict):
    key: Key
    name: Name = ""
    parent: Key | None = None


class Address(Strict):
    label: Name = ""
    lat: Latitude
    lon: Longitude


class CounterpartyCreate(Strict):
    key: Key
    kind: CounterpartyKind
    name: Name = ""
    addresses: list[Address] = []
    org_unit: Key | None = None


class CounterpartyRead(CounterpartyCreate):
    pass


class ContractCreate(Strict):
    key: Key
    kind: ContractKind
    counterparty: Key | None = None
    amount: float | None = Field(None, ge=0)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    status: ContractStatus = "active"
    days_overdue: int = Field(0, ge=0)


class ContractRead(ContractCreate):
    pass


class AssetCreate(Strict):
    """``counterparty`` is derived from the contract; when given, it must match it."""

    key: Key
    kind: AssetKind
    name: Name = ""
    contract: Key | None = None
    counterparty: Key | None = None
    value: float | None = Field(None, ge=0)
    org_unit: Key | None = None
    attributes: Attributes = {}


class AssetUpdate(Patch):
    not_null = frozenset({"kind", "name", "attributes"})

    kind: AssetKind | None = None
    name: Name | None = None
    contract: Key | None = None
    counterparty: Key | None = None
    value: float | None = Field(None, ge=0)
    org_unit: Key | None = None
    attributes: Attributes | None = None


class AssetRead(BaseModel):
    key: str
    kind: str
    name: str
    contract: str | None
    counterparty: str | None
    value: float | None
    org_unit: str | None
    attributes: Attributes
    devices: list[str] = Field(description="keys of the devices bound now")


class DeviceCreate(Strict):
    """A tracker. ``offline_tolerance`` is in report intervals: offline after
    ``report_interval_s * offline_tolerance`` seconds of silence."""

    key: DeviceKey
    protocol: Protocol
    status: DeviceStatus = "active"
    report_interval_s: int = Field(30, gt=0, le=7 * 86_400)
    offline_tolerance: float = Field(3.0, ge=1.0, le=1000.0)
    timezone: TimeZoneName = DEFAULT_TIMEZONE
    asset: Key | None = None
    attributes: Attributes = {}

    @model_validator(mode="before")
    @classmethod
    def _protocol_timezone(cls, data: Any) -> Any:
        """Without a ``timezone``, the protocol's default (GT06: UTC, else GMT+8)."""
        if isinstance(data, dict) and "timezone" not in data and "protocol" in data:
            return {**data, "timezone": default_timezone(str(data["protocol"]))}
        return data


class DeviceUpdate(Patch):
    not_null = frozenset({"status", "report_interval_s", "offline_tolerance", "timezone"})

    status: DeviceStatus | None = None
    report_interval_s: int | None = Field(None, gt=0, le=7 * 86_400)
    offline_tolerance: float | None = Field(None, ge=1.0, le=1000.0)
    timezone: TimeZoneName | None = None
    asset: Key | None = None
    attributes: Attributes | None = None


class DeviceRead(BaseModel):
    key: str
    protocol: str
    status: str
    report_interval_s: int
    offline_tolerance: float
    timezone: str
    asset: str | None = Field(description="key of the asset bound now")
    attributes: Attributes
    created_ms: int
