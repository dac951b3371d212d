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


class CountingKeys(StaticKeys):
    """The dev issuer's key, counting how often a validation asks for it."""

    def __init__(self, public_key: object) -> None:
        super().__init__(public_key)
        self.asked = 0

    def key_for(self, token: str) -> object:
        self.asked += 1
        return super().key_for(token)


def _counting_validator(issuer: DevIssuer, clock: ManualClock, **options: int) -> tuple[TokenValidator, CountingKeys]:
    keys = CountingKeys(issuer.public_key)
    return TokenValidator(issuer=ISSUER, audience=AUDIENCE, keys=keys, clock=clock, **options), keys


def test_a_validated_token_is_remembered_until_it_expires(issuer: DevIssuer, clock: ManualClock) -> None:
    validator, keys = _counting_validator(issuer, clock)
    token = issuer.issue(user_id="u1", tenant_id="acme", roles=[Role.LEARNER], ttl_seconds=60)
    assert validator.cached(token) is None
    first = validator.validate(token)
    assert validator.validate(token) == first == validator.cached(token)
    assert keys.asked == 1  # the second validation verified no signature
    clock.advance(60 + 31)  # past the expiry and its leeway
    assert validator.cached(token) is None
    with pytest.raises(Unauthorized):
        validator.validate(token)


def test_a_refused_token_is_not_remembered(issuer: DevIssuer, clock: ManualClock, tmp_path: Path) -> None:
    validator, keys = _counting_validator(issuer, clock)
    stranger = DevIssuer(tmp_path / "other", issuer=ISSUER, audience=AUDIENCE, clock=clock)
    forged = stranger.issue(user_id="u1", tenant_id="acme", roles=[Role.LEARNER])
    for _ in range(2):
        with pytest.raises(Unauthorized):
            validator.validate(forged)
    assert validator.cached(forged) is None
    assert keys.asked == 2
    future = issuer.issue(user_id="u1", tenant_id="acme", roles=[Role.LEARNER])
    clock.advance(-120)
    with pytest.raises(Unauthorized):
        validator.validate(future)
    assert validator.cached(future) is None


def test_the_token_cache_is_bounded_and_keyed_by_the_whole_token(issuer: DevIssuer, clock: ManualClock) -> None:
    validator, _ = _counting_validator(issuer, clock, cache_entries=2)
    a, b, c = (issuer.issue(user_id=u, tenant_id="acme", roles=[Role.LEARNER]) for u in ("a", "b", "c"))
    for token in (a, b, a, c):  # c evicts b, the least recently used
        validator.validate(token)
    assert validator.cached(b) is None
    assert validator.cached(a) is not None and validator.cached(c) is not None
    tampered = a[:-2] + ("AA" if not a.endswith("AA") else "BB")
    assert validator.cached(tampered) is None
    with pytest.raises(Unauthorized):
        validator.validate(tampered)
    off, _ = _counting_validator(issuer, clock, cache_entries=0)
    off.validate(a)
    assert off.cached(a) is None
