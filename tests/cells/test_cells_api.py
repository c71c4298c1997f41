"""``/api/v1/cells``: lookup, resolve and streamed import, on the real app (problem+json)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from assetwatch.api.app import create_app
from assetwatch.live import LiveFeed
from assetwatch.observability import Metrics
from assetwatch.settings import Settings
from assetwatch.storage.engine import ensure_tenant
from tests.cells.conftest import GOOD, csv_text, gz

PROBLEM = "application/problem+json"
SERVING = {"mcc": 460, "mnc": 0, "lac": 9338, "ci": 3692, "signal_dbm": -70}


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with engine.begin() as conn:
        ensure_tenant(conn, "bank-a")
    app = create_app(
        engine, LiveFeed(), Metrics(), Settings(environment="development", default_tenant="bank-a")
    )
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def loaded(client: TestClient) -> TestClient:
    response = client.post("/api/v1/cells/import", content=csv_text(*GOOD))
    assert response.status_code == 200, response.text
    return client


def test_import_reports_what_it_did(client: TestClient) -> None:
    body = csv_text(GOOD[0], "GSM,460,x", GOOD[1])
    summary = client.post("/api/v1/cells/import", content=body).json()
    assert {k: summary[k] for k in ("rows_read", "added", "rejected", "bytes_read")} == {
        "rows_read": 3,
        "added": 2,
        "rejected": 1,
        "bytes_read": len(body),
    }
    assert summary["rejects"] == [{"line": 3, "reason": "expected 14 columns, got 3"}]
    again = client.post("/api/v1/cells/import?mcc=262", content=gz(csv_text(*GOOD))).json()
    assert (again["added"], again["skipped"]) == (0, 3)


def test_import_streams_a_chunked_body(client: TestClient) -> None:
    rows = [
        f"LTE,460,0,{n // 256},{n},,114.{n:04d},22.5,800,5,1,0,1700000000,0" for n in range(3000)
    ]
    data = gz(csv_text(*rows))

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(data), 1024):
            yield data[start : start + 1024]

    summary = client.post("/api/v1/cells/import", content=chunks()).json()
    assert (summary["added"], summary["rejected"], summary["bytes_read"]) == (3000, 0, len(data))
    assert client.get("/api/v1/cells/460/0/11/2999").json()["lon"] == 114.2999


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "line 1: no valid row among 3 (first: expected 14 columns"),
        (gz(csv_text(*GOOD))[:30], "line 1: unreadable file: Compressed file ended"),
    ],
)
def test_import_of_a_bad_file_is_a_problem(client: TestClient, body: bytes, detail: str) -> None:
    response = client.post("/api/v1/cells/import", content=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"].startswith(detail)


def test_lookup_one_cell(loaded: TestClient) -> None:
    assert loaded.get("/api/v1/cells/460/0/9338/3692").json() == {
        "radio": "GSM",
        "mcc": 460,
        "mnc": 0,
        "lac": 9338,
        "cid": 3692,
        "lat": 22.5431,
        "lon": 114.0579,
        "range_m": 1000,
        "samples": 12,
        "updated": "2023-11-14T22:13:20Z",
    }
    missing = loaded.get("/api/v1/cells/460/0/9338/1")
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM)
    assert missing.json()["detail"] == "cell 460-0-9338-1 is not in the catalogue"
    bad = loaded.get("/api/v1/cells/4600/0/9338/1")
    assert (bad.status_code, bad.headers["content-type"]) == (422, PROBLEM)


def test_resolve_cells_to_a_position(loaded: TestClient) -> None:
    unknown = {"mcc": 460, "mnc": 0, "lac": 1, "ci": 2, "signal_dbm": None}
    body = {"cells": [SERVING, unknown]}
    assert loaded.post("/api/v1/cells/resolve", json=body).json() == {
        "lat": 22.5431,
        "lon": 114.0579,
        "accuracy_m": 1000.0,
        "fix_source": "cell",
        "cells_used": 1,
        "unknown": [unknown],
    }
    none_known = loaded.post("/api/v1/cells/resolve", json={"cells": [unknown]})
    assert (none_known.status_code, none_known.headers["content-type"]) == (404, PROBLEM)


@pytest.mark.parametrize(
    "body",
    [
        {"cells": []},
        {"cells": [{"mcc": 460, "mnc": 0, "lac": 1}]},
        {"cells": [{**SERVING, "signal_dbm": 20}]},
        {"cells": [{**SERVING, "radio": "GSM"}]},
        [SERVING],
    ],
)
def test_resolve_refuses_bad_input(loaded: TestClient, body: object) -> None:
    response = loaded.post("/api/v1/cells/resolve", json=body)
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert response.json()["errors"]
