"""What every response has in common: problem+json failures, size limits, headers, ids."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from shared.http.app import create_api
from shared.observability import ContextFilter, JsonFormatter
from shared.roles import Role


def test_health_and_readiness_answer_without_a_token(client: TestClient) -> None:
    assert client.get("/api/health").json() == {"status": "ok"}
    ready = client.get("/api/ready")
    assert ready.status_code == 200
    assert set(ready.json()["checks"]) == {"documents", "blobs", "bus", "search"}
    assert set(ready.json()["checks"].values()) == {"ok"}


def test_the_openapi_document_and_docs_are_served(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    assert "/api/v1/tenants" in document["paths"]
    assert client.get("/api/docs").status_code == 200


def test_malformed_json_is_a_400_problem(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    response = client.post(
        "/api/v1/users",
        content=b'{"email": ',
        headers={**tenant.as_(Role.TENANT_ADMIN), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/malformed-json"


def test_unknown_fields_and_wrong_types_are_422_with_field_errors(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    body = {"email": "x@example.com", "displayName": 987654321, "isRoot": "sekrit-value"}
    response = client.post("/api/v1/users", json=body, headers=tenant.as_(Role.TENANT_ADMIN))
    assert response.status_code == 422
    locations = {e["location"] for e in response.json()["errors"]}
    assert {"body.displayName", "body.isRoot"} <= locations
    assert "987654321" not in response.text and "sekrit" not in response.text  # inputs are not echoed


def test_a_body_over_the_limit_is_413_whether_declared_or_streamed(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    big = json.dumps({"email": "x@example.com", "displayName": "a" * 2_000_000}).encode()
    declared = client.post(
        "/api/v1/users",
        content=big,
        headers={**tenant.as_(Role.TENANT_ADMIN), "Content-Type": "application/json"},
    )
    assert declared.status_code == 413
    assert declared.headers["content-type"].startswith("application/problem+json")

    def chunks():
        for i in range(0, len(big), 65536):
            yield big[i : i + 65536]

    streamed = client.post(
        "/api/v1/users",
        content=chunks(),
        headers={**tenant.as_(Role.TENANT_ADMIN), "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413


def test_huge_strings_within_the_body_limit_are_refused_by_field_limits(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    response = client.post(
        "/api/v1/users",
        json={"email": "x@example.com", "displayName": "a" * 100_000},
        headers=tenant.as_(Role.TENANT_ADMIN),
    )
    assert response.status_code == 422


@pytest.mark.parametrize("user_id", ["..", "a/b", "x" * 300, "%00"])
def test_invalid_ids_are_refused_without_a_500(client: TestClient, make_tenant, user_id: str) -> None:
    tenant = make_tenant()
    response = client.get(f"/api/v1/users/{user_id}", headers=tenant.as_(Role.TENANT_ADMIN))
    assert 400 <= response.status_code < 500


def test_an_unknown_route_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/not-found"


def test_responses_carry_security_headers_and_a_correlation_id(client: TestClient) -> None:
    response = client.get("/api/health", headers={"X-Correlation-Id": "abc-123"})
    assert response.headers["x-correlation-id"] == "abc-123"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    generated = client.get("/api/health", headers={"X-Correlation-Id": "bad id with spaces"})
    assert generated.headers["x-correlation-id"] != "bad id with spaces"


def test_problems_name_the_correlation_id_of_the_request(client: TestClient) -> None:
    response = client.get("/api/v1/me", headers={"X-Correlation-Id": "trace-me"})
    assert response.status_code == 401
    assert response.json()["correlationId"] == "trace-me"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_each_request_is_logged_as_json_with_its_correlation_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="lms.access"):
        client.get("/api/health", headers={"X-Correlation-Id": "log-me"})
    record = next(r for r in caplog.records if r.name == "lms.access")
    line = json.loads(JsonFormatter().format(record))
    assert line["correlationId"] == "log-me"
    assert line["path"] == "/api/health"
    assert line["status"] == 200


def test_readiness_reports_a_dependency_that_is_down_with_503(client: TestClient, platform, monkeypatch) -> None:
    def down() -> None:
        raise RuntimeError("connection refused")

    monkeypatch.setattr(platform.bus, "ping", down)
    response = client.get("/api/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["bus"] == "unavailable"
    assert response.json()["checks"]["documents"] == "ok"


def test_an_unexpected_error_is_a_500_problem_without_internals(platform) -> None:
    app = create_api(platform)

    @app.get("/api/v1/explode")
    def explode() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/explode")
    assert response.status_code == 500
    assert "secret internal detail" not in response.text
    assert response.json()["type"] == "/problems/internal"
    assert response.headers["x-correlation-id"]


def test_log_lines_of_a_request_name_the_callers_tenant(
    client: TestClient, make_tenant, caplog: pytest.LogCaptureFixture
) -> None:
    tenant = make_tenant()
    caplog.handler.addFilter(ContextFilter())
    with caplog.at_level(logging.INFO, logger="lms.access"):
        client.get("/api/v1/tenant", headers={**tenant.as_(Role.LEARNER), "X-Correlation-Id": "req-7"})
    record = next(r for r in caplog.records if r.name == "lms.access")
    assert (record.correlationId, record.tenantId) == ("req-7", tenant.id)
