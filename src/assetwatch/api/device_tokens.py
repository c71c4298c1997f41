"""``/devices/{key}/token``: issue (rotate) or revoke an HTTP/MQTT device's token."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.registry import credentials
from assetwatch.registry.views import ProtocolQuery
from assetwatch.storage.clock import now_ms

router = APIRouter(prefix="/devices", tags=["devices"])


class TokenRead(BaseModel):
    device: str
    protocol: str
    token: str = Field(description="shown once: only its hash is stored")
    issued: str


@router.post("/{key}/token", status_code=status.HTTP_201_CREATED)
def issue_token(
    key: str, engine: EngineDep, scope: ScopeDep, protocol: ProtocolQuery = None
) -> TokenRead:
    """A new token for the device; the previous one stops working at once."""
    with engine.begin() as conn:
        issued = credentials.issue_token(
            conn, scope=scope, key=key, protocol=protocol, now_ms=now_ms()
        )
    return TokenRead(
        device=issued.device,
        protocol=issued.protocol,
        token=issued.token,
        issued=datetime.fromtimestamp(issued.issued_ms / 1000, UTC).isoformat(),
    )


@router.delete("/{key}/token", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(
    key: str, engine: EngineDep, scope: ScopeDep, protocol: ProtocolQuery = None
) -> Response:
    with engine.begin() as conn:
        credentials.revoke_token(conn, scope=scope, key=key, protocol=protocol)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
