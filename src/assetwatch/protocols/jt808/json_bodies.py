"""JSON views of the parameter, control, information and sub-packet bodies (for decode)."""

from __future__ import annotations

from typing import Any

from assetwatch.protocols.jt808.control import TerminalControl, VehicleControl
from assetwatch.protocols.jt808.information import (
    ElectronicWaybill,
    TextMessage,
    TransparentData,
)
from assetwatch.protocols.jt808.param_table import PARAMETER_BY_ID
from assetwatch.protocols.jt808.parameters import (
    Parameter,
    ParameterReply,
    QueryParameters,
    SetParameters,
    encode_value,
    parameter_name,
)
from assetwatch.protocols.jt808.resend import ResendRequest

JsonDict = dict[str, Any]


def parameter_json(param: Parameter) -> JsonDict:
    """``{"id", "name", "type", "len", "hex", "value"}``; no ``value`` for raw bytes."""
    raw = encode_value(param)
    spec = PARAMETER_BY_ID.get(param.param_id)
    item: JsonDict = {
        "id": f"0x{param.param_id:04x}",
        "name": param.name,
        "type": str(spec.type) if spec is not None else None,
        "len": len(raw),
        "hex": raw.hex(),
    }
    if not isinstance(param.value, bytes):
        item["value"] = param.value
    return item


def set_parameters_json(body: SetParameters, version: str) -> JsonDict:
    params = [parameter_json(param) for param in body.parameters]
    document: JsonDict = {"count": len(params), "params": params}
    if body.packet_count is not None:
        document["packet_count"] = body.packet_count
    return document


def query_parameters_json(body: QueryParameters, version: str) -> JsonDict:
    return {
        "count": len(body.param_ids),
        "param_ids": [f"0x{pid:04x}" for pid in body.param_ids],
        "names": [parameter_name(pid) for pid in body.param_ids],
    }


def parameter_reply_json(body: ParameterReply, version: str) -> JsonDict:
    params = [parameter_json(param) for param in body.parameters]
    return {"reply_serial": body.reply_serial, "count": body.count, "params": params}


def resend_json(body: ResendRequest, version: str) -> JsonDict:
    return {
        "orig_serial": body.first_serial,
        "count": len(body.packet_ids),
        "ids": list(body.packet_ids),
        "serials": list(body.serials),
    }


def terminal_control_json(body: TerminalControl, version: str) -> JsonDict:
    return {
        "command": body.command,
        "command_name": body.command_name,
        "params": body.text,
        "params_hex": body.params.hex(),
    }


def vehicle_control_json(body: VehicleControl, version: str) -> JsonDict:
    document: JsonDict = {"layout": body.layout, "door_lock": body.door_lock}
    if body.layout == "2013":
        document["control_flag"] = body.flag
        return document
    document["control_count"] = len(body.items)
    document["items"] = [
        {"type_id": f"0x{item.control_type:04x}", "param_hex": item.param.hex()}
        | ({"param": item.param[0]} if len(item.param) == 1 else {})
        for item in body.items
    ]
    return document


def text_message_json(body: TextMessage, version: str) -> JsonDict:
    document: JsonDict = {"flag": body.flag, "flag_names": list(body.flag_names())}
    if body.text_type is not None:
        document["text_type"] = body.text_type
    document["text"] = body.text
    return document


def transparent_json(body: TransparentData, version: str) -> JsonDict:
    document: JsonDict = {
        "transparent_type": f"0x{body.data_type:02x}",
        "type_name": body.type_name,
        "content_hex": body.content.hex(),
    }
    text = body.text
    if text is not None:
        document["text"] = text
    sentences = body.nmea_sentences()
    if sentences:
        document["nmea"] = sentences
    return document


def waybill_json(body: ElectronicWaybill, version: str) -> JsonDict:
    return {"length": body.length, "content_hex": body.content.hex(), "text": body.text}
