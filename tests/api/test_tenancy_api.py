"""Tenants, branding, flags, the caller and users, through the HTTP API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from shared.roles import Role
from tests.conftest import Tokens, unique_tenant_id


def test_a_super_admin_creates_a_tenant_with_its_first_admin(client: TestClient, tokens: Tokens) -> None:
    tenant_id = unique_tenant_id()
    body = {
        "id": tenant_id,
        "name": "Acme Learning",
        "branding": {"primaryColor": "#112233", "logoUrl": "https://cdn.acme.example/logo.png"},
        "flags": {"leaderboards": False},
        "admin": {"id": "boss", "email": "Boss@Acme.example.com", "displayName": "The Boss"},
    }
    created = client.post("/api/v1/tenants", json=body, headers=tokens.super_admin())
    assert created.status_code == 201
    assert created.json()["flags"]["leaderboards"] is False
    assert created.json()["flags"]["self_enrollment"] is True

    me = client.get("/api/v1/me", headers=tokens(tenant_id, "boss", Role.LEARNER)).json()
    assert me["roles"] == ["TenantAdmin"]  # the tenant's assignment wins over the token's claim
    assert me["email"] == "boss@acme.example.com"


def test_creating_a_tenant_twice_is_a_conflict(client: TestClient, tokens: Tokens) -> None:
    body = {"id": unique_tenant_id(), "name": "Twice"}
    assert client.post("/api/v1/tenants", json=body, headers=tokens.super_admin()).status_code == 201
    again = client.post("/api/v1/tenants", json=body, headers=tokens.super_admin())
    assert again.status_code == 409
    assert again.json()["type"] == "/problems/conflict"


def test_super_admins_page_through_every_tenant(client: TestClient, tokens: Tokens, make_tenant) -> None:
    made = {make_tenant().id for _ in range(5)}
    seen: list[str] = []
    continuation = None
    while True:
        params = {"limit": 2, **({"continuation": continuation} if continuation else {})}
        page = client.get("/api/v1/tenants", params=params, headers=tokens.super_admin()).json()
        seen += [t["id"] for t in page["items"]]
        continuation = page["continuation"]
        if not continuation:
            break
    assert made <= set(seen)
    assert len(seen) == len(set(seen))


def test_members_read_their_tenant_with_an_etag_and_get_304_when_unchanged(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    first = client.get("/api/v1/tenant", headers=tenant.as_(Role.LEARNER))
    assert first.status_code == 200 and first.json()["id"] == tenant.id
    again = client.get("/api/v1/tenant", headers={**tenant.as_(Role.LEARNER), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_an_admin_changes_branding_and_flags_and_it_is_audited(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    admin = tenant.as_(Role.TENANT_ADMIN)
    patch = {"branding": {"accentColor": "#abcdef"}, "flags": {"ai_question_drafts": True}, "reason": "pilot"}
    changed = client.patch("/api/v1/tenant", json=patch, headers=admin)
    assert changed.status_code == 200
    assert changed.json()["branding"]["accentColor"] == "#abcdef"
    assert changed.json()["branding"]["primaryColor"] == "#1f4e79"  # untouched fields stay
    assert changed.json()["flags"]["ai_question_drafts"] is True
    entries = client.get("/api/v1/audit", params={"action": "tenant.settings_changed"}, headers=admin).json()
    assert entries["items"][0]["reason"] == "pilot"
    assert entries["items"][0]["after"]["flags"] == {"ai_question_drafts": True}


def test_a_stale_if_match_is_refused_with_412_and_changes_nothing(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    admin = tenant.as_(Role.TENANT_ADMIN)
    etag = client.get("/api/v1/tenant", headers=admin).headers["ETag"]
    assert (
        client.patch("/api/v1/tenant", json={"name": "First"}, headers={**admin, "If-Match": etag}).status_code == 200
    )
    stale = client.patch("/api/v1/tenant", json={"name": "Second"}, headers={**admin, "If-Match": etag})
    assert stale.status_code == 412
    assert client.get("/api/v1/tenant", headers=admin).json()["name"] == "First"


def test_k12_tenants_never_get_trackers_leaderboards_or_analytics_exports(client: TestClient, make_tenant) -> None:
    tenant = make_tenant(k12=True, trackers=["plausible"], flags={"leaderboards": True})
    view = client.get("/api/v1/tenant", headers=tenant.as_(Role.LEARNER)).json()
    assert view["flags"]["leaderboards"] is False
    assert view["flags"]["third_party_trackers"] is False
    assert view["flags"]["analytics_export"] is False
    assert client.get(f"/api/v1/tenants/{tenant.id}/branding").json()["allowedTrackers"] == []


def test_public_branding_needs_no_token_and_may_be_cached(client: TestClient, make_tenant) -> None:
    tenant = make_tenant(trackers=["plausible"], branding={"displayName": "Acme", "primaryColor": "#000000"})
    response = client.get(f"/api/v1/tenants/{tenant.id}/branding")
    assert response.status_code == 200
    assert response.json()["displayName"] == "Acme"
    assert response.json()["allowedTrackers"] == ["plausible"]
    assert "public" in response.headers["Cache-Control"]


def test_branding_of_an_unknown_tenant_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/tenants/no-such-tenant/branding")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_me_of_a_super_admin_has_no_tenant(client: TestClient, tokens: Tokens) -> None:
    me = client.get("/api/v1/me", headers=tokens.super_admin()).json()
    assert me == {
        "userId": "operator",
        "tenantId": None,
        "roles": ["SuperAdmin"],
        "displayName": None,
        "email": None,
        "registered": False,
    }


def test_an_admin_creates_lists_and_reads_users(client: TestClient, make_tenant, make_user) -> None:
    tenant = make_tenant()
    alice = make_user(tenant, displayName="Alice", roles=["Instructor", "Learner"])
    make_user(tenant, displayName="Bob")
    support = tenant.as_(Role.SUPPORT_READONLY)
    instructors = client.get("/api/v1/users", params={"role": "Instructor"}, headers=support).json()
    assert [u["displayName"] for u in instructors["items"]] == ["Alice"]
    read = client.get(f"/api/v1/users/{alice['id']}", headers=support)
    assert read.json()["roles"] == ["Instructor", "Learner"]


def test_two_users_of_a_tenant_cannot_share_an_email(client: TestClient, make_tenant, make_user) -> None:
    tenant = make_tenant()
    make_user(tenant, email="same@example.com")
    clash = client.post(
        "/api/v1/users",
        json={"email": "SAME@example.com", "displayName": "Other"},
        headers=tenant.as_(Role.TENANT_ADMIN),
    )
    assert clash.status_code == 409


def test_changing_roles_takes_effect_at_once_and_is_audited(client: TestClient, make_tenant, make_user) -> None:
    tenant = make_tenant()
    user = make_user(tenant, id="carol", roles=["Learner"])
    admin = tenant.as_(Role.TENANT_ADMIN)
    carol = tenant.tokens(tenant.id, "carol", Role.LEARNER)
    assert client.get("/api/v1/users", headers=carol).status_code == 403
    changed = client.patch(
        f"/api/v1/users/{user['id']}", json={"roles": ["TenantAdmin"], "reason": "promotion"}, headers=admin
    )
    assert changed.status_code == 200
    assert client.get("/api/v1/users", headers=carol).status_code == 200
    audit = client.get("/api/v1/audit", params={"subjectId": "carol"}, headers=admin).json()["items"]
    latest = audit[0]
    assert (latest["action"], latest["before"], latest["after"], latest["reason"]) == (
        "user.roles_changed",
        {"roles": ["Learner"]},
        {"roles": ["TenantAdmin"]},
        "promotion",
    )
    assert latest["actorId"] == "tenantadmin-1"


def test_a_disabled_user_is_refused_everywhere(client: TestClient, make_tenant, make_user) -> None:
    tenant = make_tenant()
    make_user(tenant, id="dave")
    client.patch("/api/v1/users/dave", json={"status": "disabled"}, headers=tenant.as_(Role.TENANT_ADMIN))
    assert client.get("/api/v1/me", headers=tenant.tokens(tenant.id, "dave", Role.LEARNER)).status_code == 403


def test_the_last_active_admin_cannot_be_demoted(client: TestClient, make_tenant, make_user) -> None:
    tenant = make_tenant()
    make_user(tenant, id="erin", roles=["TenantAdmin"])
    demote = client.patch(
        "/api/v1/users/erin",
        json={"roles": ["Learner"]},
        headers=tenant.tokens(tenant.id, "erin", Role.TENANT_ADMIN),
    )
    assert demote.status_code == 409
    make_user(tenant, id="frank", roles=["TenantAdmin"])
    assert (
        client.patch(
            "/api/v1/users/erin", json={"roles": ["Learner"]}, headers=tenant.as_(Role.TENANT_ADMIN)
        ).status_code
        == 200
    )


def test_support_can_read_but_not_change_users(client: TestClient, make_tenant, make_user) -> None:
    tenant = make_tenant()
    user = make_user(tenant)
    support = tenant.as_(Role.SUPPORT_READONLY)
    assert client.get(f"/api/v1/users/{user['id']}", headers=support).status_code == 200
    assert client.patch(f"/api/v1/users/{user['id']}", json={"displayName": "X"}, headers=support).status_code == 403
