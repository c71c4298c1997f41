"""``/risk/profiles``: a lender's monitoring profiles (versioned scorecards)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.audit.log import record
from assetwatch.risk import profiles
from assetwatch.risk.presets import PRESETS
from assetwatch.storage.clock import now_ms

router = APIRouter(prefix="/risk", tags=["risk"])


class ProfileCopy(BaseModel):
    preset: str = Field(description="the built-in preset to start from")


class ProfileChange(BaseModel):
    scorecard: dict[str, Any] = Field(description="base, levels, features -> [[below, points]]")


@router.get("/presets")
def list_presets() -> dict[str, dict[str, Any]]:
    """The built-in scorecards, to copy from."""
    return {name: profiles.card_to_json(card) for name, card in PRESETS.items()}


@router.get("/profiles")
def list_profiles(engine: EngineDep, scope: ScopeDep) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return profiles.list_all(conn, scope=scope)


@router.get("/profiles/{key}")
def get_profile(
    key: str, engine: EngineDep, scope: ScopeDep, version: int | None = None
) -> dict[str, Any]:
    with engine.connect() as conn:
        return profiles.get(conn, scope=scope, key=key, version=version)


@router.post("/profiles/{key}", status_code=status.HTTP_201_CREATED)
def copy_profile(key: str, body: ProfileCopy, engine: EngineDep, scope: ScopeDep) -> dict[str, Any]:
    """A new profile ``key``, version 1, copied from a built-in preset."""
    with engine.begin() as conn:
        made = profiles.copy_preset(conn, scope=scope, preset=body.preset, key=key,
                                    now_ms=now_ms())  # fmt: skip
        record(conn, scope=scope, action="profile.copy", target=f"profile:{key}", after=made)
    return made


@router.put("/profiles/{key}")
def change_profile(
    key: str, body: ProfileChange, engine: EngineDep, scope: ScopeDep
) -> dict[str, Any]:
    """A new version of the profile with this scorecard (the old versions are kept)."""
    with engine.begin() as conn:
        before = profiles.get(conn, scope=scope, key=key)
        after = profiles.save(conn, scope=scope, key=key, scorecard=body.scorecard,
                              now_ms=now_ms())  # fmt: skip
        record(conn, scope=scope, action="profile.change", target=f"profile:{key}",
               before=before, after=after)  # fmt: skip
    return after
