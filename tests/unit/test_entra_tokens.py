"""Tokens shaped exactly as Entra ID issues them: a v1 access token (iss sts.windows.net, aud the App
ID URI) and a v2 one (iss login.microsoftonline.com/<tid>/v2.0, aud the client id), with app roles in
`roles`, the user in `oid` (its `sub` differs per application) and no tenant claim, the platform tenant
coming from the directory (`tid`) mapping or from a configured claim."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.errors import Unauthorized
from shared.platform.clock import ManualClock
from shared.platform.identity import StaticKeys, TokenValidator
from shared.roles import Role

TID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT_ID = "6e74172b-be56-4843-9ff4-e66a39bb12e3"
APP_ID_URI = "api://lms-prod"
V1_ISSUER = f"https://sts.windows.net/{TID}/"
V2_ISSUER = f"https://login.microsoftonline.com/{TID}/v2.0"
OID = "00000000-0000-0000-66f3-3332eca7ea81"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def entra_token(key: rsa.RSAPrivateKey, version: str, **overrides: Any) -> str:
    """Claims as Entra ID puts them in an access token for an API with app roles."""
    iat = int(NOW.timestamp()) - 60
    common = {
        "iat": iat,
        "nbf": iat,
        "exp": iat + 3600,
        "oid": OID,
        "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",  # pairwise: another per application
        "tid": TID,
        "roles": ["Instructor"],
        "ver": version,
        "aio": "E2ZgYJg4v7d...",
        "uti": "fqiBqXLPj0eQa82S-IYFAA",
    }
    if version == "1.0":
        claims = {**common, "iss": V1_ISSUER, "aud": APP_ID_URI, "appid": CLIENT_ID, "unique_name": "ian@x.org"}
    else:
        claims = {**common, "iss": V2_ISSUER, "aud": CLIENT_ID, "azp": CLIENT_ID, "preferred_username": "ian@x.org"}
    return jwt.encode({**claims, **overrides}, key, algorithm="RS256", headers={"kid": "nOo3ZDrODXEK1jKWhXslHR_KXEg"})


def validator(key: rsa.RSAPrivateKey, **options: Any) -> TokenValidator:
    settings: dict[str, Any] = {
        "issuer": V2_ISSUER,
        "audience": APP_ID_URI,
        "keys": StaticKeys(key.public_key()),
        "clock": ManualClock(NOW),
        "extra_issuers": (V1_ISSUER,),
        "extra_audiences": (CLIENT_ID,),
        "user_claim": "oid",
        "tenant_directories": {TID: "contoso"},
    }
    return TokenValidator(**{**settings, **options})


@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_v1_and_v2_access_tokens_name_the_user_by_oid_and_the_tenant_by_directory(
    key: rsa.RSAPrivateKey, version: str
) -> None:
    principal = validator(key).validate(entra_token(key, version))
    assert (principal.user_id, principal.tenant_id, principal.roles) == (OID, "contoso", {Role.INSTRUCTOR})


def test_a_configured_tenant_claim_wins_over_the_directory(key: rsa.RSAPrivateKey) -> None:
    token = entra_token(key, "2.0", extension_lmsTenant="fabrikam")
    principal = validator(key, tenant_claim="extension_lmsTenant").validate(token)
    assert principal.tenant_id == "fabrikam"


def test_an_unmapped_directory_a_foreign_issuer_or_an_unaccepted_audience_is_refused(key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(Unauthorized, match="no tenant"):
        validator(key, tenant_directories={}).validate(entra_token(key, "2.0"))
    other = "https://login.microsoftonline.com/11111111-1111-1111-1111-111111111111/v2.0"
    with pytest.raises(Unauthorized):
        validator(key).validate(entra_token(key, "2.0", iss=other))
    with pytest.raises(Unauthorized):
        validator(key, extra_issuers=()).validate(entra_token(key, "1.0"))  # v1 without its issuer configured
    with pytest.raises(Unauthorized):
        validator(key, extra_audiences=()).validate(entra_token(key, "2.0"))  # the client id not accepted


def test_without_the_oid_mapping_the_pairwise_sub_would_name_the_user(key: rsa.RSAPrivateKey, tmp_path: Path) -> None:
    principal = validator(key, user_claim="sub").validate(entra_token(key, "2.0"))
    assert principal.user_id.startswith("AAAA")  # why Azure sets LMS_AUTH_USER_CLAIM=oid
