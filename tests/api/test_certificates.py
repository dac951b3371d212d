"""Certificates: one per completion however it is delivered, a real PDF behind a short-lived URL,
public verification by an unguessable code, a signed credential checkable offline, revocation."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import secrets
import threading
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from shared.credentials.handlers import on_certificate_message, on_course_completed
from shared.credentials.model import CERTIFICATE_BLOBS, CERTIFICATE_CODES, CERTIFICATES, CODE_PARTITION
from shared.learning.events import COURSE_COMPLETED
from shared.platform.bus import DEAD_LETTER_SUFFIX, OutgoingMessage
from shared.platform.documents import Document, DocumentStore, Filter, Query
from shared.platform.runtime import Platform
from shared.platform.topology import CERTIFICATES_QUEUE
from shared.roles import Role
from shared.worker import BusConsumer, LocalWorker
from tests.conftest import TenantHandle
from tests.factories import enroll, issued_certificate, published_course

HOLDER = "Léa Martin-Ørsted"
COURSE_TITLE = "Tides and Coastal Engineering"


def completion(platform: Platform, tenant: TenantHandle, course_id: str, user: str) -> dict[str, Any]:
    return {
        "id": f"{COURSE_COMPLETED}.{tenant.id}.{course_id}.{user}.1",
        "type": COURSE_COMPLETED,
        "at": platform.clock.now().isoformat(),
        "seq": 3,
        "tenantId": tenant.id,
        "userId": user,
        "courseId": course_id,
        "version": 1,
        "manual": False,
    }


def enrolled_holder(client: TestClient, tenant: TenantHandle, make_user: Any, user: str = "lea") -> str:
    """A registered learner enrolled in a new published course; the course id."""
    make_user(tenant, id=user, displayName=HOLDER, email=f"{user}@example.com")
    course = published_course(client, tenant, title=COURSE_TITLE)["id"]
    enroll(client, tenant, course, user)
    return str(course)


def certificates_of(platform: Platform, tenant_id: str) -> list[Document]:
    query = Query(filters=(Filter("tenantId", "eq", tenant_id),))
    return platform.documents.query(CERTIFICATES, query, partition_key=tenant_id).items


def code_entries_of(platform: Platform, tenant_id: str) -> list[Document]:
    # The code never queries the index by tenant (it reads codes by digest), so its container indexes no
    # such field: the test reads the platform partition (these tests hold a handful of codes) and picks.
    entries = platform.documents.query(CERTIFICATE_CODES, Query(limit=1000), partition_key=CODE_PARTITION).items
    return [entry for entry in entries if entry.get("certificateTenantId") == tenant_id]


def pdfs_of(platform: Platform, tenant_id: str) -> list[str]:
    return [blob.name for blob in platform.blobs.list(CERTIFICATE_BLOBS, f"{tenant_id}/")]


def notification_kinds(client: TestClient, tenant: TenantHandle, user: str) -> list[str]:
    response = client.get("/api/v1/me/notifications", headers=tenant.as_(Role.LEARNER, user))
    assert response.status_code == 200, response.text
    return [n["kind"] for n in response.json()["items"]]


def pdf_text(client: TestClient, tenant: TenantHandle, certificate_id: str, headers: dict[str, str]) -> str:
    """The text of the PDF reached by following the certificate's redirect to its signed URL."""
    redirect = client.get(f"/api/v1/certificates/{certificate_id}/pdf", headers=headers, follow_redirects=False)
    assert redirect.status_code == 302, redirect.text
    assert redirect.headers["cache-control"] == "no-store"
    download = client.get(redirect.headers["location"])
    assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(download.content))
    assert len(reader.pages) == 1
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    assert fonts and all("/FontFile2" in f["/FontDescriptor"].get_object() for f in fonts), "every font is embedded"
    return str(reader.pages[0].extract_text())


def test_a_completion_delivered_five_times_issues_one_certificate_one_pdf_and_one_notification(
    client: TestClient, make_tenant, make_user, platform: Platform
) -> None:
    tenant = make_tenant()
    course = enrolled_holder(client, tenant, make_user)
    event = completion(platform, tenant, course, "lea")
    for n in range(5):  # republished: each copy under a new message id, so the bus cannot drop it
        platform.bus.send(CERTIFICATES_QUEUE, [OutgoingMessage.of_json(event, message_id=f"{event['id']}#{n}")])
    consumer = BusConsumer("credentials-certificates", CERTIFICATES_QUEUE, on_certificate_message)
    assert LocalWorker(platform, [consumer]).run_until_idle() == 5
    (certificate,) = certificates_of(platform, tenant.id)
    assert pdfs_of(platform, tenant.id) == [f"{tenant.id}/{certificate['id']}.pdf"]
    assert [e["certificateId"] for e in code_entries_of(platform, tenant.id)] == [certificate["id"]]
    assert notification_kinds(client, tenant, "lea") == ["certificate_ready"]


