"""Tokens of a JWKS issuer (how Entra ID publishes its keys) validate with only settings
changed: the validator fetches the key set over HTTP and picks the key by ``kid``."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from jwt.algorithms import RSAAlgorithm

from shared.bootstrap import bootstrap
from shared.errors import Unauthorized
from shared.platform.identity import DevIssuer
from shared.roles import Role
from shared.settings import Settings

ISSUER, AUDIENCE = "https://login.example.test/tenant/v2.0", "api://lms-prod"


@pytest.fixture
def issuer(tmp_path: Path) -> DevIssuer:
    return DevIssuer(tmp_path / "idp", issuer=ISSUER, audience=AUDIENCE)


@pytest.fixture
def jwks_url(issuer: DevIssuer) -> Iterator[str]:
    jwk = {**RSAAlgorithm.to_jwk(issuer.public_key, as_dict=True), "kid": "dev", "use": "sig", "alg": "RS256"}
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/discovery/v2.0/keys"
    server.shutdown()
    server.server_close()


def test_a_jwks_issuer_is_one_setting_away(tmp_path: Path, issuer: DevIssuer, jwks_url: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", auth_issuer=ISSUER, auth_audience=AUDIENCE, auth_jwks_url=jwks_url)
    validator = bootstrap(settings).tokens
    principal = validator.validate(issuer.issue(user_id="oid-1", tenant_id="acme", roles=[Role.INSTRUCTOR]))
    assert (principal.user_id, principal.tenant_id, principal.roles) == ("oid-1", "acme", {Role.INSTRUCTOR})


def test_a_token_signed_by_a_key_outside_the_jwks_is_refused(tmp_path: Path, jwks_url: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", auth_issuer=ISSUER, auth_audience=AUDIENCE, auth_jwks_url=jwks_url)
    stranger = DevIssuer(tmp_path / "stranger", issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(Unauthorized):
        bootstrap(settings).tokens.validate(stranger.issue(user_id="x", tenant_id="acme", roles=[Role.LEARNER]))
