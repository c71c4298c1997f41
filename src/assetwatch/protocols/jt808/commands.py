"""The canonical command vocabulary on JT/T 808: message id + body per command, and the
device's answer as a :class:`~assetwatch.model.commands.CommandOutcome`.

=======================  ===============================================================
kind                     message
=======================  ===============================================================
set_report_interval      0x8103 with 0x0029 default report interval (DWORD s)
set_sleep_interval       0x8103 with 0x0027 report interval while asleep
set_heartbeat_interval   0x8103 with 0x0001 heartbeat interval
set_parameters           0x8103 with the given ``values`` (names or ids, typed by the table)
query_parameters         0x8104 (``names`` empty: all) or 0x8106 (2013+) with the ids
query_location           0x8201 (empty body)
temporary_tracking       0x8202 interval WORD + validity DWORD (``interval_s`` 0 stops)
cut_oil / restore_oil    0x8500: 2011/2013 flag BYTE bit 0 = 1 / 0; 2019 control type
                         0x0001 with param 0 (lock) / 1 (open), or a vendor ``control_type``
                         with param 1 / 0
text                     0x8300 flag (default display + TTS) + text (2019: + text type)
reboot                   0x8105 command 4 (terminal reset)
raw                      ``msg_id`` and ``body_hex`` as given
=======================  ===============================================================

Cut/restore: the standard only controls the doors; trackers that immobilise wire their
relay (断油断电) to the door-lock output, so "lock" means cut. The 2019 door parameter is
inverted against 2013 (0 = lock), which is why cut is flag bit 0 = 1 in 2013 but param 0
in 2019. The 0x0500 answer reports the state in status bits 10/11 (oil/circuit cut) and 12
(door locked).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from assetwatch.errors import CommandNotSupported, ValidationError
from assetwatch.model.commands import CommandKind
from assetwatch.protocols.jt808.control import (
    DOOR_CONTROL,
    DOOR_LOCK_2019,
    DOOR_LOCK_BIT,
    DOOR_OPEN_2019,
    LAYOUT_2013,
    LAYOUT_2019,
    RESET,
    ControlItem,
    VehicleControl,
    encode_terminal_control,
    encode_vehicle_control,
)
from assetwatch.protocols.jt808.header import VERSIONS
from assetwatch.protocols.jt808.information import TEXT_DISPLAY_TTS, TextMessage
from assetwatch.protocols.jt808.information import encode_text_message as _text_body
from assetwatch.protocols.jt808.messages import (
    LOCATION_QUERY,
    QUERY_ALL_PARAMETERS,
    QUERY_PARAMETERS,
    SET_PARAMETERS,
    TEMPORARY_TRACKING,
    TERMINAL_CONTROL,
    TEXT_MESSAGE,
    VEHICLE_CONTROL,
)
from assetwatch.protocols.jt808.outcomes import command_outcome
from assetwatch.protocols.jt808.parameters import (
    Parameter,
    encode_query_parameters,
    encode_set_parameters,
    parameter,
    parameter_id,
    parameters_from,
)
from assetwatch.protocols.jt808.tracking import TemporaryTracking, encode_temporary_tracking

__all__ = ["TEXT_FLAG_2019", "TEXT_TYPE_2019", "command_outcome", "encode_command"]

TEXT_FLAG_2019: Final = 0x0D
"""Default 2019 text flag: kind 01 (service), display, TTS."""
TEXT_TYPE_2019: Final = 1
"""Default 2019 text type: 1 notice."""
Encoded = tuple[int, bytes]


def encode_command(kind: CommandKind | str, params: Mapping[str, Any], *, version: str) -> Encoded:
    """``(message id, body)`` of a canonical command for a terminal speaking ``version``.

    Raises :class:`CommandNotSupported` for a kind JT/T 808 cannot express (or not in that
    version) and :class:`ValidationError` for missing or invalid ``params``.
    """
    if version not in VERSIONS:
        raise ValueError(f"unknown JT/T 808 version {version!r}")
    try:
        encoder = _ENCODERS[CommandKind(kind)]
    except (ValueError, KeyError):
        raise CommandNotSupported(f"JT/T 808 has no command {kind!r}") from None
    try:
        return encoder(params, version)
    except (ValueError, TypeError, KeyError) as err:
        raise ValidationError(f"{kind}: {err}") from err


def _seconds(params: Mapping[str, Any], name: str, *, minimum: int = 1) -> int:
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def _set_one(param_name: str) -> Callable[[Mapping[str, Any], str], Encoded]:
    def encode(params: Mapping[str, Any], version: str) -> Encoded:
        item = parameter(param_name, _seconds(params, "seconds"))
        return SET_PARAMETERS, encode_set_parameters([item], version)

    return encode


def _set_parameters(params: Mapping[str, Any], version: str) -> Encoded:
    values = params.get("values")
    if not isinstance(values, Mapping) or not values:
        raise ValueError("values must be a non-empty {parameter: value} mapping")
    items: tuple[Parameter, ...] = parameters_from(values)
    return SET_PARAMETERS, encode_set_parameters(items, version)


def _query_parameters(params: Mapping[str, Any], version: str) -> Encoded:
    names = params.get("names") or []
    if not isinstance(names, list | tuple):
        raise ValueError("names must be a list of parameter names or ids")
    if not names:
        return QUERY_ALL_PARAMETERS, b""
    if version == "2011":
        raise CommandNotSupported("JT/T 808-2011 has no 0x8106: query all parameters instead")
    return QUERY_PARAMETERS, encode_query_parameters(parameter_id(name) for name in names)


def _temporary_tracking(params: Mapping[str, Any], version: str) -> Encoded:
    interval = _seconds(params, "interval_s", minimum=0)
    stop = interval == 0 and "duration_s" not in params
    duration = 0 if stop else _seconds(params, "duration_s", minimum=0)
    tracking = TemporaryTracking(interval, duration)
    return TEMPORARY_TRACKING, encode_temporary_tracking(tracking)


def _oil(cut: bool) -> Callable[[Mapping[str, Any], str], Encoded]:
    def encode(params: Mapping[str, Any], version: str) -> Encoded:
        if version != "2019":
            control = VehicleControl(LAYOUT_2013, flag=DOOR_LOCK_BIT if cut else 0)
            return VEHICLE_CONTROL, encode_vehicle_control(control)
        control_type = params.get("control_type", DOOR_CONTROL)
        if not isinstance(control_type, int) or not 0 <= control_type <= 0xFFFF:
            raise ValueError(f"control_type must be a WORD, got {control_type!r}")
        if control_type == DOOR_CONTROL:
            param = DOOR_LOCK_2019 if cut else DOOR_OPEN_2019
        else:
            param = 1 if cut else 0
        item = ControlItem(control_type, bytes((param,)))
        return VEHICLE_CONTROL, encode_vehicle_control(VehicleControl(LAYOUT_2019, items=(item,)))

    return encode


def _text(params: Mapping[str, Any], version: str) -> Encoded:
    text = params.get("text")
    if not isinstance(text, str) or not text:
        raise ValueError("text must be a non-empty string")
    if version == "2019":
        flag = params.get("flag", TEXT_FLAG_2019)
        message = TextMessage(flag, text, params.get("text_type", TEXT_TYPE_2019))
    else:
        message = TextMessage(params.get("flag", TEXT_DISPLAY_TTS), text)
    return TEXT_MESSAGE, _text_body(message)


def _reboot(params: Mapping[str, Any], version: str) -> Encoded:
    return TERMINAL_CONTROL, encode_terminal_control(RESET)


def _raw(params: Mapping[str, Any], version: str) -> Encoded:
    msg_id = params.get("msg_id")
    if isinstance(msg_id, str):
        msg_id = int(msg_id, 16) if msg_id.lower().startswith("0x") else int(msg_id)
    if isinstance(msg_id, bool) or not isinstance(msg_id, int) or not 0 <= msg_id <= 0xFFFF:
        raise ValueError(f"msg_id must be a WORD, got {params.get('msg_id')!r}")
    body_hex = params.get("body_hex", "")
    if not isinstance(body_hex, str):
        raise ValueError("body_hex must be hex text")
    return msg_id, bytes.fromhex(body_hex)


_ENCODERS: Final[dict[CommandKind, Callable[[Mapping[str, Any], str], Encoded]]] = {
    CommandKind.SET_REPORT_INTERVAL: _set_one("default_report_interval"),
    CommandKind.SET_SLEEP_INTERVAL: _set_one("sleep_report_interval"),
    CommandKind.SET_HEARTBEAT_INTERVAL: _set_one("heartbeat_interval"),
    CommandKind.SET_PARAMETERS: _set_parameters,
    CommandKind.QUERY_PARAMETERS: _query_parameters,
    CommandKind.QUERY_LOCATION: lambda params, version: (LOCATION_QUERY, b""),
    CommandKind.TEMPORARY_TRACKING: _temporary_tracking,
    CommandKind.CUT_OIL: _oil(cut=True),
    CommandKind.RESTORE_OIL: _oil(cut=False),
    CommandKind.TEXT: _text,
    CommandKind.REBOOT: _reboot,
    CommandKind.RAW: _raw,
}
"""Kind -> ``(params, version) -> (message id, body)``."""
