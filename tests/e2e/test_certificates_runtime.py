"""A learner completes a course and finds their certificate: through the local worker on the embedded
profile, and through the Service Bus queue trigger that Azure runs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from functions import credentials as credentials_trigger
from shared.learning.relay import PROGRESS_FEED
from shared.platform.runtime import Platform
from shared.platform.topology import CERTIFICATES_QUEUE
from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.e2e.test_progress_events import as_trigger_message, drain, function_of
from tests.factories import completed_course


def test_a_learner_who_completes_a_course_finds_one_certificate_and_one_notice(
    client: TestClient, make_tenant, make_user, platform: Platform
) -> None:
    tenant = make_tenant(name="Harbour Academy")
    make_user(tenant, id="lea", displayName="Léa Martin", email="lea@example.com")
    course = completed_course(client, tenant, "lea", title="Tides")["id"]
    learner = tenant.as_(Role.LEARNER, "lea")
    assert client.get("/api/v1/me/certificates", headers=learner).json()["items"] == []  # nothing ran yet
    LocalWorker(platform, default_jobs()).run_until_idle()
    LocalWorker(platform, default_jobs()).run_until_idle()  # a restarted worker finds nothing more to do
    mine = client.get("/api/v1/me/certificates", headers=learner).json()["items"]
    assert [(c["courseId"], c["courseTitle"], c["holderName"], c["status"]) for c in mine] == [
        (course, "Tides", "Léa Martin", "valid")
    ]
    notices = client.get("/api/v1/me/notifications", headers=learner).json()["items"]
    assert [(n["kind"], n["link"]) for n in notices if n["kind"] == "certificate_ready"] == [
        ("certificate_ready", mine[0]["pdfUrl"])
    ]
    assert client.get(f"/api/v1/verify/{mine[0]['verificationCode']}").json()["holderName"] == "Léa Martin"


def test_the_azure_queue_trigger_issues_one_certificate_however_often_it_runs(
    client: TestClient, make_tenant, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = make_tenant()
    completed_course(client, tenant, "lea")
    # The relay only, so the completion waits on the certificates queue for the trigger to take it.
    relay = [job for job in default_jobs() if job.name == PROGRESS_FEED]
    LocalWorker(platform, relay).run_until_idle()
    (message,) = drain(platform, CERTIFICATES_QUEUE)
    monkeypatch.setattr(credentials_trigger, "default_platform", lambda: platform)
    issue = function_of(credentials_trigger.bp, "serviceBusTrigger")
    for _ in range(3):  # the host delivers again after a lock expired, or after a crash
        issue(as_trigger_message(message))
    mine = client.get("/api/v1/me/certificates", headers=tenant.as_(Role.LEARNER, "lea")).json()["items"]
    assert len(mine) == 1 and mine[0]["status"] == "valid"
