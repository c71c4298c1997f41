"""The canonical downlink vocabulary: what an operator can ask a device to do.

Every protocol codec maps these kinds onto its own messages (JT/T 808 0x8103/0x8105/0x8201/
0x8202/0x8300/0x8500, GT06 0x80 text commands, ...) and reports the device's answer as a
:class:`CommandOutcome`. A codec that cannot express a kind raises
:class:`~assetwatch.errors.CommandNotSupported`.

Parameters (``params``) per kind, units in the names:

============================  ==========================================================
kind                          params
============================  ==========================================================
``set_report_interval``       ``seconds`` (int > 0): default report interval
``set_sleep_interval``        ``seconds`` (int > 0): report interval while asleep/parked
``set_heartbeat_interval``    ``seconds`` (int > 0)
``set_parameters``            ``values``: {parameter name or ``0x....`` id: value}
``query_parameters``          ``names``: [parameter name or id] (empty = all)
``query_location``            none
``temporary_tracking``        ``interval_s`` (int >= 0; 0 stops), ``duration_s`` (int)
``cut_oil``                   none (cut fuel / power: immobilise)
``restore_oil``               none
``text``                      ``text`` (str): shown or spoken on the terminal
``reboot``                    none
``raw``                       protocol-specific: JT/T 808 ``msg_id`` (int) and
                              ``body_hex``; GT06 ``text`` (the command string)
============================  ==========================================================
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import msgspec


class CommandKind(StrEnum):
    SET_REPORT_INTERVAL = "set_report_interval"
    SET_SLEEP_INTERVAL = "set_sleep_interval"
    SET_HEARTBEAT_INTERVAL = "set_heartbeat_interval"
    SET_PARAMETERS = "set_parameters"
    QUERY_PARAMETERS = "query_parameters"
    QUERY_LOCATION = "query_location"
    TEMPORARY_TRACKING = "temporary_tracking"
    CUT_OIL = "cut_oil"
    RESTORE_OIL = "restore_oil"
    TEXT = "text"
    REBOOT = "reboot"
    RAW = "raw"


IMMOBILISING: frozenset[CommandKind] = frozenset({CommandKind.CUT_OIL})
"""Kinds that can stop a vehicle: they need an approval before they are sent."""


class CommandResult(StrEnum):
    OK = "ok"
    FAILED = "failed"
    UNSUPPORTED = "unsupported"


class CommandOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """A device's answer to a command, correlated by ``correlation``.

    ``correlation`` is what the protocol echoes: the JT/T 808 platform serial of the command
    (0x0001/0x0104/0x0201/0x0500 carry it as "reply serial"), the GT06 server flag of a 0x80
    command (echoed by 0x15/0x21). ``details`` holds what the answer said (parameter values,
    a location, the response text).
    """

    correlation: int
    result: CommandResult
    details: dict[str, Any] = msgspec.field(default_factory=dict)
