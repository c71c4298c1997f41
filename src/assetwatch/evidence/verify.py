"""Verifying an evidence bundle offline, with nothing but the bundle (docs/evidence.md).

The checks, each failure one line naming what failed and which check:

1. **keys**: every key id is the hash of its public key; every key after the first carries an
   endorsement, signed by the key before it, naming it; a key is retired when its successor
   was endorsed. With ``trusted_key``, that key must be in the chain and every signature must
   come from it or a key it (transitively) endorsed.
2. **checkpoints**: each signature verifies with the named key of the chain, made before that
   key was retired; each checkpoint is consistent (RFC 6962 consistency proof) with the one
   before it, so all of them are views of one append-only log.
3. **manifest**: its signature verifies; it names the newest checkpoint; the bundle holds
   exactly the entries it lists, in log order (none deleted, added or reordered).
4. **records**: each entry's leaf hash is the one in the manifest; its inclusion proof
   verifies against the newest checkpoint; its ``prev`` is the leaf before it (the chain
   link, by a second inclusion proof); it belongs to the manifest's subject and window;
   a key rotation entry matches the endorsement in the key chain.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assetwatch.evidence import merkle
from assetwatch.evidence.bundle_format import (
    BundleIn,
    BundleUnreadable,
    CheckpointIn,
    KeyIn,
    RecordIn,
    parse_bundle,
)
from assetwatch.evidence.entries import ZERO_HASH, canonical, entry_hash
from assetwatch.evidence.keys import ENDORSEMENT_FORMAT, key_id_of, signature_valid, unb64

CHECKPOINT_FIELDS = ("format", "v", "log", "size", "root", "time_ms", "key_id")


@dataclass
class Verification:
    """The outcome: ``ok`` when ``failures`` is empty."""

    failures: list[str] = field(default_factory=list)
    log: str | None = None
    subject: str | None = None
    records: int = 0
    checkpoints: int = 0
    keys: list[str] = field(default_factory=list)
    tree_size: int | None = None
    root: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "failures": self.failures, "log": self.log, "subject": self.subject,
            "records": self.records, "checkpoints": self.checkpoints, "keys": self.keys,
            "tree_size": self.tree_size, "root": self.root,
        }  # fmt: skip


def verify_bundle(raw: Any, *, trusted_key: str | None = None) -> Verification:
    """Check a parsed bundle (``json.loads`` of the file) completely; never raises for a bad
    bundle, it reports every failure found."""
    result = Verification()
    try:
        bundle = parse_bundle(raw)
    except BundleUnreadable as err:
        result.failures.append(str(err))
        return result
    manifest = bundle.manifest
    result.log, result.subject = manifest.log, manifest.subject
    result.records, result.checkpoints = len(bundle.records), len(bundle.checkpoints)
    result.tree_size, result.root = manifest.tree_size, manifest.root
    chain = KeyChain(bundle.keys, result.failures.append)
    result.keys = [k.key_id for k in bundle.keys]
    chain.trust(trusted_key)
    _check_checkpoints(bundle, raw["checkpoints"], chain, result.failures.append)
    _check_manifest(bundle, raw["manifest"], chain, result.failures.append)
    _check_records(bundle, chain, result.failures.append)
    return result


def _hashes(values: list[str]) -> list[bytes] | None:
    """32-byte hashes from lowercase hex (the one spelling: ``AB`` for ``ab`` is a change)."""
    try:
        hashes = [bytes.fromhex(v) for v in values]
    except ValueError:
        return None
    if any(len(h) != merkle.HASH_SIZE or h.hex() != v for h, v in zip(hashes, values, strict=True)):
        return None
    return hashes


def _signature(text: str) -> bytes | None:
    try:
        return unb64(text)
    except ValueError:
        return None


class KeyChain:
    """The bundle's keys, checked link by link."""

    def __init__(self, keys: list[KeyIn], fail: Callable[[str], None]) -> None:
        self.fail = fail
        self.public: dict[str, bytes] = {}
        self.position: dict[str, int] = {}
        self.retired: dict[str, int] = {}
        self.endorsements: dict[str, tuple[str | None, str | None]] = {}
        self.first_trusted = 0
        if not keys:
            fail("keys: the bundle carries no public key")
        for i, key in enumerate(keys):
            problem = self._link(key, keys[i - 1] if i else None)
            if problem is not None:  # this key and every later one are not part of the chain
                fail(f"key {i + 1} ({key.key_id}): {problem}")
                break
            self.public[key.key_id] = unb64(key.public_key)
            self.position[key.key_id] = i
            self.endorsements[key.key_id] = (key.endorsement, key.endorsement_signature)

    def _link(self, key: KeyIn, previous: KeyIn | None) -> str | None:
        """Why ``key`` is not the valid successor of ``previous`` (``None`` when it is)."""
        public = _signature(key.public_key)
        if public is None or len(public) != 32:
            return "public key: not a base64 Ed25519 public key"
        if key_id_of(public) != key.key_id:
            return "key id: does not match its public key"
        if previous is None:
            return None
        if key.endorsement is None or key.endorsement_signature is None:
            return "endorsement: none (not endorsed by the key before it)"
        signature = _signature(key.endorsement_signature)
        signer = self.public[previous.key_id]
        if signature is None or not signature_valid(
            signer, signature, key.endorsement.encode("utf-8")
        ):
            return f"endorsement: signature by {previous.key_id} does not verify"
        statement = json.loads(key.endorsement)
        expected = (ENDORSEMENT_FORMAT, key.key_id, key.public_key, previous.key_id)
        got = tuple(statement.get(f) for f in ("format", "key_id", "public_key", "previous_key_id"))
        if got != expected or not isinstance(statement.get("time_ms"), int):
            return "endorsement: names another key or predecessor"
        self.retired[previous.key_id] = statement["time_ms"]
        return None

    def trust(self, key_id: str | None) -> None:
        if key_id is None:
            return
        if key_id not in self.position:
            self.fail(f"trust: the trusted key {key_id} is not in the bundle's key chain")
            self.first_trusted = len(self.position) + 1
        else:
            self.first_trusted = self.position[key_id]

    def check(self, what: str, key_id: str, signature: str, message: bytes, time_ms: int) -> bool:
        """Does ``signature`` by chain key ``key_id`` verify ``message``, made at ``time_ms``?
        Reports the reason when not."""
        public = self.public.get(key_id)
        if public is None:
            self.fail(f"{what}: key: signed by key {key_id}, which is not in the key chain")
            return False
        raw = _signature(signature)
        if raw is None or not signature_valid(public, raw, message):
            self.fail(f"{what}: signature: does not verify with key {key_id} (altered or forged)")
            return False
        if self.position[key_id] < self.first_trusted:
            self.fail(f"{what}: trust: signed by key {key_id}, which precedes the trusted key")
            return False
        retired = self.retired.get(key_id)
        if retired is not None and time_ms > retired:
            self.fail(f"{what}: key: signed by key {key_id} after it was retired at {retired}")
            return False
        return True


