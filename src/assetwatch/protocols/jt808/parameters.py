"""Terminal parameters: 0x8103 set, 0x8104 query all, 0x8106 query some, 0x0104 reply (§5.5).

Items are ``param id DWORD, length BYTE, value`` and are typed by
:data:`~.param_table.PARAMETERS`: integer types decode to ``int``, STRING to ``str`` (GBK),
BYTE[n], vendor ids, unknown ids and values whose length does not match their type stay
``bytes`` (hex in JSON). A multi-valued parameter is a repeated id; order is kept.

2011 difference: 0x8103 carries an extra BYTE "parameters in this packet" after the count
(``SetParameters.packet_count``); 0x8106 does not exist in 2011.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from typing import Any, Final

import msgspec

from assetwatch.errors import ProtocolError
from assetwatch.protocols.jt808.param_table import (
    INT_SIZES,
    PARAMETER_BY_ID,
    PARAMETER_BY_NAME,
    ParameterSpec,
    ParamType,
)

_ITEM_HEAD = struct.Struct(">IB")
_REPLY_HEAD = struct.Struct(">HB")
_DWORD = struct.Struct(">I")
MAX_PARAM_ID: Final = 0xFFFFFFFF

ParamValue = int | str | bytes


class Parameter(msgspec.Struct, frozen=True):
    """One parameter item: ``value`` typed by the table (``bytes`` when it cannot be)."""

    param_id: int
    value: ParamValue

    @property
    def name(self) -> str:
        """The table name, or ``0xNNNN`` for ids not in the table."""
        return parameter_name(self.param_id)


class SetParameters(msgspec.Struct, frozen=True):
    """0x8103 set terminal parameters. ``packet_count`` is the 2011-only extra byte."""

    parameters: tuple[Parameter, ...]
    packet_count: int | None = None


class QueryAllParameters(msgspec.Struct, frozen=True):
    """0x8104 query all terminal parameters (empty body)."""


class QueryParameters(msgspec.Struct, frozen=True):
    """0x8106 query the given parameter ids (2013+)."""

    param_ids: tuple[int, ...]


class ParameterReply(msgspec.Struct, frozen=True):
    """0x0104 reply to 0x8104/0x8106: ``reply_serial`` of the query, declared ``count``."""

    reply_serial: int
    count: int
    parameters: tuple[Parameter, ...]


def parameter_name(param_id: int) -> str:
    spec = PARAMETER_BY_ID.get(param_id)
    return spec.name if spec is not None else f"0x{param_id:04x}"


def parameter_id(key: int | str) -> int:
    """Id of a parameter given by id, ``"0x...."`` hex text or table name.

    Raises ``ValueError`` for an unknown name or an id that does not fit a DWORD.
    """
    if isinstance(key, str):
        spec = PARAMETER_BY_NAME.get(key)
        if spec is not None:
            return spec.param_id
        if not key.lower().startswith("0x"):
            raise ValueError(f"unknown JT/T 808 parameter {key!r}")
        key = int(key, 16)
    if isinstance(key, bool) or not 0 <= key <= MAX_PARAM_ID:
        raise ValueError(f"parameter id {key!r} does not fit a DWORD")
    return key


def decode_value(param_id: int, raw: bytes) -> ParamValue:
    """Typed value of ``raw`` for ``param_id`` (see the module docstring)."""
    spec = PARAMETER_BY_ID.get(param_id)
    if spec is None:
        return raw
    size = INT_SIZES.get(spec.type)
    if size is not None:
        return int.from_bytes(raw, "big") if len(raw) == size else raw
    if spec.type is ParamType.STRING and b"\x00" not in raw:
        try:
            text = raw.decode("gbk")
        except UnicodeDecodeError:
            return raw
        return text if text.encode("gbk") == raw else raw
    return raw


def encode_value(param: Parameter) -> bytes:
    """Wire bytes of a parameter value. Raises ``ValueError`` if it does not fit its type."""
    spec = PARAMETER_BY_ID.get(param.param_id)
    value = param.value
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, int):
        raw = _int_bytes(spec, value)
    elif spec is not None and spec.type is ParamType.BYTES:
        raw = bytes.fromhex(value)
    elif spec is None or spec.type is ParamType.STRING:
        raw = _gbk(value, param.param_id)
    else:
        raise ValueError(f"parameter {spec.name} is {spec.type}, not text: {value!r}")
    if len(raw) > 0xFF:
        raise ValueError(f"parameter 0x{param.param_id:04x}: {len(raw)} bytes exceed 255")
    return raw


def _int_bytes(spec: ParameterSpec | None, value: int) -> bytes:
    if spec is None:
        size = 4  # an unknown id given a number: sent as a DWORD
    elif (found := INT_SIZES.get(spec.type)) is not None:
        size = found
    else:
        raise ValueError(f"parameter {spec.name} is {spec.type}, not a number: {value!r}")
    try:
        return value.to_bytes(size, "big")
    except OverflowError:
        raise ValueError(f"value {value} does not fit {size} byte(s)") from None


def _gbk(text: str, param_id: int) -> bytes:
    try:
        return text.encode("gbk")
    except UnicodeEncodeError:
        raise ValueError(f"parameter 0x{param_id:04x}: {text!r} is not GBK") from None


def parameter(key: int | str, value: Any) -> Parameter:
    """A :class:`Parameter` from user input, in the form a device reply decodes to.

    ``key`` is a name, id or ``"0x...."``; ``value`` an int, str, bytes or (for BYTE[n]) hex
    text. Unknown ids take bytes, text (GBK) or an int (sent as a DWORD). Raises
    ``ValueError`` for a value of the wrong type, range or size.
    """
    param_id = parameter_id(key)
    if not isinstance(value, int | str | bytes):
        raise ValueError(f"parameter {key!r}: unsupported value {value!r}")
    raw = encode_value(Parameter(param_id, value))
    spec = PARAMETER_BY_ID.get(param_id)
    if spec is not None and spec.size is not None and len(raw) != spec.size:
        raise ValueError(f"parameter {spec.name} takes {spec.size} bytes, got {len(raw)}")
    return Parameter(param_id, decode_value(param_id, raw))


def parameters_from(values: Mapping[int | str, Any]) -> tuple[Parameter, ...]:
    """Parameters from ``{key: value}``; a list value becomes repeated items of one id."""
    items: list[Parameter] = []
    for key, value in values.items():
        for one in value if isinstance(value, list | tuple) else (value,):
            items.append(parameter(key, one))
    return tuple(items)


def parameter_values(parameters: Iterable[Parameter]) -> dict[str, Any]:
    """``{name: value}`` (bytes as hex text; a repeated id gives a list), JSON-ready."""
    values: dict[str, Any] = {}
    for param in parameters:
        value = param.value.hex() if isinstance(param.value, bytes) else param.value
        name = param.name
        if name not in values:
            values[name] = value
        elif isinstance(values[name], list):
            values[name].append(value)
        else:
            values[name] = [values[name], value]
    return values


def _parse_items(body: bytes, pos: int) -> tuple[Parameter, ...]:
    items: list[Parameter] = []
    end = len(body)
    while pos < end:
        if end - pos < _ITEM_HEAD.size:
            raise ProtocolError(f"parameter item truncated at byte {pos}")
        param_id, length = _ITEM_HEAD.unpack_from(body, pos)
        start = pos + _ITEM_HEAD.size
        if start + length > end:
            raise ProtocolError(f"parameter 0x{param_id:04x} declares {length} bytes, body ends")
        items.append(Parameter(param_id, decode_value(param_id, body[start : start + length])))
        pos = start + length
    return tuple(items)


def _encode_items(parameters: Iterable[Parameter]) -> bytes:
    parts = []
    for param in parameters:
        raw = encode_value(param)
        parts.append(_ITEM_HEAD.pack(param.param_id, len(raw)) + raw)
    return b"".join(parts)


def parse_set_parameters(body: bytes, version: str = "2013") -> SetParameters:
    """Decode 0x8103: count BYTE (2011: + packet count BYTE), then items to the end."""
    head = 2 if version == "2011" else 1
    if len(body) < head:
        raise ProtocolError(f"0x8103 body too short: {len(body)} bytes")
    packet_count = body[1] if version == "2011" else None
    return SetParameters(_parse_items(body, head), packet_count)


def encode_set_parameters(
    parameters: Iterable[Parameter], version: str = "2013", packet_count: int | None = None
) -> bytes:
    """0x8103 body. For 2011 the packet count defaults to the number of items."""
    items = tuple(parameters)
    if len(items) > 0xFF:
        raise ValueError(f"{len(items)} parameters exceed the count byte (255)")
    head = bytes((len(items),))
    if version == "2011":
        head += bytes((len(items) if packet_count is None else packet_count,))
    return head + _encode_items(items)


def parse_query_all(body: bytes, version: str = "2013") -> QueryAllParameters:
    return QueryAllParameters()


def parse_query_parameters(body: bytes, version: str = "2013") -> QueryParameters:
    """Decode 0x8106: count BYTE n + n DWORD ids."""
    if not body or len(body) < 1 + 4 * body[0]:
        raise ProtocolError(f"0x8106 body of {len(body)} bytes is shorter than its count")
    return QueryParameters(tuple(_DWORD.unpack_from(body, 1 + 4 * i)[0] for i in range(body[0])))


def encode_query_parameters(param_ids: Iterable[int]) -> bytes:
    """0x8106 body: count BYTE + ids DWORD."""
    ids = tuple(param_ids)
    if len(ids) > 0xFF:
        raise ValueError(f"{len(ids)} parameter ids exceed the count byte (255)")
    return bytes((len(ids),)) + b"".join(_DWORD.pack(pid) for pid in ids)


def parse_parameter_reply(body: bytes, version: str = "2013") -> ParameterReply:
    """Decode 0x0104: reply serial WORD, count BYTE, items to the end of the body."""
    if len(body) < _REPLY_HEAD.size:
        raise ProtocolError(f"0x0104 body too short: {len(body)} bytes, needs 3")
    reply_serial, count = _REPLY_HEAD.unpack_from(body)
    return ParameterReply(reply_serial, count, _parse_items(body, _REPLY_HEAD.size))


def encode_parameter_reply(
    reply_serial: int, parameters: Iterable[Parameter], count: int | None = None
) -> bytes:
    """0x0104 body; ``count`` defaults to the number of items."""
    items = tuple(parameters)
    declared = len(items) if count is None else count
    return _REPLY_HEAD.pack(reply_serial, declared) + _encode_items(items)
