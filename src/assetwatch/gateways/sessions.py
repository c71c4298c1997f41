"""Which device is online on which connection, for the command downlink.

Every gateway registers a :class:`DeviceLink` when a connection has identified its device
(JT/T 808 authentication, GT06 login, ...) and removes it when the connection is lost. The
command dispatcher listens: a device coming online gets its queued commands, a device's
answer (:class:`~assetwatch.model.commands.CommandOutcome`) settles the command it
correlates with. Everything here runs on the event loop thread; nothing blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from assetwatch.model.commands import CommandKind, CommandOutcome


class DeviceLink(Protocol):
    """One live connection of one identified device."""

    @property
    def protocol(self) -> str: ...

    @property
    def device_key(self) -> str: ...

    def send_command(self, kind: CommandKind, params: dict[str, Any]) -> int:
        """Encode and write the command; return the correlation the device will echo.

        Raises :class:`~assetwatch.errors.CommandNotSupported` when the protocol cannot
        express it, :class:`ConnectionError` when the connection is closing.
        """
        ...


OnlineListener = Callable[[DeviceLink], None]
OutcomeListener = Callable[[str, str, CommandOutcome], None]


class Sessions:
    """The registry of online device links, keyed by ``(protocol, device_key)``.

    The newest connection of a device wins: a tracker that reconnects before its old socket
    timed out gets its commands on the new one.
    """

    def __init__(self) -> None:
        self._links: dict[tuple[str, str], DeviceLink] = {}
        self._online: list[OnlineListener] = []
        self._outcome: list[OutcomeListener] = []

    # -- listeners ------------------------------------------------------------------------
    def on_online(self, listener: OnlineListener) -> None:
        self._online.append(listener)

    def on_outcome(self, listener: OutcomeListener) -> None:
        self._outcome.append(listener)

    # -- called by gateways -----------------------------------------------------------------
    def online(self, link: DeviceLink) -> None:
        self._links[(link.protocol, link.device_key)] = link
        for listener in self._online:
            listener(link)

    def offline(self, link: DeviceLink) -> None:
        key = (link.protocol, link.device_key)
        if self._links.get(key) is link:
            del self._links[key]

    def outcome(self, protocol: str, device_key: str, outcome: CommandOutcome) -> None:
        for listener in self._outcome:
            listener(protocol, device_key, outcome)

    # -- queries ----------------------------------------------------------------------------
    def get(self, protocol: str, device_key: str) -> DeviceLink | None:
        return self._links.get((protocol, device_key))

    def __len__(self) -> int:
        return len(self._links)