def _check_checkpoints(
    bundle: BundleIn, raw: list[dict[str, Any]], chain: KeyChain, fail: Callable[[str], None]
) -> None:
    if not bundle.checkpoints:
        fail("checkpoints: the bundle carries no checkpoint")
    previous: CheckpointIn | None = None
    for i, checkpoint in enumerate(bundle.checkpoints):
        name = f"checkpoint {i + 1} (size {checkpoint.size})"
        statement = canonical({f: raw[i][f] for f in CHECKPOINT_FIELDS})
        chain.check(name, checkpoint.key_id, checkpoint.signature, statement, checkpoint.time_ms)
        if checkpoint.log != bundle.manifest.log:
            fail(f"{name}: log: {checkpoint.log!r} is not the bundle's {bundle.manifest.log!r}")
        if previous is not None:
            _check_consistency(name, previous, checkpoint, fail, i)
        previous = checkpoint


def _check_consistency(
    name: str, old: CheckpointIn, new: CheckpointIn, fail: Callable[[str], None], i: int
) -> None:
    proof, old_root, root = _hashes(new.consistency), _hashes([old.root]), _hashes([new.root])
    consistent = (
        proof is not None
        and old_root is not None
        and root is not None
        and merkle.verify_consistency(old.size, new.size, old_root[0], root[0], proof)
    )
    if not consistent:
        fail(
            f"{name}: consistency: not an extension of checkpoint {i} (size {old.size}); "
            "the log was rewritten or a checkpoint altered"
        )


