"""Schema-driven fuzzing: whatever a client sends, the API never answers 5xx, and every
refusal is problem+json. Schemathesis generates valid and invalid requests for every
operation of the OpenAPI document (new routes are fuzzed without any change here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from shared.bootstrap import Platform, bootstrap
from shared.http.app import create_api
from shared.localrun import seed_demo
from shared.roles import Role
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def fuzz_platform(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    platform = bootstrap(make_settings(Path(tmp_path_factory.mktemp("fuzz"))))
    seed_demo(platform)
    return platform


@pytest.fixture(scope="module")
def api_schema(fuzz_platform: Platform) -> Any:
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_api(fuzz_platform))


@pytest.fixture(scope="module")
def auth_for(fuzz_platform: Platform) -> Any:
    issuer = fuzz_platform.dev_issuer
    assert issuer is not None
    tenant_roles = [Role.TENANT_ADMIN, Role.INSTRUCTOR, Role.LEARNER, Role.SUPPORT_READONLY]
    member = issuer.issue(user_id="fuzzer", tenant_id="demo", roles=tenant_roles)
    operator = issuer.issue(user_id="operator", tenant_id=None, roles=[Role.SUPER_ADMIN])

    def headers(raw_operation: dict[str, Any]) -> dict[str, str]:
        roles = raw_operation.get("x-roles", [])
        token = operator if roles == [Role.SUPER_ADMIN.value] else member
        return {"Authorization": f"Bearer {token}"}

    return headers


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_request_makes_the_api_answer_5xx(case: Any, auth_for: Any) -> None:
    headers = {**(case.headers or {}), **auth_for(case.operation.definition.raw)}
    response = case.call(headers=headers)
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:500]}"
    if response.status_code >= 400 and response.status_code != 405:
        assert response.headers["content-type"][0].startswith("application/problem+json")
