"""The published OpenAPI document: stable operation ids, and no embedded-only plumbing."""

from __future__ import annotations

from fastapi.testclient import TestClient

METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}


def test_every_operation_id_is_its_route_functions_name_and_unique(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    ids = [op["operationId"] for item in spec["paths"].values() for m, op in item.items() if m in METHODS]
    assert len(ids) == len(set(ids))
    assert all(i.isidentifier() and "_api_" not in i for i in ids), "an id rebuilt from path and method"
    assert {"create_course", "record_progress", "stream_notifications", "verify_certificate"} <= set(ids)


def test_the_embedded_blob_routes_are_served_but_not_published(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert not [p for p in spec["paths"] if p.startswith("/api/local-blobs")]
    assert client.get("/api/local-blobs/media/x").status_code in (403, 404)  # there, and unsigned: refused
