"""The device directory: what the hot path needs to know about devices, in memory.

Gateways ask it whether a device exists and what its auth code and time zone are; the
processor asks which asset a device was bound to at an observation's time. It is loaded from
the database at start and refreshed on a miss and periodically, so provisioning done by
another process (``assetwatch apply``) is picked up without a restart.
"""

from __future__ import annotations

import bisect
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, timedelta, timezone, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from assetwatch.errors import ValidationError
from assetwatch.registry.models import default_timezone
from assetwatch.storage.engine import ensure_tenant
from assetwatch.storage.schema import (
    QUARANTINE_TENANT_KEY,
    assets,
    bindings,
    contracts,
    devices,
)

log = logging.getLogger(__name__)

AUTH_CODE_ATTEMPTS = 5
UnknownPolicy = Literal["quarantine", "reject"]
"""What happens to frames from devices nobody provisioned (``--unknown-devices``)."""


def parse_timezone(name: str) -> tzinfo:
    """``+08:00`` / ``-0330`` / ``UTC`` / an IANA name → tzinfo."""
    text = name.strip()
    if text.upper() in {"UTC", "GMT", "Z"}:
        return UTC
    if text[:1] in "+-":
        sign = -1 if text[0] == "-" else 1
        digits = text[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValidationError(
            f"unknown time zone {name!r} (use +08:00, UTC or an IANA name like Asia/Shanghai)"
        ) from err


@dataclass(slots=True)
class DeviceInfo:
    id: int
    tenant_id: int
    protocol: str
    key: str
    status: str
    auth_code: str | None
    report_interval_s: int
    offline_tolerance: float
    tz: tzinfo
    token_hash: str | None = None  # SHA-256 of the device's HTTP/MQTT token, if issued
    # binding history sorted by valid_from: parallel lists for bisect
    bound_from: list[int] = field(default_factory=list)
    bound_to: list[int | None] = field(default_factory=list)
    bound_asset: list[int] = field(default_factory=list)

    @property
    def quarantined(self) -> bool:
        return self.status != "active"

    def asset_at(self, time_ms: int) -> int | None:
        """The asset this device was bound to at ``time_ms``, if any."""
        i = bisect.bisect_right(self.bound_from, time_ms) - 1
        if i < 0:
            return None
        to = self.bound_to[i]
        return self.bound_asset[i] if to is None or time_ms < to else None


class DeviceDirectory:
    """Devices by (protocol, key), with bindings and each asset's counterparty."""

    def __init__(self, engine: Engine, *, refresh_s: float = 10.0):
        self._engine = engine
        self._refresh_s = refresh_s
        self._lock = threading.Lock()
        self._devices: dict[tuple[str, str], DeviceInfo] = {}
        self._by_id: dict[int, DeviceInfo] = {}
        self.asset_counterparty: dict[int, int | None] = {}
        self.asset_keys: dict[int, str] = {}
        self._loaded_at = 0.0
        self.reload()

    def reload(self) -> None:
        """Read every device, binding and asset (cheap for 100k devices: one query each)."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(devices)).all()
            binds = conn.execute(select(bindings).order_by(bindings.c.valid_from_ms)).all()
            asset_rows = conn.execute(
                select(assets.c.id, assets.c.key, contracts.c.counterparty_id).select_from(
                    assets.outerjoin(contracts, contracts.c.id == assets.c.contract_id)
                )
            ).all()
        infos: dict[int, DeviceInfo] = {}
        for r in rows:
            infos[r.id] = DeviceInfo(
                id=r.id,
                tenant_id=r.tenant_id,
                protocol=r.protocol,
                key=r.key,
                status=r.status,
                auth_code=r.auth_code,
                report_interval_s=r.report_interval_s,
                offline_tolerance=r.offline_tolerance,
                tz=parse_timezone(r.timezone),
                token_hash=r.token_hash,
            )
        for b in binds:
            info = infos.get(b.device_id)
            if info is not None:
                info.bound_from.append(b.valid_from_ms)
                info.bound_to.append(b.valid_to_ms)
                info.bound_asset.append(b.asset_id)
        with self._lock:
            self._devices = {(i.protocol, i.key): i for i in infos.values()}
            self._by_id = infos
            self.asset_counterparty = {a.id: a.counterparty_id for a in asset_rows}
            self.asset_keys = {a.id: a.key for a in asset_rows}
            self._loaded_at = time.monotonic()

    def maybe_reload(self) -> None:
        if time.monotonic() - self._loaded_at > self._refresh_s:
            self.reload()

    def get(self, protocol: str, key: str) -> DeviceInfo | None:
        """The device, re-reading the database once on a miss."""
        info = self._devices.get((protocol, key))
        if info is None and time.monotonic() - self._loaded_at > 1.0:
            self.reload()
            info = self._devices.get((protocol, key))
        return info

    def find(
        self, protocol: str, key: str, *, unknown: UnknownPolicy, now_ms: int
    ) -> DeviceInfo | None:
        """The device a gateway is talking to; an unknown one is quarantined under
        ``unknown="quarantine"``, or ``None`` under ``"reject"``."""
        device = self.get(protocol, key)
        if device is None and unknown == "quarantine":
            device = self.quarantine(protocol, key, now_ms)
        return device

    def by_id(self, device_id: int) -> DeviceInfo | None:
        return self._by_id.get(device_id)

    def quarantine(self, protocol: str, key: str, now_ms: int) -> DeviceInfo:
        """Record an unknown device under the quarantine tenant (stored, visible, no alarms)."""
        with self._engine.begin() as conn:
            tenant_id = ensure_tenant(conn, QUARANTINE_TENANT_KEY, "Quarantine")
            exists = conn.scalar(
                select(devices.c.id).where(
                    (devices.c.protocol == protocol) & (devices.c.key == key)
                )
            )
            if exists is None:
                conn.execute(
                    insert(devices).values(
                        tenant_id=tenant_id,
                        protocol=protocol,
                        key=key,
                        status="quarantined",
                        timezone=default_timezone(protocol),
                        attributes={},
                        created_ms=now_ms,
                    )
                )
                log.warning("quarantined unknown %s device %s", protocol, key)
        self.reload()
        info = self._devices.get((protocol, key))
        assert info is not None
        return info

    def issue_auth_code(self, info: DeviceInfo) -> str:
        """The auth code of a registering device: a fresh random one, stored before it is
        sent, or the code another connection stored first.

        Codes are unique across devices (``uq_devices_auth_code``): a drawn code that some
        other device already holds is drawn again, so no two devices ever share one.
        """
        for _attempt in range(AUTH_CODE_ATTEMPTS):
            code = secrets.token_hex(8)
            try:
                with self._engine.begin() as conn:
                    conn.execute(
                        update(devices)
                        .where((devices.c.id == info.id) & devices.c.auth_code.is_(None))
                        .values(auth_code=code)
                    )
                    stored = conn.scalar(select(devices.c.auth_code).where(devices.c.id == info.id))
            except IntegrityError:
                log.warning(
                    "auth code drawn for %s belongs to another device: drawing again", info.key
                )
                continue
            info.auth_code = str(stored)
            return info.auth_code
        raise RuntimeError(f"no unique auth code for {info.key} in {AUTH_CODE_ATTEMPTS} draws")
