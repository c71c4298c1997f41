"""The canonical command vocabulary (:mod:`assetwatch.model.commands`) as GT06 0x80 texts,
and the device's 0x15/0x21 answers as :class:`CommandOutcome`.

==========================  ===========================  =====================================
kind                        text sent                    notes
==========================  ===========================  =====================================
``cut_oil``                 ``Relay,1#``                 ``params={"style": "dyd",
                                                         "password": "123456"}`` sends
                                                         ``DYD,123456#`` (other firmware)
``restore_oil``             ``Relay,0#``                 ``HFYD,<password>#`` with ``dyd``
``set_report_interval``     ``TIMER,<seconds>#``         5–18000 s (interval with ACC on)
``set_heartbeat_interval``  ``HBT,<minutes>#``           whole minutes, 1–300
``query_location``          ``WHERE#``                   the answer spells out a position
``query_parameters``        ``PARAM#``                   all parameters only
``reboot``                  ``RESET#``
``raw``                     ``params["text"]``           sent as is (ASCII)
==========================  ===========================  =====================================

``set_sleep_interval``, ``set_parameters``, ``temporary_tracking`` and ``text`` have no
GT06 equivalent and raise :class:`~assetwatch.errors.CommandNotSupported` (a parked
interval is the second value of ``TIMER,<on>,<off>#``: send it as ``raw``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from assetwatch.errors import CommandNotSupported, ValidationError
from assetwatch.model.commands import CommandKind, CommandOutcome, CommandResult
from assetwatch.protocols.gt06.encoder import encode_server_command
from assetwatch.protocols.gt06.text import CommandReply, text_position

DEFAULT_PASSWORD: Final = "123456"  # noqa: S105 - the documented factory default
TIMER_RANGE_S: Final = (5, 18000)
HEARTBEAT_RANGE_MIN: Final = (1, 300)
_FAILURE: Final = re.compile(
    r"\b(fail(ed|ure)?|error|invalid|wrong|incorrect|refused|denied|unsupported|"
    r"not\s+support(ed)?|unknown\s+command)\b",
    re.IGNORECASE,
)


def _int_param(params: dict[str, Any], name: str, low: int, high: int) -> int:
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"parameter {name!r} must be an integer, not {value!r}")
    if not low <= value <= high:
        raise ValidationError(f"parameter {name!r} = {value} is outside {low}–{high}")
    return value


def _relay(on: bool) -> Callable[[dict[str, Any]], str]:
    def text(params: dict[str, Any]) -> str:
        style = params.get("style", "relay")
        if style == "relay":
            return f"Relay,{int(on)}#"
        if style == "dyd":
            password = str(params.get("password", DEFAULT_PASSWORD))
            if not password.isascii() or not password.isalnum():
                raise ValidationError("parameter 'password' must be ASCII letters and digits")
            return f"{'DYD' if on else 'HFYD'},{password}#"
        raise ValidationError(f"parameter 'style' must be 'relay' or 'dyd', not {style!r}")

    return text


def _report_interval(params: dict[str, Any]) -> str:
    return f"TIMER,{_int_param(params, 'seconds', *TIMER_RANGE_S)}#"


def _heartbeat_interval(params: dict[str, Any]) -> str:
    seconds = _int_param(params, "seconds", 60, HEARTBEAT_RANGE_MIN[1] * 60)
    if seconds % 60:
        raise ValidationError(f"GT06 heartbeat intervals are whole minutes, not {seconds} s")
    return f"HBT,{seconds // 60}#"


def _query_parameters(params: dict[str, Any]) -> str:
    if params.get("names"):
        raise CommandNotSupported("GT06 queries all parameters at once (PARAM#), not by name")
    return "PARAM#"


def _raw(params: dict[str, Any]) -> str:
    text = params.get("text")
    if not isinstance(text, str) or not text or not text.isascii():
        raise ValidationError("raw GT06 commands need 'text': a non-empty ASCII string")
    return text


COMMAND_TEXTS: Final[dict[CommandKind, Callable[[dict[str, Any]], str]]] = {
    CommandKind.CUT_OIL: _relay(True),
    CommandKind.RESTORE_OIL: _relay(False),
    CommandKind.SET_REPORT_INTERVAL: _report_interval,
    CommandKind.SET_HEARTBEAT_INTERVAL: _heartbeat_interval,
    CommandKind.QUERY_LOCATION: lambda params: "WHERE#",
    CommandKind.QUERY_PARAMETERS: _query_parameters,
    CommandKind.REBOOT: lambda params: "RESET#",
    CommandKind.RAW: _raw,
}
"""Canonical kind -> the function building its 0x80 text from the params."""


def command_text(kind: CommandKind | str, params: dict[str, Any]) -> str:
    """The 0x80 text for ``kind``; :class:`CommandNotSupported` when GT06 has none,
    :class:`ValidationError` for bad params."""
    try:
        build = COMMAND_TEXTS[CommandKind(kind)]
    except (ValueError, KeyError):
        raise CommandNotSupported(f"GT06 devices have no command for {kind!s}") from None
    return build(params)


def encode_command(
    kind: CommandKind | str, params: dict[str, Any], *, server_flag: int, serial: int
) -> bytes:
    """The complete 0x80 frame for ``kind``; the device echoes ``server_flag`` (the
    correlation of its :class:`CommandOutcome`)."""
    return encode_server_command(command_text(kind, params), server_flag, serial)


def command_outcome(reply: CommandReply) -> CommandOutcome:
    """The outcome a 0x15/0x21 answer reports: failed when the text says so (``fail``,
    ``error``, ``invalid``…), ok otherwise. ``details`` holds the text and, for ``WHERE#``
    answers, the position it spells out."""
    details: dict[str, Any] = {"text": reply.text}
    spelled = text_position(reply.text)
    if spelled is not None:
        details["position"] = {"lat": spelled.lat, "lon": spelled.lon}
    failed = _FAILURE.search(reply.text) is not None
    return CommandOutcome(
        correlation=reply.server_flag,
        result=CommandResult.FAILED if failed else CommandResult.OK,
        details=details,
    )
