"""Appends of one tenant from concurrent connections keep one chain, on SQLite and on real
PostgreSQL (which runs when reachable, and fails instead of skipping when ``CI=true``:
``tests/storage/conftest.py``)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from assetwatch.evidence import ledger
from assetwatch.evidence.entries import ZERO_HASH, asset_subject
from assetwatch.evidence.merkle import MerkleTree
from assetwatch.evidence.verify import verify_bundle
from assetwatch.storage.engine import migrate
from assetwatch.storage.schema import evidence_entries
from tests.evidence.conftest import T0, World, add_world

PER_THREAD = 60


def _pg_world(postgres_engine: Engine, tmp_path: Path) -> World:
    migrate(postgres_engine)
    return add_world(postgres_engine, tmp_path / "data")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_world(request: pytest.FixtureRequest, tmp_path: Path) -> World:
    engine: Engine = request.getfixturevalue(
        "engine" if request.param == "sqlite" else "postgres_engine"
    )
    if request.param == "postgresql":
        migrate(engine)
    return add_world(engine, tmp_path / "data")


def _hammer(world: World, name: str, start: threading.Barrier, errors: list[BaseException]) -> None:
    try:
        start.wait()
        for i in range(PER_THREAD):
            with world.engine.begin() as conn:
                ledger.append(
                    conn, world.scope.tenant_id, "alarm", asset_subject("VIN1"),
                    {"writer": name, "n": i}, T0 + i,
                )  # fmt: skip
    except BaseException as err:  # reported by the test thread
        errors.append(err)


def _assert_one_chain(world: World, size: int) -> None:
    with world.engine.connect() as conn:
        found = ledger.entries(conn, world.scope.tenant_id, below=size + 1)
        head = ledger.head(conn, world.scope.tenant_id)
        leaves = ledger.leaf_hashes(conn, world.scope.tenant_id, size)
    assert [e.seq for e in found] == list(range(size))
    assert found[0].prev == ZERO_HASH
    for before, after in zip(found, found[1:], strict=False):
        assert after.prev == before.leaf_hash, after.seq
    assert (head.size, head.head_hash) == (size, found[-1].leaf_hash)
    assert head.root == MerkleTree(leaves).root()


def test_concurrent_appends_keep_one_chain(any_world: World) -> None:
    world = any_world
    start, errors = threading.Barrier(2), []
    threads = [threading.Thread(target=_hammer, args=(world, name, start, errors)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    _assert_one_chain(world, 2 * PER_THREAD)
    with world.engine.connect() as conn:
        writers = [
            row[0] for row in conn.execute(select(evidence_entries.c.canonical).order_by("seq"))
        ]
    assert sum('"writer":"a"' in w for w in writers) == PER_THREAD
    bundle = world.export()
    assert len(bundle["records"]) == 2 * PER_THREAD
    assert verify_bundle(bundle).ok


def _waiting_on_a_lock(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            )
        )


def test_a_second_append_waits_for_the_first_transaction(
    postgres_engine: Engine, tmp_path: Path
) -> None:
    """The head row is locked until commit: the second writer reads the head the first left."""
    world = _pg_world(postgres_engine, tmp_path)
    world.append("VIN1", 1)
    tenant = world.scope.tenant_id
    done: list[ledger.Entry] = []
    with world.engine.connect() as first:
        transaction = first.begin()
        mine = ledger.append(first, tenant, "alarm", "asset:VIN1", {"who": "first"}, T0)

        def second() -> None:
            with world.engine.begin() as conn:
                done.append(ledger.append(conn, tenant, "alarm", "asset:VIN1", {"who": 2}, T0))

        thread = threading.Thread(target=second)
        thread.start()
        deadline = time.monotonic() + 30
        while _waiting_on_a_lock(world.engine) == 0:  # until the second blocks on the row
            assert time.monotonic() < deadline, "the second append never waited"
            time.sleep(0.01)
        assert not done
        transaction.commit()
    thread.join(timeout=30)
    assert done and done[0].seq == mine.seq + 1 and done[0].prev == mine.leaf_hash
    _assert_one_chain(world, 3)
