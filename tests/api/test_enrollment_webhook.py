"""The payment provider's webhook: signed, fresh, once per order."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from shared.roles import Role
from tests.api.test_cross_tenant_walker import snapshot
from tests.conftest import TenantHandle
from tests.factories import published_course

WEBHOOK = "/api/v1/webhooks/payments"
SECRET = "whsec-test-0123456789abcdef"


@pytest.fixture
def configured(platform: Platform) -> Platform:
    platform.secrets.set("payments-webhook-secret", SECRET)
    return platform


def signature(body: bytes, timestamp: int, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def order(tenant: TenantHandle, course_id: str, **overrides: Any) -> bytes:
    body = {
        "orderId": "ord_1001",
        "tenantId": tenant.id,
        "courseId": course_id,
        "buyerEmail": "buyer@example.com",
        "buyerName": "Bea Buyer",
        "status": "paid",
        **overrides,
    }
    return json.dumps(body).encode()


def deliver(client: TestClient, body: bytes, clock: ManualClock, *, header: str | None = None) -> Any:
    sent = header if header is not None else signature(body, int(clock.now().timestamp()))
    return client.post(
        WEBHOOK, content=body, headers={"Content-Type": "application/json", "X-Payments-Signature": sent}
    )


def test_a_paid_order_enrolls_the_buyer_as_a_new_learner(
    client: TestClient, make_tenant, configured: Platform, clock: ManualClock
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant, price={"amount": 4900, "currency": "EUR"}, selfEnrollment=False)
    response = deliver(client, order(tenant, course["id"]), clock)
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert receipt["duplicate"] is False
    assert (receipt["enrollment"]["courseId"], receipt["enrollment"]["source"]) == (course["id"], "purchase")
    buyer = client.get(f"/api/v1/users/{receipt['enrollment']['userId']}", headers=tenant.as_(Role.TENANT_ADMIN))
    assert (buyer.json()["email"], buyer.json()["roles"]) == ("buyer@example.com", ["Learner"])


def test_a_replayed_order_is_acknowledged_and_changes_nothing(
    client: TestClient, make_tenant, configured: Platform, clock: ManualClock
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    body = order(tenant, course["id"])
    assert deliver(client, body, clock).json()["duplicate"] is False
    before = snapshot(configured)
    clock.advance(60)
    replay = deliver(client, body, clock)
    assert (replay.status_code, replay.json()["duplicate"]) == (200, True)
    assert snapshot(configured) == before


def test_a_second_order_of_an_enrolled_buyer_keeps_the_one_enrollment(
    client: TestClient, make_tenant, configured: Platform, clock: ManualClock
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    first = deliver(client, order(tenant, course["id"]), clock).json()
    second = deliver(client, order(tenant, course["id"], orderId="ord_1002"), clock).json()
    assert second["duplicate"] is False
    assert second["enrollment"] == first["enrollment"]


@pytest.mark.parametrize(
    "forge",
    [
        lambda body, t: signature(body, t, secret="someone-elses-secret"),
        lambda body, t: signature(body + b" ", t),
        lambda body, t: signature(body, t).replace(f"t={t}", f"t={t + 1}"),
        lambda body, t: "",
        lambda body, t: "v1=" + "0" * 64,
        lambda body, t: f"t={t},v1=not-hex",
    ],
    ids=["wrong secret", "other body", "other timestamp", "empty", "no timestamp", "malformed"],
)
def test_a_bad_signature_is_refused_with_401_and_nothing_is_written(
    client: TestClient, make_tenant, configured: Platform, clock: ManualClock, forge: Any
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    body = order(tenant, course["id"])
    before = snapshot(configured)
    response = deliver(client, body, clock, header=forge(body, int(clock.now().timestamp())))
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert snapshot(configured) == before


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_signature_more_than_five_minutes_off_is_refused(
    client: TestClient, make_tenant, configured: Platform, clock: ManualClock, skew: int
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    body = order(tenant, course["id"])
    header = signature(body, int(clock.now().timestamp()) + skew)
    before = snapshot(configured)
    assert deliver(client, body, clock, header=header).status_code == 401
    assert snapshot(configured) == before
    clock.advance(skew)  # the same signature, now fresh, is accepted
    assert deliver(client, body, clock, header=header).status_code == 200


def test_without_a_configured_secret_the_webhook_answers_503(
    client: TestClient, make_tenant, platform: Platform, clock: ManualClock
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    response = deliver(client, order(tenant, course["id"]), clock)
    assert response.status_code == 503
    assert response.json()["type"] == "/problems/unavailable"


def test_unknown_tenants_and_courses_answer_the_same_404(
    client: TestClient, make_tenant, configured: Platform, clock: ManualClock
) -> None:
    tenant, other = make_tenant(), make_tenant()
    course_of_other = published_course(client, other)
    before = snapshot(configured)
    unknown_tenant = deliver(client, order(tenant, "x", tenantId="no-such-tenant"), clock)
    foreign_course = deliver(client, order(tenant, course_of_other["id"]), clock)
    assert (unknown_tenant.status_code, foreign_course.status_code) == (404, 404)
    assert unknown_tenant.json()["detail"] == foreign_course.json()["detail"]
    assert snapshot(configured) == before


def test_orders_that_are_not_paid_are_acknowledged_and_ignored(
    client: TestClient, make_tenant, configured: Platform, clock: ManualClock
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    before = snapshot(configured)
    response = deliver(client, order(tenant, course["id"], status="pending"), clock)
    assert (response.status_code, response.json()["ignored"]) == (200, True)
    assert snapshot(configured) == before


def test_a_signed_body_that_is_not_an_order_is_refused_with_422(
    client: TestClient, make_tenant, configured: Platform, clock: ManualClock
) -> None:
    assert deliver(client, b"{not json", clock).status_code == 422
    assert deliver(client, json.dumps({"orderId": "x"}).encode(), clock).status_code == 422