class MeetAtCreate:
    """A document store whose certificate ``create`` waits until every racer got there, so two
    deliveries handled at once really do both try to issue."""

    def __init__(self, inner: DocumentStore, racers: int) -> None:
        self._inner = inner
        self._barrier = threading.Barrier(racers, timeout=20)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def create(self, container: str, partition_key: str, doc: Document) -> Document:
        if container == CERTIFICATES:
            self._barrier.wait()
        return self._inner.create(container, partition_key, doc)


def test_two_consumers_handling_the_same_completion_at_once_issue_one_certificate(
    client: TestClient, make_tenant, make_user, platform: Platform
) -> None:
    tenant = make_tenant()
    course = enrolled_holder(client, tenant, make_user)
    event = completion(platform, tenant, course, "lea")
    racing = dataclasses.replace(platform, documents=MeetAtCreate(platform.documents, racers=2))
    failures: list[BaseException] = []

    def consume() -> None:
        try:
            on_course_completed(racing, event)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=consume) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    (certificate,) = certificates_of(platform, tenant.id)
    assert len(pdfs_of(platform, tenant.id)) == 1 and len(code_entries_of(platform, tenant.id)) == 1
    assert notification_kinds(client, tenant, "lea") == ["certificate_ready"]
    # The one PDF shows the code of the one stored certificate, whichever racer rendered it.
    assert certificate["code"] in pdf_text(client, tenant, certificate["id"], tenant.as_(Role.LEARNER, "lea"))


def test_the_pdf_opens_and_shows_the_holder_the_course_and_the_verification_code(
    client: TestClient, make_tenant, make_user
) -> None:
    tenant = make_tenant(name="Harbour Academy", branding={"displayName": "Harbour Academy of the Sea"})
    make_user(tenant, id="lea", displayName=HOLDER, email="lea@example.com")
    certificate = issued_certificate(client, tenant, "lea", title=COURSE_TITLE)
    text = pdf_text(client, tenant, certificate["id"], tenant.as_(Role.LEARNER, "lea"))
    issuer = "Harbour Academy of the Sea"
    for shown in (HOLDER, COURSE_TITLE, certificate["verificationCode"], certificate["id"], issuer):
        assert shown in text
    # The QR code opens the web app's public verification page, which reads GET /api/v1/verify/{code}.
    assert certificate["verificationUrl"] == f"http://127.0.0.1:7071/verify/{certificate['verificationCode']}"


def test_verification_shows_a_valid_certificate_then_its_revocation_at_once(
    client: TestClient, make_tenant, make_user
) -> None:
    tenant = make_tenant(name="Harbour Academy")
    make_user(tenant, id="lea", displayName=HOLDER, email="lea@example.com")
    certificate = issued_certificate(client, tenant, "lea", title=COURSE_TITLE)
    url = f"/api/v1/verify/{certificate['verificationCode']}"
    valid = client.get(url)  # no token: verification is public
    assert valid.status_code == 200 and valid.headers["cache-control"] == "no-store"
    shown = valid.json()
    assert (shown["status"], shown["holderName"], shown["courseTitle"], shown["issuer"]) == (
        "valid",
        HOLDER,
        COURSE_TITLE,
        "Harbour Academy",
    )
    assert shown["completedAt"] == certificate["completedAt"] and shown["revokedAt"] is None

    revoke = f"/api/v1/certificates/{certificate['id']}/revoke"
    body = {"reason": "Academic misconduct"}
    assert client.post(revoke, json=body, headers=tenant.as_(Role.TENANT_ADMIN)).status_code == 200
    revoked = client.get(url).json()
    assert (revoked["status"], revoked["revocationReason"]) == ("revoked", "Academic misconduct")
    assert revoked["revokedAt"] is not None
    again = client.post(revoke, json=body, headers=tenant.as_(Role.TENANT_ADMIN))
    assert again.status_code == 409
    audit = client.get("/api/v1/audit?action=certificate.revoked", headers=tenant.as_(Role.TENANT_ADMIN)).json()
    assert [(e["subjectId"], e["reason"]) for e in audit["items"]] == [(certificate["id"], "Academic misconduct")]


