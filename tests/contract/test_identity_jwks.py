"""Tokens of a JWKS issuer (how Entra ID publishes its keys) validate with only settings
changed: the validator fetches the key set over HTTP and picks the key by ``kid``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.bootstrap import bootstrap
from shared.errors import Unauthorized
from shared.platform.identity import DevIssuer
from shared.roles import Role
from shared.settings import Settings
from tests.jwks_server import serving_jwks

ISSUER, AUDIENCE = "https://login.example.test/tenant/v2.0", "api://lms-prod"


@pytest.fixture
def issuer(tmp_path: Path) -> DevIssuer:
    return DevIssuer(tmp_path / "idp", issuer=ISSUER, audience=AUDIENCE)


@pytest.fixture
def jwks_url(issuer: DevIssuer) -> Iterator[str]:
    with serving_jwks(issuer) as url:
        yield url


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
