"""The web app's typed client is generated from a checked-in copy of the API's OpenAPI document
(web/src/api/openapi.json -> schema.d.ts). When a route or a model changes, this fails until the
copy is regenerated (`make web-api-types`), so the web build never compiles against a stale API.
(`npm run check:api`, in `make web-check`, checks that schema.d.ts is what openapi.json generates.)"""

from __future__ import annotations

from pathlib import Path

from shared.cli import openapi_json

CHECKED_IN = Path(__file__).resolve().parents[2] / "web" / "src" / "api" / "openapi.json"


def test_checked_in_openapi_matches_the_server() -> None:
    assert CHECKED_IN.read_text(encoding="utf-8") == openapi_json(), (
        "web/src/api/openapi.json differs from what the API publishes: run `make web-api-types` "
        "and commit web/src/api/openapi.json and web/src/api/schema.d.ts"
    )
