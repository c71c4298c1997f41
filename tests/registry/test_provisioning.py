"""``apply`` of fleet files: idempotence, reports, dry runs, bindings and line-accurate errors."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from assetwatch.errors import ValidationError
from assetwatch.model.scope import Scope
from assetwatch.registry import devices
from assetwatch.registry.models import DeviceCreate
from assetwatch.registry.provisioning import apply_file, apply_text
from assetwatch.storage.schema import bindings, metadata, places, tenants

DATA = Path(__file__).with_name("data")
EXAMPLE = DATA / "example.yaml"
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def _dump(engine: Engine) -> dict[str, list[Any]]:
    with engine.connect() as conn:
        return {
            table.name: [
                tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))
            ]
            for table in metadata.sorted_tables
        }


def _apply(engine: Engine, text: str, **kw: Any) -> Any:
    return apply_text(engine, textwrap.dedent(text), "fleet.yaml", now_ms=T0, **kw)


def test_the_example_applies(engine: Engine) -> None:
    report = apply_file(engine, EXAMPLE, now_ms=T0)
    assert dict(report.created) == {
        "tenant": ["demo-bank"],
        "counterparty": ["dealer-001"],
        "contract": ["FP-2026-0001"],
        "asset": ["LSVAU2180N2183294"],
        "device": ["013912345678"],
        "place": ["dealer-001-lot", "pawn-zone"],
    }
    assert report.render().splitlines()[:3] == [
        "+ tenant demo-bank",
        "+ counterparty dealer-001",
        "+ contract FP-2026-0001",
    ]
    with engine.connect() as conn:
        # a device's first binding covers its earlier history (backfill before provisioning)
        assert conn.execute(select(bindings.c.valid_from_ms, bindings.c.valid_to_ms)).all() == [
            (0, None)
        ]
        stored = dict(conn.execute(select(places.c.key, places.c.applies_to)).all())
        pawn = conn.scalar(select(places.c.shape).where(places.c.key == "pawn-zone"))
    assert stored == {"dealer-001-lot": {"counterparty": "dealer-001"}, "pawn-zone": {"all": True}}
    assert pawn["polygon"][0] == pawn["polygon"][-1] == [114.06, 22.54]
    assert len(pawn["polygon"]) == 5


def test_the_docs_example_is_the_tested_one() -> None:
    docs = DATA.parents[2] / "docs" / "examples" / "fleet.yaml"
    assert docs.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")


def test_applying_twice_changes_nothing(engine: Engine) -> None:
    apply_file(engine, EXAMPLE, now_ms=T0)
    before = _dump(engine)
    report = apply_file(engine, EXAMPLE, now_ms=T0 + 60_000)
    assert not report.changed
    assert sum(len(keys) for keys in report.unchanged.values()) == 7
    assert report.render() == "= 7 unchanged"
    assert _dump(engine) == before


def test_a_changed_field_is_reported(engine: Engine) -> None:
    apply_file(engine, EXAMPLE, now_ms=T0)
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "report_interval_s: 30", "report_interval_s: 60"
    )
    report = apply_text(engine, text, "fleet.yaml", now_ms=T0 + 1)
    assert dict(report.updated) == {"device": ["013912345678"]}
    assert report.changes[("device", "013912345678")] == {"report_interval_s": (30, 60)}
    assert report.render() == "~ device 013912345678 (report_interval_s: 30 → 60)\n= 6 unchanged"


def test_dry_run_writes_nothing(engine: Engine) -> None:
    before = _dump(engine)
    report = apply_file(engine, EXAMPLE, dry_run=True, now_ms=T0)
    assert report.dry_run and report.created["asset"] == ["LSVAU2180N2183294"]
    assert report.render().endswith("(dry run: nothing was written)")
    assert _dump(engine) == before
    apply_file(engine, EXAMPLE, now_ms=T0)
    changed = EXAMPLE.read_text(encoding="utf-8").replace("value: 158000", "value: 150000")
    before = _dump(engine)
    report = apply_text(engine, changed, "fleet.yaml", dry_run=True, now_ms=T0)
    assert report.changes[("asset", "LSVAU2180N2183294")] == {"value": (158000.0, 150000)}
    assert _dump(engine) == before


FLEET = """\
    tenant: {key: t1, name: Bank One}
    assets:
      - {key: A, kind: vehicle}
      - {key: B, kind: vehicle}
    devices:
      - {key: "D1", protocol: jt808, asset: %s}
