"""K-12 tenants: whatever their flags say, no third-party trackers, analytics exports or leaderboards,
and the public branding tells the front end which trackers it may load (none)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from shared.roles import Role

K12_OFF = ("analytics_export", "leaderboards", "third_party_trackers")


def test_a_tenant_that_becomes_k12_loses_its_trackers_at_once_whatever_it_asks_for(
    client: TestClient, make_tenant
) -> None:
    tenant = make_tenant(trackers=["plausible", "hotjar"])
    branding = f"/api/v1/tenants/{tenant.id}/branding"
    assert client.get(branding).json()["allowedTrackers"] == ["hotjar", "plausible"]
    admin = tenant.as_(Role.TENANT_ADMIN)
    body = {"k12": True, "flags": dict.fromkeys(K12_OFF, True), "reason": "now serving schools"}
    changed = client.patch("/api/v1/tenant", json=body, headers=admin)
    assert changed.status_code == 200, changed.text
    assert all(changed.json()["flags"][flag] is False for flag in K12_OFF)
    assert changed.json()["flags"]["certificates"] is True  # other features are untouched
    assert client.get(branding).json()["allowedTrackers"] == []  # the cached branding was dropped


def test_a_k12_tenant_keeps_its_tracker_list_for_when_it_stops_being_k12(client: TestClient, make_tenant) -> None:
    tenant = make_tenant(k12=True, trackers=["plausible"])
    branding = f"/api/v1/tenants/{tenant.id}/branding"
    assert client.get(branding).json()["allowedTrackers"] == []
    admin = tenant.as_(Role.TENANT_ADMIN)
    assert client.patch("/api/v1/tenant", json={"k12": False}, headers=admin).status_code == 200
    assert client.get(branding).json()["allowedTrackers"] == ["plausible"]


def test_a_tenant_with_trackers_turned_off_lists_none(client: TestClient, make_tenant) -> None:
    tenant = make_tenant(trackers=["plausible"], flags={"third_party_trackers": False})
    assert client.get(f"/api/v1/tenants/{tenant.id}/branding").json()["allowedTrackers"] == []
