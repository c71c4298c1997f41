"""How a simulated JT/T 808 terminal answers platform commands, like a typical tracker.

* 0x8103 set parameters: stored, answered 0x0001 ok;
* 0x8104 / 0x8106 query parameters: answered 0x0104 with the stored values;
* 0x8201 location query: answered 0x0201 with the last fix;
* 0x8500 vehicle control: 0x0001 ok at once, then 0x0500 with the last fix and status bits
  10 (oil cut) and 11 (circuit cut) set while immobilised, as relay-wired trackers report;
* 0x8105 terminal control, 0x8202 temporary tracking, 0x8300 text: 0x0001 ok;
* anything else: 0x0001 "not supported" (3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec

from assetwatch.protocols import jt808
from assetwatch.simulate.jt808_link import Jt808Link, encode_location

OIL_AND_CIRCUIT_CUT = (1 << 10) | (1 << 11)
FAILED, NOT_SUPPORTED = 1, 3
ANSWERED_OK = (jt808.TerminalControl, jt808.TemporaryTracking, jt808.TextMessage)


@dataclass
class TerminalState:
    """What commands change on a simulated terminal."""

    parameters: dict[int, jt808.Parameter] = field(default_factory=dict)
    immobilised: bool = False
    last_report: jt808.LocationReport | None = None
    texts: list[str] = field(default_factory=list)
    commands: int = 0

    def located(self, report: jt808.LocationReport) -> jt808.LocationReport:
        """``report`` with the relay status bits this terminal would set."""
        status = report.status & ~OIL_AND_CIRCUIT_CUT
        status |= OIL_AND_CIRCUIT_CUT if self.immobilised else 0
        return msgspec.structs.replace(report, status=status)


def answer_command(link: Jt808Link, message: jt808.Message, state: TerminalState) -> None:
    """Answer one platform message that is a command."""
    body, serial = message.body, message.header.serial
    state.commands += 1
    if isinstance(body, jt808.SetParameters):
        state.parameters.update({p.param_id: p for p in body.parameters})
        link.answer(message)
    elif isinstance(body, jt808.QueryAllParameters | jt808.QueryParameters):
        wanted = getattr(body, "param_ids", None)
        items = [p for i, p in sorted(state.parameters.items()) if wanted is None or i in wanted]
        link.send(jt808.PARAMETER_REPLY, jt808.encode_parameter_reply(serial, items))
    elif isinstance(body, jt808.LocationQuery):
        _reply_with_location(link, jt808.LOCATION_QUERY_REPLY, message, state)
    elif isinstance(body, jt808.VehicleControl):
        link.answer(message)
        state.immobilised = bool(body.door_lock)  # relay on the door-lock output
        _reply_with_location(link, jt808.VEHICLE_CONTROL_REPLY, message, state)
    elif isinstance(body, ANSWERED_OK):
        if isinstance(body, jt808.TextMessage):
            state.texts.append(body.text)
        link.answer(message)
    else:
        link.answer(message, result=NOT_SUPPORTED)


def _reply_with_location(
    link: Jt808Link, msg_id: int, command: jt808.Message, state: TerminalState
) -> None:
    if state.last_report is None:  # no fix yet: nothing to answer with
        link.answer(command, result=FAILED)
        return
    reply_serial = command.header.serial.to_bytes(2, "big")
    link.send(msg_id, reply_serial + encode_location(state.located(state.last_report)))
