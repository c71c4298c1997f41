"""Which device a message comes from, and whether it may be stored (HTTP and MQTT gateways).

Unknown devices follow the ``unknown_devices`` policy, as on the JT/T 808 gateway:
``quarantine`` records them under the quarantine tenant (stored, visible, no alarms) and
``reject`` refuses their data. Revoked devices are always refused.
"""

from __future__ import annotations

from collections.abc import Callable

from assetwatch.pipeline.directory import DeviceDirectory, DeviceInfo, UnknownPolicy


class Refused(Exception):
    """A message that must not be stored. ``status`` is the HTTP answer, ``reason`` a short
    machine name (dead-letter reason, metric label)."""

    def __init__(self, status: int, title: str, detail: str, *, reason: str):
        super().__init__(detail)
        self.status, self.title, self.detail, self.reason = status, title, detail, reason


def admit(
    directory: DeviceDirectory,
    protocol: str,
    key: str,
    *,
    policy: UnknownPolicy,
    clock: Callable[[], int],
) -> DeviceInfo:
    """The device ``(protocol, key)``, quarantined if unknown and the policy says so."""
    device = directory.find(protocol, key, unknown=policy, now_ms=clock())
    if device is None:
        raise Refused(
            403,
            "Unknown device",
            f"{protocol} device {key!r} is not provisioned",
            reason="unknown_device",
        )
    if device.status == "revoked":
        raise Refused(
            403, "Device revoked", f"{protocol} device {key!r} is revoked", reason="revoked_device"
        )
    return device
