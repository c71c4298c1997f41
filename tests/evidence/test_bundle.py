"""An exported bundle verifies with nothing but itself; every kind of tampering is detected
with its own message."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from assetwatch.errors import NotFoundError
from assetwatch.evidence.bundle_format import BundleUnreadable, load_bundle
from assetwatch.evidence.checkpoints import checkpoint_statement
from assetwatch.evidence.entries import canonical
from assetwatch.evidence.keys import b64, key_id_of, raw_public
from assetwatch.evidence.verify import verify_bundle
from tests.evidence.conftest import T0, World, failures_of, tampered


def one(failures: list[str], *fragments: str) -> None:
    """Some failure contains every fragment."""
    assert any(all(f in failure for f in fragments) for failure in failures), failures


def test_bundle_verifies(bundle: dict[str, Any]) -> None:
    result = verify_bundle(bundle)
    assert result.ok, result.failures
    assert [r["seq"] for r in bundle["records"]] == [0, 1, 2, 5, 6, 7, 8]
    assert {r["entry"]["subject"] for r in bundle["records"]} == {"asset:VIN1"}
    # the first three were witnessed by the first checkpoint, the rest by the second; the
    # export made a third (newest) one because VIN2's last entry came after the second
    assert [r["checkpoint"] for r in bundle["records"]] == [0, 0, 0, 1, 1, 1, 1]
    assert [c["size"] for c in bundle["checkpoints"]] == [5, 9, 10]
    assert result.tree_size == 10 and result.records == 7 and len(result.keys) == 1


def test_bundle_survives_a_round_trip_through_a_file(bundle: dict[str, Any]) -> None:
    text = json.dumps(bundle, indent=1, ensure_ascii=False).encode()
    assert verify_bundle(load_bundle(text)).ok


def test_window_selects_records(world: World) -> None:
    world.append("VIN1", 10)
    bundle = world.export(from_ms=T0 + 2 * 60_000, to_ms=T0 + 5 * 60_000)
    assert [r["seq"] for r in bundle["records"]] == [2, 3, 4]
    assert verify_bundle(bundle).ok


def test_a_changed_record_byte(bundle: dict[str, Any]) -> None:
    forged = tampered(bundle)
    forged["records"][3]["entry"]["record"]["note"] = "entry 0 — oK"
    failures = failures_of(forged)
    one(failures, "record seq 5", "manifest", "leaf hash differs")
    one(failures, "record seq 5", "inclusion", "proof against checkpoint 3")
    assert all("seq 5" in f for f in failures), failures


def test_a_changed_time(bundle: dict[str, Any]) -> None:
    forged = tampered(bundle)
    forged["records"][0]["entry"]["time_ms"] += 1
    one(failures_of(forged), "record seq 0", "inclusion")


def test_a_deleted_record(bundle: dict[str, Any]) -> None:
    forged = tampered(bundle)
    del forged["records"][2]
    assert failures_of(forged) == [
        "manifest: record seq 2 is listed but missing from the bundle (deleted)"
    ]


def test_reordered_records(bundle: dict[str, Any]) -> None:
    forged = tampered(bundle)
    records = forged["records"]
    records[1], records[4] = records[4], records[1]
    assert failures_of(forged) == [
        "records: order: seq 2 follows seq 6 (reordered or duplicated)",
        "records: order: seq 1 follows seq 5 (reordered or duplicated)",
    ]


def test_a_record_moved_to_another_position(bundle: dict[str, Any]) -> None:
    forged = tampered(bundle)
    forged["records"][1]["seq"] = 3
    forged["records"][1]["entry"]["seq"] = 3
    failures = failures_of(forged)
    one(failures, "record seq 3", "inclusion")
    one(failures, "manifest: record seq 1 is listed but missing")


def test_a_broken_chain_link(bundle: dict[str, Any]) -> None:
    forged = tampered(bundle)
    forged["records"][2]["prev_proof"][0] = "00" * 32
    assert failures_of(forged) == ["record seq 2: chain: its prev hash is not entry 1 of the log"]


def test_a_checkpoint_with_another_root(bundle: dict[str, Any]) -> None:
    forged = tampered(bundle)
    forged["checkpoints"][0]["root"] = "ab" * 32
    failures = failures_of(forged)
    one(failures, "checkpoint 1 (size 5): signature: does not verify with key")
    one(failures, "checkpoint 2 (size 9): consistency: not an extension of checkpoint 1")


def test_a_flipped_checkpoint_signature_byte(bundle: dict[str, Any]) -> None:
    forged = tampered(bundle)
    signature = bytearray(base64.b64decode(forged["checkpoints"][1]["signature"]))
    signature[10] ^= 0x01
    forged["checkpoints"][1]["signature"] = b64(bytes(signature))
    assert failures_of(forged) == [
        f"checkpoint 2 (size 9): signature: does not verify with key "
        f"{bundle['checkpoints'][1]['key_id']} (altered or forged)"
    ]


def _resign(checkpoint: dict[str, Any], key: Ed25519PrivateKey, root: str) -> None:
    key_id = key_id_of(raw_public(key.public_key()))
    statement = checkpoint_statement(
        log=checkpoint["log"], size=checkpoint["size"], root=root,
        time_ms=checkpoint["time_ms"], key_id=key_id,
    )  # fmt: skip
    checkpoint.update(statement, signature=b64(key.sign(canonical(statement))))


def test_a_checkpoint_re_signed_by_another_key(bundle: dict[str, Any]) -> None:
    forged = tampered(bundle)
    intruder = Ed25519PrivateKey.generate()
    _resign(forged["checkpoints"][2], intruder, forged["checkpoints"][2]["root"])
    intruder_id = key_id_of(raw_public(intruder.public_key()))
    assert failures_of(forged) == [
        f"checkpoint 3 (size 10): key: signed by key {intruder_id}, which is not in the key chain"
    ]


def test_a_forged_key_added_to_the_chain_is_not_endorsed(bundle: dict[str, Any]) -> None:
    forged = tampered(bundle)
    intruder = Ed25519PrivateKey.generate()
    public = raw_public(intruder.public_key())
    forged["keys"].append(
        {"key_id": key_id_of(public), "algorithm": "ed25519", "public_key": b64(public),
         "endorsement": None, "endorsement_signature": None}
    )  # fmt: skip
    _resign(forged["checkpoints"][2], intruder, "cd" * 32)
    failures = failures_of(forged)
    one(failures, f"key 2 ({key_id_of(public)}): endorsement: none")
    one(failures, "checkpoint 3 (size 10): key: signed by key", "not in the key chain")
    one(failures, "record seq 0: inclusion")


def test_a_tampered_manifest(bundle: dict[str, Any]) -> None:
    forged = tampered(bundle)
    forged["manifest"]["subject"] = "asset:VIN2"
    failures = failures_of(forged)
    assert failures[0] == (
        f"manifest: signature: does not verify with key {bundle['manifest']['key_id']} "
        "(altered or forged)"
    )
    one(failures, "record seq 0: subject: 'asset:VIN1' is not 'asset:VIN2'")


def test_a_changed_witness_or_proof_spelling(bundle: dict[str, Any]) -> None:
    forged = tampered(bundle)
    forged["records"][0]["checkpoint"] = 2
    one(failures_of(forged), "record seq 0: manifest: witnessing checkpoint differs")
    forged = tampered(bundle)
    forged["records"][1]["proof"][0] = forged["records"][1]["proof"][0].upper()
    one(failures_of(forged), "record seq 1: inclusion")


def test_every_flipped_byte_of_the_file_fails(world: World) -> None:
    """Flip each non-whitespace byte of a small bundle's file, one at a time."""
    world.append("VIN1", 2)
    world.checkpoint(T0 + 3_600_000)
    world.append("VIN1", 1, start_ms=T0 + 7_200_000)
    text = json.dumps(world.export(), indent=1, ensure_ascii=False).encode()
    assert verify_bundle(load_bundle(text)).ok
    undetected = []
    for i, byte in enumerate(text):
        if byte in b" \n":
            continue
        flipped = text[:i] + bytes([byte ^ 0x01]) + text[i + 1 :]
        try:
            ok = verify_bundle(load_bundle(flipped)).ok
        except BundleUnreadable:
            ok = False
        if ok:
            undetected.append((i, text[max(0, i - 20) : i + 20]))
    assert not undetected


def test_unreadable_bundles() -> None:
    with pytest.raises(BundleUnreadable, match="not valid JSON"):
        load_bundle(b'{"format": ')
    with pytest.raises(BundleUnreadable, match="not UTF-8"):
        load_bundle(b'{"a": "\xff"}')
    with pytest.raises(BundleUnreadable, match="duplicate key 'a'"):
        load_bundle(b'{"a": 1, "a": 2}')
    with pytest.raises(BundleUnreadable, match="NaN is not JSON"):
        load_bundle(b'{"a": NaN}')
    assert verify_bundle({"a": object()}).failures[0].startswith("bundle is not JSON")
    assert (
        verify_bundle({"format": "something else"})
        .failures[0]
        .startswith("bundle structure: format: Input should be 'assetwatch-evidence-bundle'")
    )


def test_export_needs_an_asset_in_scope(world: World) -> None:
    with pytest.raises(NotFoundError, match="asset 'VIN9' does not exist"):
        world.export("VIN9")


def test_an_asset_without_records_has_an_empty_verifiable_bundle(world: World) -> None:
    world.append("VIN2", 3)
    bundle = world.export("VIN1")
    assert bundle["records"] == []
    assert verify_bundle(bundle).ok
