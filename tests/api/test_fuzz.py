"""Schema-driven fuzzing: whatever a client sends, the API never answers 5xx, and every
refusal is problem+json. Schemathesis generates valid and invalid requests for every
operation of the OpenAPI document (new routes are fuzzed without any change here)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from shared.bootstrap import bootstrap
from shared.http.app import create_api
from shared.localrun import seed_demo
from shared.roles import Role
from tests.conftest import make_settings

# Schemathesis reads the operations at collection time, so the app exists at import;
# its data lives in a temporary folder removed when the module's tests are done.
_DATA = Path(tempfile.mkdtemp(prefix="lms-fuzz-"))
_PLATFORM = bootstrap(make_settings(_DATA))
seed_demo(_PLATFORM)
schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_api(_PLATFORM))


@pytest.fixture(scope="module", autouse=True)
def _remove_fuzz_data() -> Iterator[None]:
    yield
    shutil.rmtree(_DATA, ignore_errors=True)


def _auth_for(raw_operation: dict[str, Any]) -> dict[str, str]:
    issuer = _PLATFORM.dev_issuer
    assert issuer is not None
    if raw_operation.get("x-roles") == [Role.SUPER_ADMIN.value]:
        token = issuer.issue(user_id="operator", tenant_id=None, roles=[Role.SUPER_ADMIN])
    else:
        tenant_roles = [Role.TENANT_ADMIN, Role.INSTRUCTOR, Role.LEARNER, Role.SUPPORT_READONLY]
        token = issuer.issue(user_id="fuzzer", tenant_id="demo", roles=tenant_roles)
    return {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_request_makes_the_api_answer_5xx(case: Any) -> None:
    headers = {**(case.headers or {}), **_auth_for(case.operation.definition.raw)}
    response = case.call(headers=headers)
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:500]}"
    if response.status_code >= 400 and response.status_code != 405:
        assert response.headers["content-type"][0].startswith("application/problem+json")
