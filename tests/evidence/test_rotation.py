"""Key rotation: old checkpoints stay verifiable, the chain of keys is followed, and keys that
were never endorsed, or signed after retiring, are refused. Private key files are 0600."""

from __future__ import annotations

import json
import os
import stat
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from assetwatch.errors import ConfigurationError
from assetwatch.evidence import checkpoints
from assetwatch.evidence.checkpoints import checkpoint_statement
from assetwatch.evidence.entries import canonical
from assetwatch.evidence.keys import b64, key_chain
from assetwatch.evidence.verify import verify_bundle
from tests.evidence.conftest import T0, World, failures_of, tampered

HOUR = 3_600_000


@pytest.fixture
def rotated(world: World) -> tuple[World, dict[str, Any]]:
    """Entries and a checkpoint under key 1, a rotation, more under key 2, a second rotation,
    and the export (signed by key 3)."""
    world.append("VIN1", 3)
    world.checkpoint(T0 + HOUR)
    checkpoints.rotate_key(world.engine, world.keyring, now_ms=T0 + 2 * HOUR)
    world.append("VIN1", 2, start_ms=T0 + 3 * HOUR)
    world.checkpoint(T0 + 4 * HOUR)
    checkpoints.rotate_key(world.engine, world.keyring, now_ms=T0 + 5 * HOUR)
    return world, world.export(now_ms=T0 + 6 * HOUR)


def test_checkpoints_of_every_key_verify_from_one_bundle(
    rotated: tuple[World, dict[str, Any]],
) -> None:
    world, bundle = rotated
    result = verify_bundle(bundle)
    assert result.ok, result.failures
    keys = [k.key_id for k in key_chain(world.engine.connect())]
    assert result.keys == keys and len(keys) == 3
    signers = [c["key_id"] for c in bundle["checkpoints"]]
    # key 1 signed the first checkpoint and witnessed the first rotation; key 2 the second
    assert signers == [keys[0], keys[0], keys[1], keys[1]]
    kinds = [(r["seq"], r["entry"]["kind"]) for r in bundle["records"]]
    assert kinds == [(0, "alarm"), (1, "alarm"), (2, "alarm"), (3, "key_rotation"),
                     (4, "alarm"), (5, "alarm"), (6, "key_rotation")]  # fmt: skip
    assert bundle["manifest"]["key_id"] == keys[2]
    assert verify_bundle(bundle, trusted_key=keys[0]).ok


def test_rotation_entries_name_the_endorsement(rotated: tuple[World, dict[str, Any]]) -> None:
    _, bundle = rotated
    rotation = bundle["records"][3]["entry"]
    assert rotation["subject"] == "platform"
    endorsement = rotation["record"]["endorsement"]
    assert endorsement["previous_key_id"] == bundle["keys"][0]["key_id"]
    assert endorsement["key_id"] == bundle["keys"][1]["key_id"]
    forged = tampered(bundle)
    forged["records"][3]["entry"]["record"]["signature"] = "AAAA"
    assert any("record seq 3: rotation" in f for f in failures_of(forged))


def test_a_checkpoint_by_a_key_never_endorsed_fails(rotated: tuple[World, dict[str, Any]]) -> None:
    _, bundle = rotated
    forged = tampered(bundle)
    del forged["keys"][1]["endorsement"]
    forged["keys"][1]["endorsement"] = None
    failures = failures_of(forged)
    key_2 = bundle["keys"][1]["key_id"]
    assert failures[0] == f"key 2 ({key_2}): endorsement: none (not endorsed by the key before it)"
    assert f"checkpoint 3 (size 6): key: signed by key {key_2}, which is not in the key chain" in (
        failures
    )


def test_an_endorsement_signed_by_another_key_fails(rotated: tuple[World, dict[str, Any]]) -> None:
    _, bundle = rotated
    forged = tampered(bundle)
    forged["keys"][1]["endorsement_signature"] = bundle["keys"][2]["endorsement_signature"]
    key_1 = bundle["keys"][0]["key_id"]
    assert any(
        f.endswith(f"endorsement: signature by {key_1} does not verify")
        for f in failures_of(forged)
    )


def test_a_retired_key_signing_later_fails(rotated: tuple[World, dict[str, Any]]) -> None:
    """Whoever holds a retired key cannot sign new checkpoints that verifiers accept."""
    world, bundle = rotated
    old_file = next(world.keyring.directory.glob(f"{bundle['keys'][0]['key_id']}.pem"))
    old_key = load_pem_private_key(old_file.read_bytes(), password=None)
    assert isinstance(old_key, Ed25519PrivateKey)
    forged = tampered(bundle)
    checkpoint = forged["checkpoints"][1]
    statement = checkpoint_statement(
        log=checkpoint["log"], size=checkpoint["size"], root=checkpoint["root"],
        time_ms=T0 + 9 * HOUR, key_id=bundle["keys"][0]["key_id"],
    )  # fmt: skip
    checkpoint.update(statement, signature=b64(old_key.sign(canonical(statement))))
    retired = bundle["keys"][1]["endorsement"]
    assert any(
        f"checkpoint 2 (size 4): key: signed by key {bundle['keys'][0]['key_id']} after it was "
        f"retired at {json.loads(retired)['time_ms']}" == f
        for f in failures_of(forged)
    )


def test_trusting_a_later_key_refuses_what_earlier_keys_signed(
    rotated: tuple[World, dict[str, Any]],
) -> None:
    _, bundle = rotated
    key_2 = bundle["keys"][1]["key_id"]
    failures = failures_of(bundle, trusted_key=key_2)
    assert failures[0].startswith("checkpoint 1 (size 3): trust: signed by key ")
    assert failures_of(bundle, trusted_key=bundle["keys"][2]["key_id"]) != []
    unknown = failures_of(bundle, trusted_key="00" * 16)
    assert unknown[0] == f"trust: the trusted key {'00' * 16} is not in the bundle's key chain"


def test_private_keys_are_0600_files_and_looser_ones_are_refused(world: World) -> None:
    world.append("VIN1", 1)
    made = world.checkpoint(T0 + HOUR)
    path = world.keyring.directory / f"{made.key_id}.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(world.keyring.directory.stat().st_mode) == 0o700
    assert "PRIVATE" not in repr(world.keyring.active(world.engine.connect(), now_ms=T0))
    os.chmod(path, 0o644)
    with pytest.raises(ConfigurationError, match=r"accessible to others \(mode 0644\)"):
        world.checkpoint(T0 + 2 * HOUR)
    path.unlink()
    with pytest.raises(ConfigurationError, match=f"signing key {made.key_id} is not in"):
        world.checkpoint(T0 + 2 * HOUR)
