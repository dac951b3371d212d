"""An email is unique in a tenant by the store's own rule: concurrent creates with one email make one
user; an email given up (changed, erased) can be taken again; an orphaned claim is taken over."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient

from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantDocuments, system_context
from shared.roles import Role
from shared.tenancy.model import USER_EMAILS, EmailClaim, email_digest
from shared.tenancy.users import ORPHAN_CLAIM_AGE


def _create(client: TestClient, headers: dict[str, str], n: int, email: str = "same@example.com") -> int:
    body = {"email": email, "displayName": f"User {n}", "roles": ["Learner"]}
    return client.post("/api/v1/users", json=body, headers=headers).status_code


def _with_email(client: TestClient, headers: dict[str, str], email: str) -> list[str]:
    users = client.get("/api/v1/users", params={"limit": 200}, headers=headers).json()["items"]
    return [u["id"] for u in users if u["email"] == email]


def test_thirty_concurrent_creates_with_one_email_make_exactly_one_user(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    admin = tenant.as_(Role.TENANT_ADMIN)
    with ThreadPoolExecutor(max_workers=30) as pool:
        codes = list(pool.map(lambda n: _create(client, admin, n, "Race@Example.com"), range(30)))
    assert sorted(set(codes)) == [201, 409] and codes.count(201) == 1, codes
    assert len(_with_email(client, admin, "race@example.com")) == 1


def test_an_email_given_up_by_a_change_or_an_erasure_can_be_taken_again(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    admin = tenant.as_(Role.TENANT_ADMIN)
    first = client.post(
        "/api/v1/users", json={"email": "ana@example.com", "displayName": "Ana", "roles": ["Learner"]}, headers=admin
    ).json()
    assert _create(client, admin, 2, "ana@example.com") == 409
    etag = client.get(f"/api/v1/users/{first['id']}", headers=admin).headers["etag"]
    moved = client.patch(
        f"/api/v1/users/{first['id']}", json={"email": "ana.new@example.com"}, headers={**admin, "If-Match": etag}
    )
    assert moved.status_code == 200, moved.text
    assert _create(client, admin, 3, "ana.new@example.com") == 409  # the new one is held now
    assert _create(client, admin, 4, "ana@example.com") == 201  # the old one was given up
    erased = client.delete(f"/api/v1/users/{first['id']}", headers=admin)
    assert erased.status_code == 204, erased.text
    assert _create(client, admin, 5, "ana.new@example.com") == 201
    other = make_tenant()  # another tenant's users are another namespace
    assert _create(client, other.as_(Role.TENANT_ADMIN), 6, "ana@example.com") == 201


def test_a_claim_whose_user_never_appeared_is_taken_over_once_it_is_old(
    client: TestClient, platform: Platform, clock: ManualClock, make_tenant
) -> None:
    tenant = make_tenant()
    admin = tenant.as_(Role.TENANT_ADMIN)
    # What an instance that died between claiming and writing the user leaves behind.
    claims = TenantDocuments(platform.documents, USER_EMAILS, system_context(tenant.id, "test"), EmailClaim)
    claims.create(
        EmailClaim(id=email_digest(tenant.id, "lost@example.com"), userId="ghost", at=clock.now().isoformat())
    )
    assert _create(client, admin, 1, "lost@example.com") == 409  # young: its writer may still be at work
    clock.advance((ORPHAN_CLAIM_AGE + timedelta(seconds=1)).total_seconds())
    assert _create(client, admin, 2, "lost@example.com") == 201
    assert len(_with_email(client, admin, "lost@example.com")) == 1
