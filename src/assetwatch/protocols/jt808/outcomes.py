"""A terminal's answer to a platform command as a :class:`CommandOutcome`.

``correlation`` is the reply serial, i.e. the platform serial of the command answered:

==========  =====================================================================
message     outcome
==========  =====================================================================
0x0001      result 0 ok, 1 failed, 2 failed (message error), 3 unsupported;
            ``details.reply_msg_id``; an ok for 0x8500 adds ``awaits: "0x0500"``
0x0104      ok; ``details.parameters`` = {name: value} (unknown ids as ``0x....``)
0x0201      ok; ``details.location``
0x0500      ok; ``details.location`` and ``oil_cut`` / ``circuit_cut`` / ``door_locked``
==========  =====================================================================
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any, Final

from assetwatch.model.commands import CommandOutcome, CommandResult
from assetwatch.protocols.jt808.alarms import alarm_codes, status_attributes
from assetwatch.protocols.jt808.decoder import Message
from assetwatch.protocols.jt808.location import LocationReply, LocationReport
from assetwatch.protocols.jt808.messages import VEHICLE_CONTROL, VEHICLE_CONTROL_REPLY
from assetwatch.protocols.jt808.observations import local_to_epoch_ms
from assetwatch.protocols.jt808.parameters import ParameterReply, parameter_values
from assetwatch.protocols.jt808.responses import TerminalResponse

OK: Final = CommandResult.OK
RESULTS: Final = {
    0: (CommandResult.OK, "ok"),
    1: (CommandResult.FAILED, "failed"),
    2: (CommandResult.FAILED, "message_error"),
    3: (CommandResult.UNSUPPORTED, "unsupported"),
}
"""0x0001 result code -> (canonical result, name). Other codes count as failed."""


def command_outcome(message: Message, *, tz: tzinfo | None = None) -> CommandOutcome | None:
    """The outcome a command answer carries; None for messages that answer no command.

    ``tz`` is the device's time zone: with it a location's BCD time is also given in UTC
    (``details.location.time``); without it only the wall clock (``time_local``).
    """
    body = message.body
    msg_id = f"0x{message.header.msg_id:04x}"
    if type(body) is TerminalResponse:
        return _general(body, msg_id)
    if type(body) is ParameterReply:
        details: dict[str, Any] = {"message_id": msg_id, "count": body.count}
        details["parameters"] = parameter_values(body.parameters)
        return CommandOutcome(
            correlation=body.reply_serial, result=CommandResult.OK, details=details
        )
    if type(body) is LocationReply:
        return _location_reply(body, message, tz)
    return None


def _location_reply(body: LocationReply, message: Message, tz: tzinfo | None) -> CommandOutcome:
    header = message.header
    location = location_details(body.location, header.version, tz)
    details: dict[str, Any] = {"message_id": f"0x{header.msg_id:04x}", "location": location}
    if header.msg_id == VEHICLE_CONTROL_REPLY:
        status = location["status_bits"]
        for name in ("oil_cut", "circuit_cut", "door_locked"):
            details[name] = status[name]
    return CommandOutcome(correlation=body.reply_serial, result=OK, details=details)


def _general(body: TerminalResponse, msg_id: str) -> CommandOutcome:
    result, name = RESULTS.get(body.result, (CommandResult.FAILED, f"result_{body.result}"))
    details: dict[str, Any] = {
        "message_id": msg_id,
        "reply_msg_id": f"0x{body.reply_msg_id:04x}",
        "result_code": body.result,
        "result_name": name,
    }
    if body.reply_msg_id == VEHICLE_CONTROL and result is CommandResult.OK:
        details["awaits"] = f"0x{VEHICLE_CONTROL_REPLY:04x}"
    return CommandOutcome(correlation=body.reply_serial, result=result, details=details)


def location_details(report: LocationReport, version: str, tz: tzinfo | None) -> dict[str, Any]:
    """JSON-ready summary of a location: signed degrees, units, codes and status bits."""
    local = report.time_local
    details: dict[str, Any] = {
        "lat": report.lat,
        "lon": report.lon,
        "altitude_m": report.altitude_m,
        "speed_kmh": report.speed_kmh,
        "course": report.course,
        "positioned": report.positioned,
        "time_local": local.isoformat(sep=" ") if local is not None else None,
        "alarm_flags": report.alarm_flags,
        "status": report.status,
        "alarms": list(alarm_codes(report.alarm_flags, version)),
        "status_bits": status_attributes(report.status, version),
    }
    if tz is not None:
        utc = None
        if local is not None:
            moment = datetime.fromtimestamp(local_to_epoch_ms(local, tz) / 1000, UTC)
            utc = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        details["time"] = utc
    return details
