"""Appending: the chain, the frontier, validation, detection of stored tampering, and what the
alarm lifecycle records."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from assetwatch.alarms import lifecycle
from assetwatch.alarms import service as alarm_service
from assetwatch.errors import ValidationError
from assetwatch.evidence import ledger
from assetwatch.evidence.entries import ZERO_HASH, canonical, entry_hash
from assetwatch.evidence.ledger import LedgerCorrupt
from assetwatch.evidence.merkle import MerkleTree
from assetwatch.evidence.verify import verify_bundle
from assetwatch.storage.schema import assets, evidence_entries
from tests.evidence.conftest import T0, World


def test_entries_chain_and_the_head_keeps_the_root(world: World) -> None:
    world.append("VIN1", 7)
    with world.engine.connect() as conn:
        found = ledger.entries(conn, world.scope.tenant_id, below=100)
        head = ledger.head(conn, world.scope.tenant_id)
        leaves = ledger.leaf_hashes(conn, world.scope.tenant_id, 7)
    assert [e.seq for e in found] == list(range(7))
    assert found[0].prev == ZERO_HASH
    for before, after in zip(found, found[1:], strict=False):
        assert after.prev == before.leaf_hash == entry_hash(before.body).hex()
    assert head.size == 7 and head.head_hash == found[-1].leaf_hash
    assert head.root == MerkleTree(leaves).root()


def test_the_stored_bytes_are_the_canonical_entry(world: World) -> None:
    with world.engine.begin() as conn:
        entry = ledger.append(
            conn, world.scope.tenant_id, "state_change", "asset:VIN1",
            {"b": [1, 2.5, None], "a": "défaut", "t": (1, 2)}, T0,
        )  # fmt: skip
        stored = conn.scalar(select(evidence_entries.c.canonical))
    assert stored == (
        '{"kind":"state_change","prev":"' + ZERO_HASH + '","record":{"a":"défaut",'
        '"b":[1,2.5,null],"t":[1,2]},"seq":0,"subject":"asset:VIN1","time_ms":'
        + str(T0)
        + ',"v":1}'
    )
    assert canonical(entry.body).decode() == stored
    assert entry.record["t"] == [1, 2]


@pytest.mark.parametrize(
    ("kind", "subject", "record", "message"),
    [
        ("alarmz", "asset:VIN1", {}, "unknown evidence kind 'alarmz'"),
        ("alarm", "", {}, "subject must be 1..200 characters"),
        ("alarm", "asset:VIN1", {"x": float("nan")}, "must be plain JSON"),
        ("alarm", "asset:VIN1", {"x": object()}, "must be plain JSON"),
        ("alarm", "asset:VIN1", [1], "must be a JSON object"),
    ],
)
def test_append_refuses(
    world: World, kind: str, subject: str, record: object, message: str
) -> None:
    with world.engine.begin() as conn, pytest.raises(ValidationError, match=message):
        ledger.append(conn, world.scope.tenant_id, kind, subject, record, T0)  # type: ignore[arg-type]


def test_an_append_rolls_back_with_its_transaction(world: World) -> None:
    world.append("VIN1", 2)
    with pytest.raises(RuntimeError), world.engine.begin() as conn:
        ledger.append(conn, world.scope.tenant_id, "alarm", "asset:VIN1", {}, T0)
        raise RuntimeError("the recorded thing failed")
    world.append("VIN1", 1)
    with world.engine.connect() as conn:
        assert ledger.head(conn, world.scope.tenant_id).size == 3
        ledger.leaf_hashes(conn, world.scope.tenant_id, 3)


def test_an_entry_altered_in_the_database_is_refused_on_export(world: World) -> None:
    world.append("VIN1", 3)
    with world.engine.begin() as conn:
        text = conn.scalar(select(evidence_entries.c.canonical).where(evidence_entries.c.seq == 1))
        conn.execute(
            update(evidence_entries)
            .where(evidence_entries.c.seq == 1)
            .values(canonical=text.replace("entry 1", "entry 9"))
        )
    with pytest.raises(LedgerCorrupt, match="evidence entry 1 was altered"):
        world.export()


def test_a_rewritten_history_does_not_match_the_checkpoint(world: World) -> None:
    world.append("VIN1", 3)
    world.checkpoint(T0)
    with world.engine.begin() as conn:  # re-hash an entry consistently: only the tree knows
        row = conn.execute(select(evidence_entries).where(evidence_entries.c.seq == 2)).one()
        body = json.loads(row.canonical)
        body["record"]["note"] = "rewritten"
        conn.execute(
            update(evidence_entries)
            .where(evidence_entries.c.id == row.id)
            .values(canonical=canonical(body).decode(), leaf_hash=entry_hash(body).hex())
        )
    with pytest.raises(LedgerCorrupt, match="do not hash to checkpoint 3's root"):
        world.export()


def _asset_id(world: World, key: str) -> int:
    with world.engine.connect() as conn:
        return int(conn.scalar(select(assets.c.id).where(assets.c.key == key)))


def test_the_alarm_lifecycle_is_recorded(world: World) -> None:
    tenant = world.scope.tenant_id
    with world.engine.begin() as conn:
        raised = alarm_service.raise_alarm(
            conn, tenant_id=tenant, asset_id=_asset_id(world, "VIN1"), device_id=None,
            alarm_type="geofence_exit", subject="yard", time_ms=T0, now_ms=T0 + 500,
            details={"place": "yard", "distance_m": float("inf")},
        )  # fmt: skip
        alarm_service.raise_alarm(  # a repeat: counted on the alarm, not an entry
            conn, tenant_id=tenant, asset_id=_asset_id(world, "VIN1"), device_id=None,
            alarm_type="geofence_exit", subject="yard", time_ms=T0 + 1, now_ms=T0 + 600,
        )  # fmt: skip
    lifecycle.acknowledge(
        world.engine, scope=world.scope, alarm_id=raised.id, now_ms=T0 + 60_000, note="seen"
    )
    lifecycle.add_note(
        world.engine, scope=world.scope, alarm_id=raised.id, note="called", now_ms=T0 + 61_000
    )
    with world.engine.begin() as conn:
        alarm_service.auto_resolve(
            conn, tenant_id=tenant, alarm_type="geofence_exit", subject="yard",
            now_ms=T0 + 120_000, why="back inside",
        )  # fmt: skip
    bundle = world.export()
    records = [r["entry"] for r in bundle["records"]]
    assert [(e["kind"], e["record"].get("action")) for e in records] == [
        ("alarm", None), ("alarm_change", "acknowledged"), ("alarm_change", "note"),
        ("alarm_change", "auto_resolved"),
    ]  # fmt: skip
    opened = records[0]
    assert opened["time_ms"] == T0 and opened["subject"] == "asset:VIN1"
    assert opened["record"]["details"] == {"place": "yard", "distance_m": "inf"}
    assert records[1]["record"]["to_status"] == "acknowledged"
    assert records[1]["record"]["note"] == "seen"
    assert verify_bundle(bundle).ok