"""


def test_rebinding_closes_the_old_binding(engine: Engine) -> None:
    _apply(engine, FLEET % "A")
    report = apply_text(engine, textwrap.dedent(FLEET % "B"), "f.yaml", now_ms=T0 + 5000)
    assert report.changes[("device", "D1")] == {"asset": ("A", "B")}
    apply_text(engine, textwrap.dedent(FLEET % "null"), "f.yaml", now_ms=T0 + 9000)
    with engine.connect() as conn:
        rows = conn.execute(
            select(bindings.c.valid_from_ms, bindings.c.valid_to_ms).order_by(bindings.c.id)
        ).all()
    assert rows == [(0, T0 + 5000), (T0 + 5000, T0 + 9000)]


def test_fields_left_out_keep_their_value(engine: Engine) -> None:
    _apply(engine, FLEET % "A")
    with engine.begin() as conn:
        tenant_id = conn.scalar(select(tenants.c.id).where(tenants.c.key == "t1"))
        assert tenant_id is not None
        scope = Scope(tenant_id=tenant_id)
        devices.update(
            conn, scope=scope, key="D1", data=devices.DeviceUpdate(report_interval_s=120)
        )
    text = FLEET.replace("asset: %s", "timezone: UTC")  # no asset: the binding stays
    report = _apply(engine, text)
    assert report.changes == {("device", "D1"): {"timezone": ("+08:00", "UTC")}}
    with engine.connect() as conn:
        device = devices.get(conn, scope=scope, key="D1")
    assert (device.report_interval_s, device.asset, device.timezone) == (120, "A", "UTC")


def test_the_tenant_name_is_upserted(engine: Engine) -> None:
    _apply(engine, FLEET % "A")
    report = _apply(engine, (FLEET % "A").replace("Bank One", "Bank 1"))
    assert report.render().splitlines()[0] == "~ tenant t1 (name: Bank One → Bank 1)"


ERROR_CASES = [
    # (file after "tenant: t1" on line 1, expected line, expected message fragment)
    ("counterparties:\n  - {key: c, kind: dealr}\n", 3, "counterparties[0].kind: Input should"),
    (
        "assets:\n  - {key: a, kind: vehicle,\n     valeu: 3}\n",
        4,
        "assets[0].valeu: unknown field (did you mean 'value'?)",
    ),
    ("devices:\n  - {key: 013912345678, protocol: jt808}\n", 3, 'quote it ("013912345678")'),
    ("devices:\n  - key: d\n    protocl: jt808\n", 3, "devices[0].protocol: Field required"),
    ("devices:\n  - key: d\n    protocol: tk103\n", 4, "unknown protocol 'tk103'"),
    (
        "contracts:\n  - {key: k, kind: loan, counterparty: nobody}\n",
        3,
        "unknown counterparty 'nobody'",
    ),
    ("devices:\n\n  - {key: d, protocol: jt808, asset: ghost}\n", 4, "unknown asset 'ghost'"),
    (
        "places:\n  - key: p\n    kind: watch\n"
        "    shape: {circle: {lat: 91, lon: 1, radius_m: 5}}\n",
        5,
        "places[0].shape.circle.lat: Input should be less than or equal to 90",
    ),
    (
        "places:\n  - key: p\n    kind: watch\n"
        "    shape:\n      polygon: [[1, 1], [2, 2], [1, 1]]\n",
        5,
        "at least 3 distinct vertices",
    ),
    (
        "places:\n  - key: p\n    kind: watch\n    applies_to: {assets: [x]}\n"
        "    shape: {circle: {lat: 1, lon: 1, radius_m: 5}}\n",
        5,
        "unknown asset 'x'",
    ),
    ("vehicles: []\n", 2, "vehicles: unknown field"),
    (
        "assets:\n  - {key: a, kind: vehicle}\n  - {key: a, kind: site}\n",
        4,
        "duplicate asset 'a' (first on line 3)",
    ),
    ("assets: [{key: a, kind: vehicle\n", 3, "invalid YAML"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), ERROR_CASES)
def test_errors_point_at_the_line(engine: Engine, text: str, line: int, fragment: str) -> None:
    before = _dump(engine)
    with pytest.raises(ValidationError) as caught:
        apply_text(engine, "tenant: t1\n" + text, "fleet.yaml", now_ms=T0)
    assert caught.value.line == line
    assert caught.value.source == "fleet.yaml"
    assert str(caught.value).startswith(f"fleet.yaml:{line}: ")
    assert fragment in str(caught.value)
    assert _dump(engine) == before


def test_every_error_is_listed(engine: Engine) -> None:
    text = """\
        tenant: t1
        assets:
          - {key: a, kind: boat}
          - {key: b, kind: vehicle, value: -1}
        devices:
          - {key: d, protocol: jt808, report_interval_s: 0}
    """
    with pytest.raises(ValidationError) as caught:
        _apply(engine, text)
    lines = str(caught.value).splitlines()
    assert [entry.split(": ")[0] for entry in lines] == [
        "fleet.yaml:3",
        "fleet.yaml:4",
        "fleet.yaml:6",
    ]
    assert caught.value.line == 3


def test_a_device_of_another_tenant_is_an_error_on_its_line(engine: Engine) -> None:
    _apply(engine, FLEET % "A")
    other = (FLEET % "A").replace("t1", "t2")
    with pytest.raises(ValidationError) as caught:
        _apply(engine, other)
    assert caught.value.line == 6
    assert "registered to another tenant" in str(caught.value)
    with engine.connect() as conn:
        assert conn.scalar(select(tenants.c.id).where(tenants.c.key == "t2")) is None


def test_a_device_created_by_the_api_is_kept(engine: Engine) -> None:
    _apply(engine, FLEET % "A")
    with engine.begin() as conn:
        tenant_id = conn.scalar(select(tenants.c.id).where(tenants.c.key == "t1"))
        assert tenant_id is not None
        devices.create(
            conn, scope=Scope(tenant_id=tenant_id), data=DeviceCreate(key="D2", protocol="gt06")
        )
    report = _apply(engine, FLEET % "A")
    assert not report.changed