def _check_manifest(
    bundle: BundleIn, raw: dict[str, Any], chain: KeyChain, fail: Callable[[str], None]
) -> None:
    manifest = bundle.manifest
    chain.check("manifest", manifest.key_id, bundle.manifest_signature, canonical(raw),
                manifest.time_ms)  # fmt: skip
    if bundle.checkpoints:
        anchor = bundle.checkpoints[-1]
        if (anchor.size, anchor.root) != (manifest.tree_size, manifest.root):
            fail("manifest: checkpoint: does not name the bundle's newest checkpoint")
    listed = [seq for seq, _, _ in manifest.records]
    present = [r.seq for r in bundle.records]
    for seq in sorted(set(listed) - set(present)):
        fail(f"manifest: record seq {seq} is listed but missing from the bundle (deleted)")
    for seq in sorted(set(present) - set(listed)):
        fail(f"manifest: record seq {seq} is in the bundle but not in the signed manifest")
    for before, after in zip(present, present[1:], strict=False):
        if after <= before:
            fail(f"records: order: seq {after} follows seq {before} (reordered or duplicated)")


def _check_records(bundle: BundleIn, chain: KeyChain, fail: Callable[[str], None]) -> None:
    if not bundle.checkpoints:
        return
    anchor = bundle.checkpoints[-1]
    root = _hashes([anchor.root])
    listed = {seq: (leaf, witness) for seq, leaf, witness in bundle.manifest.records}
    for record in bundle.records:
        name = f"record seq {record.seq}"
        try:
            leaf = entry_hash(record.entry)
        except (TypeError, ValueError):
            fail(f"{name}: entry: not plain JSON")
            continue
        signed_leaf, signed_witness = listed.get(record.seq, (leaf.hex(), record.checkpoint))
        if signed_leaf != leaf.hex():
            fail(f"{name}: manifest: leaf hash differs from the signed manifest (altered)")
        if signed_witness != record.checkpoint:
            fail(f"{name}: manifest: witnessing checkpoint differs from the signed manifest")
        proof = _hashes(record.proof)
        if (
            root is None
            or proof is None
            or record.entry.get("seq") != record.seq
            or not merkle.verify_inclusion(leaf, record.seq, anchor.size, proof, root[0])
        ):
            fail(
                f"{name}: inclusion: proof against checkpoint {len(bundle.checkpoints)} "
                f"(size {anchor.size}) fails (the record was altered or moved)"
            )
        if root is not None:
            _check_link(name, record, anchor.size, root[0], fail)
        _check_place(name, record, bundle, chain, fail)


def _check_link(
    name: str, record: RecordIn, size: int, root: bytes, fail: Callable[[str], None]
) -> None:
    """The entry's ``prev`` is the leaf hash of the entry before it in the same tree."""
    prev = record.entry.get("prev")
    if record.seq == 0:
        if prev != ZERO_HASH:
            fail(f"{name}: chain: the first entry must link to {ZERO_HASH[:8]}…")
        return
    prev_hash = _hashes([prev]) if isinstance(prev, str) else None
    proof = _hashes(record.prev_proof)
    if (
        prev_hash is None
        or proof is None
        or not merkle.verify_inclusion(prev_hash[0], record.seq - 1, size, proof, root)
    ):
        fail(f"{name}: chain: its prev hash is not entry {record.seq - 1} of the log")


def _check_place(
    name: str, record: RecordIn, bundle: BundleIn, chain: KeyChain, fail: Callable[[str], None]
) -> None:
    """Subject, window and witnessing checkpoint of one record."""
    entry, manifest = record.entry, bundle.manifest
    if not 0 <= record.checkpoint < len(bundle.checkpoints):
        fail(f"{name}: checkpoint: refers to checkpoint {record.checkpoint + 1}, not in bundle")
    elif record.seq >= bundle.checkpoints[record.checkpoint].size:
        fail(f"{name}: checkpoint: checkpoint {record.checkpoint + 1} does not include it")
    if entry.get("kind") == "key_rotation":
        if not _matches_endorsement(entry.get("record"), chain):
            fail(f"{name}: rotation: does not match an endorsement in the key chain")
        return
    if entry.get("subject") != manifest.subject:
        fail(f"{name}: subject: {entry.get('subject')!r} is not {manifest.subject!r}")
    time_ms = entry.get("time_ms")
    if not isinstance(time_ms, int) or not (
        (manifest.from_ms is None or time_ms >= manifest.from_ms)
        and (manifest.to_ms is None or time_ms < manifest.to_ms)
    ):
        fail(f"{name}: window: its time is outside the bundle's window")


def _matches_endorsement(record: Any, chain: KeyChain) -> bool:
    """Is a key rotation entry's record the endorsement that the key chain carries?"""
    endorsement = record.get("endorsement") if isinstance(record, dict) else None
    key_id = endorsement.get("key_id") if isinstance(endorsement, dict) else None
    statement, signature = chain.endorsements.get(str(key_id), (None, None))
    return statement is not None and record == {
        "endorsement": json.loads(statement),
        "signature": signature,
    }
