"""The web app's typed client is generated from a checked-in copy of the API's OpenAPI document
(web/src/api/openapi.json -> schema.d.ts). When a route or a model changes, this fails until the
copy is regenerated (`make web-api-types`), so the web build never compiles against a stale API."""

from __future__ import annotations

import json
from pathlib import Path

from shared.http.app import create_api
from shared.settings import Settings

CHECKED_IN = Path(__file__).resolve().parents[2] / "web" / "src" / "api" / "openapi.json"


def embedded_openapi_text() -> str:
    """The embedded profile's document, formatted as the checked-in copy is (sorted keys, indent 2)."""
    document = create_api(settings=Settings(profile="embedded")).openapi()
    return json.dumps(document, sort_keys=True, indent=2) + "\n"


def test_checked_in_openapi_matches_the_server() -> None:
    expected = embedded_openapi_text()
    actual = CHECKED_IN.read_text(encoding="utf-8")
    assert actual == expected, (
        "web/src/api/openapi.json differs from what the API publishes: run `make web-api-types` "
        "and commit openapi.json and schema.d.ts"
    )
