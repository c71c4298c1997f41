"""Exporting an asset's evidence as one self-contained JSON bundle (docs/evidence.md).

The bundle holds the asset's entries in a time window (and the log's key rotations), an RFC
6962 inclusion proof of each and of its predecessor (the chain link) against the newest
checkpoint, the checkpoints that first witnessed them with consistency proofs between them,
the chain of public keys, and a manifest of the exported entries signed by the active key.
:mod:`assetwatch.evidence.verify` checks it with nothing else.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Connection, Engine

from assetwatch.evidence import checkpoints as cps
from assetwatch.evidence import ledger
from assetwatch.evidence.checkpoints import Checkpoint
from assetwatch.evidence.entries import asset_subject, canonical
from assetwatch.evidence.keys import Keyring, b64, key_chain
from assetwatch.evidence.ledger import Entry, LedgerCorrupt
from assetwatch.evidence.merkle import MerkleTree
from assetwatch.model.scope import Scope
from assetwatch.registry.lookup import id_of
from assetwatch.storage.schema import assets

BUNDLE_FORMAT: Final = "assetwatch-evidence-bundle"
MANIFEST_FORMAT: Final = "assetwatch-evidence-export"
BUNDLE_VERSION: Final = 1


def export_bundle(
    engine: Engine,
    keyring: Keyring,
    *,
    scope: Scope,
    asset: str,
    from_ms: int | None,
    to_ms: int | None,
    now_ms: int,
) -> dict[str, Any]:
    """The evidence bundle of ``asset`` for ``from_ms <= time < to_ms`` (``None``: unbounded).

    When the log grew since its newest checkpoint, a new checkpoint is made first, so the
    bundle covers every entry recorded until now.
    """
    with engine.begin() as conn:
        id_of(conn, assets, scope=scope, key=asset, what="asset")
        tenant_id = scope.tenant_id
        signer = keyring.active(conn, now_ms=now_ms)
        anchor = cps.latest(conn, tenant_id)
        if anchor is None or anchor.size < ledger.head(conn, tenant_id).size:
            anchor = cps.make_checkpoint(conn, keyring, tenant_id, now_ms=now_ms, key=signer)
        subject = asset_subject(asset)
        selected = _selected(conn, tenant_id, anchor.size, subject, from_ms, to_ms)
        tree = MerkleTree(ledger.leaf_hashes(conn, tenant_id, anchor.size))
        if tree.root().hex() != anchor.root:
            raise LedgerCorrupt(
                f"tenant {anchor.log}: the stored entries do not hash to checkpoint "
                f"{anchor.size}'s root"
            )
        witnesses = [cps.first_covering(conn, tenant_id, e.seq) or anchor for e in selected]
        checkpoints = _ordered(witnesses, anchor)
        index = {c.statement_key(): i for i, c in enumerate(checkpoints)}
        records = [
            _record(tree, entry, anchor.size, index[witness.statement_key()])
            for entry, witness in zip(selected, witnesses, strict=True)
        ]
        listed = [
            [e.seq, e.leaf_hash, r["checkpoint"]] for e, r in zip(selected, records, strict=True)
        ]
        manifest = {
            "format": MANIFEST_FORMAT, "v": BUNDLE_VERSION, "log": anchor.log,
            "subject": subject, "from_ms": from_ms, "to_ms": to_ms, "tree_size": anchor.size,
            "root": anchor.root, "records": listed,
            "time_ms": now_ms, "key_id": signer.key_id,
        }  # fmt: skip
        keys = [k.as_json() for k in key_chain(conn)]
    return {
        "format": BUNDLE_FORMAT,
        "v": BUNDLE_VERSION,
        "manifest": manifest,
        "manifest_signature": b64(signer.sign(canonical(manifest))),
        "records": records,
        "checkpoints": _with_consistency(tree, checkpoints),
        "keys": keys,
    }


def _selected(
    conn: Connection, tenant_id: int, size: int, subject: str, from_ms: int | None,
    to_ms: int | None,
) -> list[Entry]:  # fmt: skip
    """The subject's entries in the window, and every key rotation, in log order."""
    chosen = ledger.entries(
        conn, tenant_id, below=size, subject=subject, from_ms=from_ms, to_ms=to_ms
    )
    rotations = ledger.entries(conn, tenant_id, below=size, kind="key_rotation")
    return sorted({e.seq: e for e in [*chosen, *rotations]}.values(), key=lambda e: e.seq)


def _ordered(witnesses: list[Checkpoint], anchor: Checkpoint) -> list[Checkpoint]:
    """The distinct checkpoints, smallest tree first, ``anchor`` (the newest) last."""
    others = {c.statement_key(): c for c in witnesses}
    others.pop(anchor.statement_key(), None)
    return [*sorted(others.values(), key=lambda c: (c.size, c.time_ms)), anchor]


def _record(tree: MerkleTree, entry: Entry, size: int, witness: int) -> dict[str, Any]:
    prev_proof = tree.inclusion_proof(entry.seq - 1, size) if entry.seq else []
    return {
        "seq": entry.seq,
        "entry": entry.body,
        "checkpoint": witness,
        "proof": [h.hex() for h in tree.inclusion_proof(entry.seq, size)],
        "prev_proof": [h.hex() for h in prev_proof],
    }


def _with_consistency(tree: MerkleTree, checkpoints: list[Checkpoint]) -> list[dict[str, Any]]:
    """Each checkpoint with the consistency proof from the one before it."""
    out = []
    for i, checkpoint in enumerate(checkpoints):
        proof = tree.consistency_proof(checkpoints[i - 1].size, checkpoint.size) if i else []
        out.append({**checkpoint.as_json(), "consistency": [h.hex() for h in proof]})
    return out
