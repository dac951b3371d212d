"""CORS for the web app on another origin: exactly the origins of LMS_WEB_ORIGINS, never ``*``.

A refused preflight is answered 403 problem+json without any CORS header (so the browser stops
there); a simple request from an origin not listed is served without CORS headers (so the browser
keeps the response from the page)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import bootstrap
from shared.http.app import create_api
from shared.platform.clock import ManualClock
from shared.roles import Role
from shared.settings import Settings
from tests.conftest import Tokens, make_settings

WEB = "https://web.example.com"
DEV = "http://127.0.0.1:5173"
STRANGER = "https://evil.example.net"


@pytest.fixture
def cors(tmp_path: Path, clock: ManualClock) -> Iterator[tuple[TestClient, Tokens]]:
    platform = bootstrap(make_settings(tmp_path / "data", web_origins=f"{WEB},{DEV}"), clock=clock)
    with TestClient(create_api(platform), raise_server_exceptions=False) as client:
        yield client, Tokens(platform)


def preflight(client: TestClient, origin: str, method: str, headers: str | None = None) -> httpx.Response:
    asked = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        asked["Access-Control-Request-Headers"] = headers
    return client.options("/api/v1/tenant", headers=asked)


def test_a_listed_origin_reads_responses_and_the_headers_clients_need(cors: tuple[TestClient, Tokens]) -> None:
    client, tokens = cors
    response = client.get("/api/v1/tenant", headers={"Origin": WEB, **tokens("acme", "ann", Role.LEARNER)})
    assert response.headers["access-control-allow-origin"] == WEB
    assert "Origin" in response.headers["vary"]
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "location", "retry-after", "x-correlation-id"} <= exposed
    assert "access-control-allow-credentials" not in response.headers


def test_errors_carry_the_cors_headers_too_so_the_page_can_show_the_problem(cors: tuple[TestClient, Tokens]) -> None:
    client, _ = cors
    response = client.get("/api/v1/tenant", headers={"Origin": DEV})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == DEV


def test_a_preflight_from_a_listed_origin_is_answered_with_the_methods_and_headers_the_api_reads(
    cors: tuple[TestClient, Tokens],
) -> None:
    client, _ = cors
    response = preflight(client, WEB, "PATCH", "authorization, content-type, if-match")
    assert response.status_code == 204
    headers = response.headers
    assert headers["access-control-allow-origin"] == WEB
    methods = {m.strip() for m in headers["access-control-allow-methods"].split(",")}
    assert {"GET", "POST", "PUT", "PATCH", "DELETE"} <= methods
    allowed = {h.strip().lower() for h in headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "if-match", "if-none-match", "last-event-id"} <= allowed
    assert int(headers["access-control-max-age"]) > 0
    for stream in ("authorization, last-event-id", "x-ms-blob-type, content-type", "if-none-match"):
        assert preflight(client, DEV, "GET", stream).status_code == 204, stream


@pytest.mark.parametrize(
    ("origin", "method", "headers"),
    [
        (STRANGER, "GET", "authorization"),  # an origin not listed
        (f"{WEB}.evil.example.net", "GET", None),  # listed origin as a prefix of another
        ("https://WEB.example.com", "GET", None),  # origins compare exactly
        ("null", "GET", None),
        (WEB, "TRACE", None),  # a method the API does not take
        (WEB, "GET", "authorization, x-api-key"),  # a header the API does not read
    ],
)
def test_other_preflights_are_refused_with_403_and_no_cors_headers(
    cors: tuple[TestClient, Tokens], origin: str, method: str, headers: str | None
) -> None:
    client, _ = cors
    response = preflight(client, origin, method, headers)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_a_simple_request_from_an_origin_not_listed_gets_no_cors_headers(cors: tuple[TestClient, Tokens]) -> None:
    client, _ = cors
    response = client.get("/api/health", headers={"Origin": STRANGER})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    assert "Origin" in response.headers["vary"]  # a shared cache must not hand this to a listed origin


def test_the_wildcard_is_never_sent_nor_accepted_as_a_setting(cors: tuple[TestClient, Tokens]) -> None:
    client, _ = cors
    for origin in (WEB, STRANGER, "*"):
        response = client.get("/api/health", headers={"Origin": origin})
        assert response.headers.get("access-control-allow-origin") in (None, WEB)
    for setting in ("*", "https://web.example.com/", "https://web.example.com/app", "web.example.com"):
        with pytest.raises(ValueError, match="not an origin"):
            Settings(web_origins=setting)


def test_without_web_origins_there_is_no_cross_origin_access(client: TestClient) -> None:
    response = client.get("/api/health", headers={"Origin": WEB})
    assert "access-control-allow-origin" not in response.headers and "vary" not in response.headers
    refused = preflight(client, WEB, "GET")
    assert refused.status_code == 403


def test_the_setting_reads_comma_separated_origins_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMS_WEB_ORIGINS", f" {WEB} , {DEV},{WEB}")
    assert Settings().web_origins == (WEB, DEV)
    monkeypatch.setenv("LMS_WEB_ORIGINS", "")
    assert Settings().web_origins == ()
