"""Token validation: signature, issuer, audience, expiry, claims."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import jwt
import pytest

from shared.errors import Unauthorized
from shared.platform.clock import ManualClock
from shared.platform.identity import DevIssuer, StaticKeys, TokenValidator
from shared.roles import Role

ISSUER, AUDIENCE = "https://issuer.test", "api://lms-test"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 5, 1, tzinfo=UTC))


@pytest.fixture
def issuer(tmp_path: Path, clock: ManualClock) -> DevIssuer:
    return DevIssuer(tmp_path, issuer=ISSUER, audience=AUDIENCE, clock=clock)


@pytest.fixture
def validator(issuer: DevIssuer, clock: ManualClock) -> TokenValidator:
    return TokenValidator(issuer=ISSUER, audience=AUDIENCE, keys=StaticKeys(issuer.public_key), clock=clock)


def test_a_valid_token_names_the_user_tenant_and_roles(issuer: DevIssuer, validator: TokenValidator) -> None:
    token = issuer.issue(user_id="u1", tenant_id="acme", roles=[Role.INSTRUCTOR, "NotARole"])
    principal = validator.validate(token)
    assert (principal.user_id, principal.tenant_id, principal.roles) == ("u1", "acme", {Role.INSTRUCTOR})


def test_an_expired_token_is_refused_after_the_leeway(
    issuer: DevIssuer, validator: TokenValidator, clock: ManualClock
) -> None:
    token = issuer.issue(user_id="u1", tenant_id="acme", roles=[Role.LEARNER], ttl_seconds=60)
    clock.advance(60 + 29)
    validator.validate(token)
    clock.advance(2)
    with pytest.raises(Unauthorized):
        validator.validate(token)


def test_a_token_from_the_future_is_refused(issuer: DevIssuer, validator: TokenValidator, clock: ManualClock) -> None:
    token = issuer.issue(user_id="u1", tenant_id="acme", roles=[Role.LEARNER])
    clock.advance(-120)
    with pytest.raises(Unauthorized):
        validator.validate(token)


def test_wrong_audience_issuer_or_key_is_refused(tmp_path: Path, clock: ManualClock, validator: TokenValidator) -> None:
    other_audience = DevIssuer(tmp_path / "a", issuer=ISSUER, audience="api://other", clock=clock)
    wrong_issuer = DevIssuer(tmp_path / "b", issuer="https://evil.test", audience=AUDIENCE, clock=clock)
    for issuer in (other_audience, wrong_issuer):
        with pytest.raises(Unauthorized):
            validator.validate(issuer.issue(user_id="u", tenant_id="acme", roles=[Role.TENANT_ADMIN]))


def test_an_unsigned_or_hs256_token_is_refused(validator: TokenValidator, issuer: DevIssuer) -> None:
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u", "iat": 1, "exp": 9_999_999_999, "tenant": "acme"}
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    with pytest.raises(Unauthorized):
        validator.validate(unsigned)
    hs = jwt.encode(claims, "shared-secret-long-enough-for-hmac-256-ok", algorithm="HS256")
    with pytest.raises(Unauthorized):
        validator.validate(hs)


def test_a_tenant_role_token_without_a_tenant_is_refused(issuer: DevIssuer, validator: TokenValidator) -> None:
    with pytest.raises(Unauthorized):
        validator.validate(issuer.issue(user_id="u", tenant_id=None, roles=[Role.TENANT_ADMIN]))
    assert validator.validate(issuer.issue(user_id="op", tenant_id=None, roles=[Role.SUPER_ADMIN])).tenant_id is None


def test_the_dev_issuer_keeps_its_key_across_restarts_and_outside_others_reach(tmp_path: Path) -> None:
    first = DevIssuer(tmp_path, issuer=ISSUER, audience=AUDIENCE)
    second = DevIssuer(tmp_path, issuer=ISSUER, audience=AUDIENCE)
    assert first.public_key.public_numbers() == second.public_key.public_numbers()
    assert (tmp_path / DevIssuer.KEY_FILE).stat().st_mode & 0o077 == 0


def test_a_huge_token_is_refused_without_parsing(validator: TokenValidator) -> None:
    with pytest.raises(Unauthorized):
        validator.validate("a" * 100_000)
