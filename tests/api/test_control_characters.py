"""One kind of text everywhere: every text field of every request body refuses NUL and the other C0
and C1 control characters (a multi-line field takes tabs and line breaks), and text is stored in
NFC. The walk covers every operation of the OpenAPI document with a JSON body, so a new route is
covered without a change here."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from shared.roles import Role
from tests.api.openapi_walk import Operation, operations
from tests.api.test_enrollment_webhook import SECRET, WEBHOOK, signature

BAD = ["nul\x00here", "esc\x1b[31m", "del\x7f", "c1\x85next", "bell\x07"]
SINGLE_LINE_ONLY = ["tab\there", "line\nbreak"]
ALL_TENANT_ROLES = [Role.TENANT_ADMIN, Role.INSTRUCTOR, Role.LEARNER, Role.SUPPORT_READONLY]


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _is_text(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and not schema.get("enum") and "format" not in schema


def _text_properties(schema: dict[str, Any], document: dict[str, Any]) -> list[tuple[str, bool]]:
    """The top-level properties of a body schema that take a string, or a list of strings (True)."""
    schema = _resolve(schema, document)
    found = []
    for name, prop in schema.get("properties", {}).items():
        options = [_resolve(p, document) for p in prop.get("anyOf", [prop])]
        if any(_is_text(o) for o in options):
            found.append((name, False))
        elif any(o.get("type") == "array" and _is_text(_resolve(o.get("items", {}), document)) for o in options):
            found.append((name, True))
    return found


def _string_paths(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, str):
        yield at
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _string_paths(inner, (*at, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _string_paths(inner, (*at, i))


def _with(body: dict[str, Any], path: tuple[Any, ...], text: str | list[str]) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    target: Any = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = text
    return changed


def _json_operations(client: TestClient) -> list[Operation]:
    found = []
    for op in operations(client):
        content = op.spec.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            found.append(op)
    return found


def _signed_if_webhook(op: Operation, body: dict[str, Any], clock: ManualClock) -> dict[str, Any]:
    """The payments webhook's own credential: a signature over the exact body."""
    if op.path != WEBHOOK:
        return {"json": body}
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "X-Payments-Signature": signature(raw, int(clock.now().timestamp()))}
    return {"content": raw, "headers": headers}


def test_every_text_of_every_body_refuses_control_characters(
    client: TestClient, platform: Platform, clock: ManualClock, tokens, make_tenant
) -> None:
    platform.secrets.set("payments-webhook-secret", SECRET)
    document = client.get("/api/openapi.json").json()
    tenant_token = tokens(make_tenant().id, "walker", *ALL_TENANT_ROLES)
    operator = tokens.super_admin()
    checked = 0
    for op in _json_operations(client):
        body = op.body() or {}
        schema = op.spec["requestBody"]["content"]["application/json"]["schema"]
        properties = _text_properties(schema, document)
        targets = {((name,), listed) for name, listed in properties} | {(p, False) for p in _string_paths(body)}
        headers = operator if op.spec.get("x-roles") == [Role.SUPER_ADMIN.value] else tenant_token
        url = op.url(dict.fromkeys(op.path_params, "walker-x"))
        for path, listed in sorted(targets, key=str):
            for text in BAD:
                request = _signed_if_webhook(op, _with(body, path, [text] if listed else text), clock)
                request["headers"] = {**headers, **request.get("headers", {})}
                response = client.request(op.method.upper(), url, **request)
                assert response.status_code == 422, f"{op} {path} {text!r}: {response.status_code} {response.text}"
                assert response.headers["content-type"].startswith("application/problem+json")
                checked += 1
    assert checked > 200  # every JSON body with text, each bad character


@pytest.fixture
def admin(make_tenant) -> dict[str, str]:
    return dict(make_tenant().as_(Role.TENANT_ADMIN))


def test_a_single_line_text_refuses_tabs_and_line_breaks_and_a_multi_line_one_keeps_them(
    client: TestClient, admin: dict[str, str]
) -> None:
    for text in SINGLE_LINE_ONLY:
        refused = client.post("/api/v1/courses", json={"title": text}, headers=admin)
        assert refused.status_code == 422, refused.text
        assert "title" in refused.text
    description = "First line.\n\n\tIndented second paragraph.\r\nThird."
    created = client.post("/api/v1/courses", json={"title": "Lines", "description": description}, headers=admin)
    assert created.status_code == 201, created.text
    assert client.get(f"/api/v1/courses/{created.json()['id']}", headers=admin).json()["description"] == description


def test_text_is_stored_in_nfc_and_a_refused_body_changes_nothing(client: TestClient, admin: dict[str, str]) -> None:
    decomposed = "Cafe\u0301 de\u0301butants"  # e + combining acute, as some keyboards send it
    created = client.post("/api/v1/courses", json={"title": decomposed}, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["title"] == "Café débutants"
    before = client.get("/api/v1/courses", headers=admin).json()["items"]
    refused = client.post("/api/v1/courses", json={"title": "Evil\x00course"}, headers=admin)
    assert refused.status_code == 422
    assert "U+0000" in refused.text
    assert client.get("/api/v1/courses", headers=admin).json()["items"] == before
    user = client.post(
        "/api/v1/users",
        json={"email": "nul@example.com", "displayName": "Nu\x00l", "roles": ["Learner"]},
        headers=admin,
    )
    assert user.status_code == 422
    tenant = client.patch("/api/v1/tenant", json={"name": "Demo\x00"}, headers={**admin, "If-Match": "*"})
    assert tenant.status_code == 422
