"""The asset and device routers, on a tiny app with a minimal error handler."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from assetwatch.api.deps import TENANT_HEADER
from assetwatch.errors import AssetwatchError
from assetwatch.model.scope import Scope
from assetwatch.registry.views import router
from assetwatch.settings import Settings
from assetwatch.storage.schema import QUARANTINE_TENANT_KEY, devices, tenants


def _problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AssetwatchError)
    return JSONResponse({"title": exc.title, "detail": str(exc)}, status_code=exc.status_code)


@pytest.fixture
def client(engine: Engine, bank_a: Scope, bank_b: Scope) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router, prefix="/api/v1")
    app.add_exception_handler(AssetwatchError, _problem)
    app.state.engine = engine
    app.state.default_tenant = "bank-a"
    app.state.tenant_ids = {}
    app.state.settings = Settings(environment="development", default_tenant="bank-a")
    with TestClient(app) as test_client:
        yield test_client


def test_asset_crud(client: TestClient) -> None:
    body = {"key": "LSVAU2180N2183294", "kind": "vehicle", "value": 158000}
    created = client.post("/api/v1/assets", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["value"] == 158000.0
    assert client.post("/api/v1/assets", json=body).status_code == 409
    patched = client.patch("/api/v1/assets/LSVAU2180N2183294", json={"name": "Model 3"})
    assert patched.json()["name"] == "Model 3"
    assert [a["key"] for a in client.get("/api/v1/assets").json()] == ["LSVAU2180N2183294"]
    assert client.delete("/api/v1/assets/LSVAU2180N2183294").status_code == 204
    missing = client.get("/api/v1/assets/LSVAU2180N2183294")
    assert missing.status_code == 404
    assert "does not exist" in missing.json()["detail"]


def test_bad_bodies_are_422(client: TestClient) -> None:
    assert client.post("/api/v1/assets", json={"key": "a", "kind": "boat"}).status_code == 422
    bad_ref = client.post("/api/v1/assets", json={"key": "a", "kind": "site", "contract": "x"})
    assert bad_ref.status_code == 422
    assert "unknown contract" in bad_ref.json()["detail"]


def test_device_crud_and_bindings(client: TestClient) -> None:
    client.post("/api/v1/assets", json={"key": "VIN1", "kind": "vehicle"})
    body = {"key": "013912345678", "protocol": "jt808", "asset": "VIN1"}
    created = client.post("/api/v1/devices", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["asset"] == "VIN1"
    patched = client.patch("/api/v1/devices/013912345678", json={"report_interval_s": 60})
    assert patched.json()["report_interval_s"] == 60
    history = client.get("/api/v1/devices/013912345678/bindings").json()
    assert [(h["asset"], h["valid_to_ms"]) for h in history] == [("VIN1", None)]
    assert client.get("/api/v1/assets/VIN1").json()["devices"] == ["013912345678"]
    assert client.delete("/api/v1/devices/013912345678").status_code == 204
    assert client.get("/api/v1/devices").json() == []


def test_tenants_are_isolated(client: TestClient) -> None:
    client.post("/api/v1/assets", json={"key": "VIN1", "kind": "vehicle"})
    other = {TENANT_HEADER: "bank-b"}
    assert client.get("/api/v1/assets", headers=other).json() == []
    assert client.get("/api/v1/assets/VIN1", headers=other).status_code == 404
    assert client.patch("/api/v1/assets/VIN1", json={"name": "x"}, headers=other).status_code == 404
    assert client.delete("/api/v1/assets/VIN1", headers=other).status_code == 404
    unknown = client.get("/api/v1/assets", headers={TENANT_HEADER: "nobody"})
    assert unknown.status_code == 404


def test_quarantined_devices_can_be_listed(client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        quarantine = conn.scalar(select(tenants.c.id).where(tenants.c.key == QUARANTINE_TENANT_KEY))
        conn.execute(
            insert(devices).values(
                tenant_id=quarantine, protocol="jt808", key="015500000001",
                status="quarantined", attributes={}, created_ms=1,
            )
        )  # fmt: skip
    listed = client.get("/api/v1/devices", params={"status": "quarantined"})
    assert listed.status_code == 200
    assert [d["key"] for d in listed.json()] == ["015500000001"]
    assert client.get("/api/v1/devices", params={"status": "bogus"}).status_code == 422
