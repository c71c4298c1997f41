"""Evidence routes: checkpoints, an asset's evidence bundle, verifying a bundle.

The router is built with the data directory, where the platform's signing keys live.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.errors import NotFoundError
from assetwatch.evidence import checkpoints
from assetwatch.evidence.bundle import export_bundle
from assetwatch.evidence.keys import Keyring, key_dir_of
from assetwatch.evidence.verify import verify_bundle
from assetwatch.pipeline.processor import now_ms
from assetwatch.tracking.service import parse_time


def build_router(data_dir: Path) -> APIRouter:
    """The evidence routes, signing with the keys in ``data_dir``."""
    router = APIRouter(tags=["evidence"])
    keyring = Keyring(key_dir_of(data_dir))

    @router.post("/evidence/checkpoints", status_code=201)
    def make_checkpoint(engine: EngineDep, scope: ScopeDep) -> dict[str, Any]:
        """Sign a checkpoint of the tenant's log now."""
        made = checkpoints.checkpoint_now(engine, keyring, scope.tenant_id, now_ms=now_ms())
        return made.as_json()

    @router.get("/evidence/checkpoints/latest")
    def latest_checkpoint(engine: EngineDep, scope: ScopeDep) -> dict[str, Any]:
        """The tenant's newest signed checkpoint (404 before the first)."""
        with engine.connect() as conn:
            found = checkpoints.latest(conn, scope.tenant_id)
        if found is None:
            raise NotFoundError("the tenant's evidence log has no checkpoint yet")
        return found.as_json()

    @router.get("/assets/{key}/evidence")
    def asset_evidence(
        key: str,
        engine: EngineDep,
        scope: ScopeDep,
        from_: Annotated[str | None, Query(alias="from", description="ISO-8601 or ms")] = None,
        to: Annotated[str | None, Query(description="ISO-8601 or ms, exclusive")] = None,
    ) -> dict[str, Any]:
        """The asset's evidence bundle for the window (docs/evidence.md)."""
        return export_bundle(
            engine, keyring, scope=scope, asset=key, from_ms=parse_time(from_, field="from"),
            to_ms=parse_time(to, field="to"), now_ms=now_ms(),
        )  # fmt: skip

    @router.post("/evidence/verify")
    def verify(
        _scope: ScopeDep,  # the same door as every route, though nothing is read
        bundle: Annotated[dict[str, Any], Body(description="a bundle as exported")],
        trusted_key: Annotated[str | None, Query(description="key id to trust")] = None,
    ) -> dict[str, Any]:
        """Verify a bundle with nothing but itself: ``ok`` and every failure found."""
        return verify_bundle(bundle, trusted_key=trusted_key).as_json()

    return router
