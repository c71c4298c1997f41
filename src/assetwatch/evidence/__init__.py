"""The evidence ledger (docs/evidence.md): a per-tenant, hash-chained RFC 6962 Merkle log of
alarms, commands, approvals, state changes and selected observations; signed checkpoints;
self-contained bundles that anyone can verify offline.

Modules, from pure to I/O:

- :mod:`.merkle`: RFC 6962 hashes, roots, inclusion and consistency proofs (pure);
- :mod:`.entries`: an entry's canonical bytes and leaf hash (pure);
- :mod:`.bundle_format`: the bundle file's strict shape (pure);
- :mod:`.verify`: the offline bundle verifier (pure);
- :mod:`.keys`: the platform's Ed25519 keys, their files and endorsements;
- :mod:`.ledger`: ``append`` in the caller's transaction, and reads;
- :mod:`.checkpoints`: signed checkpoints and key rotation;
- :mod:`.bundle`: exporting an asset's evidence;
- :mod:`.alarm_records`: what alarms put into the ledger.
"""
