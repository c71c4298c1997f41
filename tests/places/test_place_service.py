"""Place service and router: CRUD, references, scope isolation, and fences for the rule."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from shapely.geometry import Point
from sqlalchemy import Engine, select

from assetwatch.api.deps import TENANT_HEADER
from assetwatch.errors import AssetwatchError, ConflictError, NotFoundError, ValidationError
from assetwatch.model.scope import Scope
from assetwatch.places import service
from assetwatch.places.fences import load_fences
from assetwatch.places.models import PlaceCreate, PlaceWrite
from assetwatch.places.views import router
from assetwatch.settings import Settings
from assetwatch.storage.schema import assets, counterparties

LOT = {
    "key": "dealer-1-lot",
    "kind": "allowed",
    "applies_to": {"counterparty": "dealer-1"},
    "shape": {"circle": {"lat": 22.5431, "lon": 114.0579, "radius_m": 300}},
}
PAWN = {
    "key": "pawn-zone",
    "kind": "forbidden",
    "applies_to": "all",
    "shape": {"polygon": [[114.06, 22.54], [114.07, 22.54], [114.07, 22.55], [114.06, 22.55]]},
}


def test_place_crud(engine: Engine, bank_a: Scope) -> None:
    with engine.begin() as conn:
        created = service.create(conn, scope=bank_a, data=PlaceCreate.model_validate(LOT))
        assert created.applies_to == {"counterparty": "dealer-1"}
        with pytest.raises(ConflictError):
            service.create(conn, scope=bank_a, data=PlaceCreate.model_validate(LOT))
        fields = {k: v for k, v in LOT.items() if k != "key"}
        body = PlaceWrite.model_validate({**fields, "kind": "watch", "name": "Lot"})
        replaced = service.replace(conn, scope=bank_a, key="dealer-1-lot", data=body)
        assert (replaced.kind, replaced.name) == ("watch", "Lot")
        assert [p.key for p in service.get_all(conn, scope=bank_a, kind="watch")] == [
            "dealer-1-lot"
        ]
        service.delete(conn, scope=bank_a, key="dealer-1-lot")
        with pytest.raises(NotFoundError):
            service.get(conn, scope=bank_a, key="dealer-1-lot")


def test_references_must_exist_in_scope(engine: Engine, bank_a: Scope, bank_b: Scope) -> None:
    with engine.begin() as conn:
        with pytest.raises(ValidationError, match="unknown counterparty 'dealer-1'"):
            service.create(conn, scope=bank_b, data=PlaceCreate.model_validate(LOT))
        bad = {**PAWN, "applies_to": {"assets": ["VIN1", "GHOST"]}}
        with pytest.raises(ValidationError, match="unknown asset 'GHOST'"):
            service.create(conn, scope=bank_a, data=PlaceCreate.model_validate(bad))


def test_places_are_isolated(engine: Engine, bank_a: Scope, bank_b: Scope) -> None:
    with engine.begin() as conn:
        service.create(conn, scope=bank_a, data=PlaceCreate.model_validate(PAWN))
        assert service.get_all(conn, scope=bank_b) == []
        with pytest.raises(NotFoundError):
            service.get(conn, scope=bank_b, key="pawn-zone")
        with pytest.raises(NotFoundError):
            service.delete(conn, scope=bank_b, key="pawn-zone")
        body = PlaceWrite.model_validate({k: v for k, v in PAWN.items() if k != "key"})
        with pytest.raises(NotFoundError):
            service.replace(conn, scope=bank_b, key="pawn-zone", data=body)


def test_fences_resolve_keys_to_ids(engine: Engine, bank_a: Scope) -> None:
    with engine.begin() as conn:
        for place in (LOT, PAWN, {**PAWN, "key": "one", "applies_to": {"asset": "VIN2"}}):
            service.create(conn, scope=bank_a, data=PlaceCreate.model_validate(place))
        fences = {fence.key: fence for fence in load_fences(conn, tenant_id=bank_a.tenant_id)}
        dealer = conn.scalar(select(counterparties.c.id))
        vin2 = conn.scalar(select(assets.c.id).where(assets.c.key == "VIN2"))
    assert fences["dealer-1-lot"].applies.counterparty_ids == {dealer}
    assert fences["pawn-zone"].applies.everyone
    assert fences["one"].applies.asset_ids == {vin2}
    assert fences["dealer-1-lot"].geometry.contains(Point(114.0579, 22.5431))
    assert fences["pawn-zone"].geometry.contains(Point(114.065, 22.545))
    assert not fences["pawn-zone"].geometry.contains(Point(114.0579, 22.5431))


def _problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AssetwatchError)
    return JSONResponse({"detail": str(exc)}, status_code=exc.status_code)


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


def test_place_views(client: TestClient) -> None:
    assert client.post("/api/v1/places", json=LOT).status_code == 201
    body = {k: v for k, v in PAWN.items() if k != "key"}
    first = client.put("/api/v1/places/pawn-zone", json=body)
    assert first.status_code == 201, first.text
    assert first.json()["shape"]["polygon"][-1] == [114.06, 22.54]
    again = client.put("/api/v1/places/pawn-zone", json={**body, "name": "Pawn"})
    assert (again.status_code, again.json()["name"]) == (200, "Pawn")
    assert [p["key"] for p in client.get("/api/v1/places").json()] == ["dealer-1-lot", "pawn-zone"]
    assert client.get("/api/v1/places/pawn-zone").json()["applies_to"] == {"all": True}
    other = {TENANT_HEADER: "bank-b"}
    assert client.get("/api/v1/places/pawn-zone", headers=other).status_code == 404
    assert client.put("/api/v1/places/bad key", json=body).status_code == 422
    bad = {**body, "shape": {"circle": {"lat": 95, "lon": 1, "radius_m": 1}}}
    assert client.put("/api/v1/places/x", json=bad).status_code == 422
    assert client.delete("/api/v1/places/pawn-zone").status_code == 204
    assert client.get("/api/v1/places/pawn-zone").status_code == 404
