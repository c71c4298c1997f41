"""The fleet file of ``assetwatch apply``: its schema, and YAML parsing with line numbers.

The file is read with ruamel.yaml's round-trip loader, so every mapping and sequence knows
the line of each of its entries; pydantic validates a plain copy, and each error's location
(``("devices", 0, "report_interval_s")``) is walked back through the YAML tree to a line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import pydantic
from pydantic import BaseModel, BeforeValidator
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from assetwatch.errors import ValidationError
from assetwatch.places.models import PlaceCreate
from assetwatch.registry.models import (
    AssetCreate,
    ContractCreate,
    CounterpartyCreate,
    DeviceCreate,
    Key,
    Name,
    OrgUnitCreate,
    Strict,
)

T = TypeVar("T")
Loc = Sequence[int | str]


def _none_as_empty(value: Any) -> Any:
    return [] if value is None else value


def _tenant_form(value: Any) -> Any:
    return {"key": value} if isinstance(value, str) else value


Section = Annotated[list[T], BeforeValidator(_none_as_empty)]


class TenantSpec(Strict):
    key: Key
    name: Name = ""


class FleetDocument(Strict):
    """``tenant`` (a key, or ``{key, name}``) and one list per kind, applied in this order."""

    tenant: Annotated[TenantSpec, BeforeValidator(_tenant_form)]
    org_units: Section[OrgUnitCreate] = []
    counterparties: Section[CounterpartyCreate] = []
    contracts: Section[ContractCreate] = []
    assets: Section[AssetCreate] = []
    devices: Section[DeviceCreate] = []
    places: Section[PlaceCreate] = []


# section name -> the kind of entity it holds, in the order they are applied
SECTIONS = {
    "org_units": "org_unit",
    "counterparties": "counterparty",
    "contracts": "contract",
    "assets": "asset",
    "devices": "device",
    "places": "place",
}


def _field_names(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    if model in seen:
        return set()
    seen.add(model)
    names = set(model.model_fields)
    for info in model.model_fields.values():
        for inner in _models_in(info.annotation):
            names |= _field_names(inner, seen)
    return names


def _models_in(annotation: Any) -> Iterable[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()) + getattr(annotation, "__metadata__", ()):
        yield from _models_in(arg)
    origin = getattr(annotation, "__origin__", None)
    if origin is not None:
        yield from _models_in(origin)


FIELD_NAMES = sorted(_field_names(FleetDocument, set()))


@dataclass(frozen=True, slots=True)
class Problem:
    line: int  # 1-based
    message: str


def raise_problems(problems: list[Problem], source: str) -> None:
    """Raise one ``ValidationError`` listing every problem (``source:LINE: message``, in line
    order); its ``line`` is the first one's. Does nothing when there are none."""
    if not problems:
        return
    ordered = sorted(problems, key=lambda p: p.line)
    rest = [f"{source}:{p.line}: {p.message}" for p in ordered[1:]]
    message = "\n".join([ordered[0].message, *rest])
    raise ValidationError(message, line=ordered[0].line, source=source)


class SourceMap:
    """Line numbers of the nodes of a round-trip-loaded YAML document."""

    def __init__(self, root: CommentedMap):
        self.root = root

    def node(self, loc: Loc) -> Any:
        """The raw YAML value at ``loc`` (``None`` when it is not there)."""
        node: Any = self.root
        for part in loc:
            if isinstance(node, CommentedMap) and part in node:
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                return None
        return node

    def line(self, loc: Loc) -> int:
        """The 1-based line of the deepest entry of ``loc`` present in the document."""
        node: Any = self.root
        line = int(self.root.lc.line)
        for part in loc:
            if isinstance(node, CommentedMap) and part in node:
                line, node = int(node.lc.key(part)[0]), node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                line, node = int(node.lc.item(part)[0]), node[part]
            else:
                break
        return line + 1


def plain(node: Any) -> Any:
    """A copy of a round-trip YAML tree made of plain dict, list, str, int and float."""
    if isinstance(node, dict):
        return {plain(key): plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(item) for item in node]
    if isinstance(node, bool) or node is None:
        return node
    for kind in (str, int, float):
        if isinstance(node, kind):
            return kind(node)
    return node


def path_text(loc: Loc) -> str:
    """``("devices", 0, "key")`` → ``devices[0].key``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _number_hint(raw: Any) -> str:
    width = getattr(raw, "_width", None)
    digits = f"{int(raw):0{width}d}" if width else str(int(raw))
    return f'{digits} is a number here: quote it ("{digits}"), a YAML number loses leading zeros'


def describe(error: ErrorDetails, sources: SourceMap) -> str:
    """One pydantic error as a human message with hints."""
    loc = error["loc"]
    raw = sources.node(loc)
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), FIELD_NAMES, n=1, cutoff=0.7)
        message = "unknown field" + (f" (did you mean {close[0]!r}?)" if close else "")
    elif error["type"] == "string_type" and isinstance(raw, int) and not isinstance(raw, bool):
        message = _number_hint(raw)
    elif "polygon" in loc and error["type"] in {"less_than_equal", "greater_than_equal"}:
        message += " (polygon vertices are [lon, lat])"
    return f"{path_text(loc)}: {message}" if loc else message


def parse(text: str, source: str) -> tuple[FleetDocument, SourceMap]:
    """Parse and validate a fleet file; ``ValidationError`` lists every problem with its line."""
    try:
        root = YAML(typ="rt").load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = None if mark is None else mark.line + 1
        message = f"invalid YAML: {err.problem or err.context}"
        raise ValidationError(message, line=line, source=source) from err
    except YAMLError as err:
        raise ValidationError(f"invalid YAML: {err}", source=source) from err
    if not isinstance(root, CommentedMap):
        raise ValidationError(
            "expected a mapping with tenant, counterparties, contracts, assets, devices, places",
            line=1,
            source=source,
        )
    sources = SourceMap(root)
    try:
        document = FleetDocument.model_validate(plain(root))
    except pydantic.ValidationError as err:
        problems = [Problem(sources.line(e["loc"]), describe(e, sources)) for e in err.errors()]
        raise_problems(problems, source)
        raise  # unreachable: there was at least one error
    return document, sources