def test_revocation_needs_a_reason(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    certificate = issued_certificate(client, tenant, "lea")
    url = f"/api/v1/certificates/{certificate['id']}/revoke"
    for body in ({}, {"reason": "   "}):
        assert client.post(url, json=body, headers=tenant.as_(Role.TENANT_ADMIN)).status_code == 422
    assert client.get(f"/api/v1/verify/{certificate['verificationCode']}").json()["status"] == "valid"


def test_wrong_and_malformed_codes_get_the_same_404_as_each_other(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    code = issued_certificate(client, tenant, "lea")["verificationCode"]
    altered = code[:-1] + ("A" if code[-1] != "A" else "B")
    attempts = [secrets.token_urlsafe(24), altered, "not a code!", "a/b/../c", "%00", "x" * 3000, code.upper()]
    headers = {"X-Correlation-Id": "same-for-all"}
    answers = [client.get(f"/api/v1/verify/{attempt}", headers=headers) for attempt in attempts]
    assert {a.status_code for a in answers} == {404}
    assert {a.content for a in answers} == {answers[0].content}, "every refusal is byte for byte the same"
    assert answers[0].headers["content-type"].startswith("application/problem+json")
    assert code not in answers[0].text and tenant.id not in answers[0].text


def _tampered(token: str, **changes: Any) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_the_signed_credential_verifies_offline_with_the_published_key_and_not_when_tampered(
    client: TestClient, make_tenant, make_user
) -> None:
    tenant = make_tenant(name="Harbour Academy")
    make_user(tenant, id="lea", displayName=HOLDER, email="lea@example.com")
    certificate = issued_certificate(client, tenant, "lea", title=COURSE_TITLE)
    jwks = client.get("/api/v1/.well-known/jwks.json")
    assert jwks.status_code == 200
    credential = client.get(f"/api/v1/verify/{certificate['verificationCode']}").json()["credential"]
    assert credential == certificate["credential"]
    kid = jwt.get_unverified_header(credential)["kid"]
    (jwk,) = [k for k in jwks.json()["keys"] if k["kid"] == kid]
    key = jwt.PyJWK(jwk).key
    claims = jwt.decode(credential, key, algorithms=["EdDSA"])
    assert claims["holder"]["name"] == HOLDER and claims["course"]["title"] == COURSE_TITLE
    assert (claims["jti"], claims["code"], claims["issuer"]["name"]) == (
        certificate["id"],
        certificate["verificationCode"],
        "Harbour Academy",
    )
    assert claims["completedAt"] == certificate["completedAt"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(_tampered(credential, holder={"name": "Mallory"}), key, algorithms=["EdDSA"])


def test_only_the_holder_and_the_tenants_admins_and_support_get_the_pdf(
    client: TestClient, make_tenant, make_user
) -> None:
    a, b = make_tenant(), make_tenant()
    certificate = issued_certificate(client, a, "lea")
    url = f"/api/v1/certificates/{certificate['id']}/pdf"
    allowed = [a.as_(Role.LEARNER, "lea"), a.as_(Role.TENANT_ADMIN), a.as_(Role.SUPPORT_READONLY)]
    for headers in allowed:
        assert client.get(url, headers=headers, follow_redirects=False).status_code == 302
    refused = [a.as_(Role.LEARNER, "max"), a.as_(Role.INSTRUCTOR), b.as_(Role.TENANT_ADMIN), b.as_(Role.LEARNER, "lea")]
    for headers in refused:
        assert client.get(url, headers=headers, follow_redirects=False).status_code == 404
    revoke = f"/api/v1/certificates/{certificate['id']}/revoke"
    assert client.post(revoke, json={"reason": "no"}, headers=b.as_(Role.TENANT_ADMIN)).status_code == 404
    assert client.get(f"/api/v1/verify/{certificate['verificationCode']}").json()["status"] == "valid"


def test_my_certificates_lists_only_the_callers_own(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    lea = issued_certificate(client, tenant, "lea")
    issued_certificate(client, tenant, "max")
    mine = client.get("/api/v1/me/certificates", headers=tenant.as_(Role.LEARNER, "lea")).json()["items"]
    assert [c["id"] for c in mine] == [lea["id"]]
    assert mine[0]["status"] == "valid" and mine[0]["pdfUrl"] == f"/api/v1/certificates/{lea['id']}/pdf"


def test_a_tenant_with_certificates_turned_off_gets_none_and_the_message_is_settled(
    client: TestClient, make_tenant, make_user, platform: Platform
) -> None:
    tenant = make_tenant(flags={"certificates": False})
    course = enrolled_holder(client, tenant, make_user)
    event = completion(platform, tenant, course, "lea")
    platform.bus.send(CERTIFICATES_QUEUE, [OutgoingMessage.of_json(event, message_id=event["id"])])
    consumer = BusConsumer("credentials-certificates", CERTIFICATES_QUEUE, on_certificate_message)
    assert LocalWorker(platform, [consumer]).run_until_idle() == 1
    assert certificates_of(platform, tenant.id) == [] and pdfs_of(platform, tenant.id) == []
    assert platform.bus.receive(CERTIFICATES_QUEUE + DEAD_LETTER_SUFFIX) == []


def test_a_completion_without_an_enrollment_issues_nothing_and_is_settled(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)["id"]
    event = completion(platform, tenant, course, "never-enrolled")
    platform.bus.send(CERTIFICATES_QUEUE, [OutgoingMessage.of_json(event, message_id=event["id"])])
    consumer = BusConsumer("credentials-certificates", CERTIFICATES_QUEUE, on_certificate_message)
    assert LocalWorker(platform, [consumer]).run_until_idle() == 1
    assert certificates_of(platform, tenant.id) == []
    assert platform.bus.receive(CERTIFICATES_QUEUE + DEAD_LETTER_SUFFIX) == []
