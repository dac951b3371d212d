"""Progress batches through the HTTP API: merged intervals, per-event rejection, idempotent
batches, one write per learner and course per batch, completion and its outbox events."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import bootstrap, document_containers
from shared.http.app import create_api
from shared.learning import service
from shared.learning.events import PROGRESS
from shared.learning.model import Batch
from shared.platform._sqlite_documents import SqliteDocumentStore
from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext
from shared.roles import Role
from tests.conftest import TenantHandle, Tokens, make_settings
from tests.counting import WRITES, CountingDocumentStore
from tests.factories import published_course

_batches = itertools.count(1)


def enrolled(client: TestClient, tenant: TenantHandle, user: str = "learner-1", **course: Any) -> dict[str, Any]:
    created = published_course(client, tenant, **course)
    response = client.post(
        f"/api/v1/courses/{created['id']}/enrollments", json={}, headers=tenant.as_(Role.LEARNER, user)
    )
    assert response.status_code in (200, 201), response.text
    return created


def watch(course: str, start: float, end: float, lesson: str = "intro", active: float = 0) -> dict[str, Any]:
    return {"type": "watch", "courseId": course, "lessonId": lesson, "from": start, "to": end, "activeSeconds": active}


def send(
    client: TestClient, tenant: TenantHandle, *events: dict[str, Any], batch: str | None = None, user: str = "learner-1"
) -> Any:
    body = {"batchId": batch or f"b-{next(_batches)}", "events": list(events)}
    response = client.post("/api/v1/progress", json=body, headers=tenant.as_(Role.LEARNER, user))
    assert response.status_code == 200, response.text
    return response.json()


def progress(client: TestClient, tenant: TenantHandle, course: str, user: str = "learner-1") -> Any:
    response = client.get(f"/api/v1/me/courses/{course}/progress", headers=tenant.as_(Role.LEARNER, user))
    assert response.status_code == 200, response.text
    return response.json()


def lesson(view: dict[str, Any], lesson_id: str) -> dict[str, Any]:
    return next(item for item in view["lessons"] if item["lessonId"] == lesson_id)


def stored(platform: Platform, tenant: TenantHandle, course: str, user: str = "learner-1") -> dict[str, Any]:
    ctx = TenantContext(tenant_id=tenant.id, user_id="test", roles=frozenset())
    return DictDocuments(platform.documents, PROGRESS, ctx).read(f"{course}:{user}")


def test_rewatching_never_inflates_and_seeking_never_fakes_progress(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = enrolled(client, tenant)["id"]
    send(client, tenant, watch(course, 0, 30), watch(course, 0, 30), watch(course, 10, 20))
    assert lesson(progress(client, tenant, course), "intro")["percent"] == 25.0  # 30 of 120 seconds
    send(client, tenant, watch(course, 110, 120))  # a seek to the end only counts the 10 s played
    view = progress(client, tenant, course)
    assert lesson(view, "intro")["percent"] == pytest.approx(33.3)
    assert lesson(view, "intro")["state"] == "in_progress" and view["state"] == "in_progress"


def test_bad_events_are_rejected_one_by_one_and_the_good_ones_count(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = enrolled(client, tenant)["id"]
    other = published_course(client, tenant)["id"]  # not enrolled
    receipt = send(
        client,
        tenant,
        watch(course, 0, 60),
        watch(course, -5, 10),
        watch(course, 50, 40),
        watch(course, 0, 10, lesson="ghost"),
        watch(other, 0, 10),
        {"type": "read", "courseId": course, "lessonId": "intro"},
        {"type": "teleport", "courseId": course, "lessonId": "intro"},
        watch(course, 0, 10**6),
    )
    assert receipt["accepted"] == 1
    reasons = {r["index"]: r["reason"] for r in receipt["rejected"]}
    assert sorted(reasons) == [1, 2, 3, 4, 5, 6, 7]
    assert "negative" in reasons[1] and "after from" in reasons[2] and "no such lesson" in reasons[3]
    assert "not enrolled" in reasons[4] and "text" in reasons[5] and "too long" in reasons[7]
    assert lesson(progress(client, tenant, course), "intro")["percent"] == 50.0


def test_a_repeated_batch_id_changes_nothing(client: TestClient, make_tenant, platform: Platform) -> None:
    tenant = make_tenant()
    course = enrolled(client, tenant)["id"]
    first = send(client, tenant, watch(course, 0, 30, active=30), batch="same-batch")
    before = stored(platform, tenant, course)
    again = send(client, tenant, watch(course, 30, 60, active=30), batch="same-batch")
    assert (first["duplicate"], again["duplicate"], again["accepted"]) == (False, True, 0)
    assert stored(platform, tenant, course)["_etag"] == before["_etag"]


def test_watching_enough_and_reading_completes_the_course_with_one_event_each(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = enrolled(client, tenant)["id"]
    send(client, tenant, {"type": "read", "courseId": course, "lessonId": "reading"})
    assert lesson(progress(client, tenant, course), "reading")["state"] == "in_progress"  # intro comes first
    send(client, tenant, watch(course, 0, 96))  # 80% of 120 s
    view = progress(client, tenant, course)
    assert (view["state"], view["percent"], view["missing"]) == ("completed", 100.0, [])
    send(client, tenant, watch(course, 96, 120), {"type": "read", "courseId": course, "lessonId": "reading"})
    outbox = stored(platform, tenant, course)["outbox"]
    kinds = sorted((e["type"], e.get("lessonId")) for e in outbox if e["type"] != "CourseProgressChanged")
    assert kinds == [("CourseCompleted", None), ("LessonCompleted", "intro"), ("LessonCompleted", "reading")]
    assert len({e["id"] for e in outbox}) == 4
    [snapshot] = [e for e in outbox if e["type"] == "CourseProgressChanged"]  # only the newest of three writes
    assert (snapshot["seq"], snapshot["state"], snapshot["percent"]) == (3, "completed", 100.0)


def test_the_learner_resumes_where_the_latest_watch_event_ended_on_any_device(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = enrolled(client, tenant)["id"]
    assert lesson(progress(client, tenant, course), "intro")["position"] is None  # not started: from the start
    send(client, tenant, watch(course, 0, 30), watch(course, 30, 42.5))
    assert lesson(progress(client, tenant, course), "intro")["position"] == 42.5
    send(client, tenant, watch(course, 10, 20))  # went back to re-watch a part: resume there
    assert lesson(progress(client, tenant, course), "intro")["position"] == 20
    send(client, tenant, watch(course, 100, 130))  # past the end of the 120 s video: its end
    view = progress(client, tenant, course)
    assert lesson(view, "intro")["position"] == 120 and lesson(view, "reading")["position"] is None


def test_time_on_task_is_summed_per_lesson(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = enrolled(client, tenant)["id"]
    send(client, tenant, watch(course, 0, 20, active=20), watch(course, 0, 20, active=25))
    send(client, tenant, {"type": "read", "courseId": course, "lessonId": "reading", "activeSeconds": 40})
    view = progress(client, tenant, course)
    assert (lesson(view, "intro")["activeSeconds"], lesson(view, "reading")["activeSeconds"]) == (45.0, 40.0)


def test_the_progress_view_says_what_is_missing(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = enrolled(client, tenant)["id"]
    assert progress(client, tenant, course)["missing"] == ["intro", "reading"]
    send(client, tenant, watch(course, 0, 120))
    assert progress(client, tenant, course)["missing"] == ["reading"]


def test_progress_of_a_course_the_caller_is_not_enrolled_in_is_404(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)["id"]
    response = client.get(f"/api/v1/me/courses/{course}/progress", headers=tenant.as_(Role.LEARNER))
    assert response.status_code == 404


def test_a_policy_with_a_lower_watch_ratio_completes_sooner(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = enrolled(client, tenant)["id"]
    policy = {"watchRatio": 0.5, "requireQuizPass": True, "requiredLessons": ["intro"]}
    put = client.put(f"/api/v1/courses/{course}/completion-policy", json=policy, headers=tenant.as_(Role.INSTRUCTOR))
    assert put.status_code == 200
    send(client, tenant, watch(course, 0, 60))
    assert progress(client, tenant, course)["state"] == "completed"


def test_a_tenant_admin_completes_a_course_by_hand_with_a_reason_and_it_is_audited(
    client: TestClient, make_tenant
) -> None:
    tenant = make_tenant()
    course = enrolled(client, tenant)["id"]
    url = f"/api/v1/courses/{course}/progress/learner-1/complete"
    assert client.post(url, json={}, headers=tenant.as_(Role.TENANT_ADMIN)).status_code == 422
    done = client.post(url, json={"reason": "completed in class"}, headers=tenant.as_(Role.TENANT_ADMIN))
    assert done.status_code == 200 and done.json()["state"] == "completed"
    audit = client.get("/api/v1/audit?action=progress.manual_completion", headers=tenant.as_(Role.TENANT_ADMIN))
    assert [e["reason"] for e in audit.json()["items"]] == ["completed in class"]
    assert client.post(url, json={"reason": "x"}, headers=tenant.as_(Role.INSTRUCTOR)).status_code == 403


def test_a_lesson_completed_by_hand_counts_and_a_repeat_is_refused_without_a_second_audit(
    client: TestClient, make_tenant
) -> None:
    tenant = make_tenant()
    course = enrolled(client, tenant)["id"]
    url = f"/api/v1/courses/{course}/progress/learner-1/complete"
    admin = tenant.as_(Role.TENANT_ADMIN)
    body = {"reason": "watched it in the classroom", "lessonId": "intro"}
    assert client.post(url, json=body, headers=admin).status_code == 200
    view = progress(client, tenant, course)
    assert lesson(view, "intro")["state"] == "completed" and view["state"] == "in_progress"
    again = client.post(url, json=body, headers=admin)
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
    ghost = client.post(url, json={"reason": "x", "lessonId": "ghost"}, headers=admin)
    assert ghost.status_code == 404
    audit = client.get("/api/v1/audit?action=progress.manual_completion", headers=admin).json()["items"]
    assert [(e["after"]["lesson"], e["reason"]) for e in audit] == [("intro", "watched it in the classroom")]


def test_concurrent_batches_from_two_devices_all_count_and_complete_once(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = enrolled(client, tenant)["id"]
    ctx = TenantContext(tenant_id=tenant.id, user_id="learner-1", roles=frozenset({Role.LEARNER}))
    chunks = [[watch(course, s, s + 10)] for s in range(0, 120, 10)]

    def device(name: str) -> None:
        for n, events in enumerate(chunks):
            service.ingest_batch(platform, ctx, Batch(batchId=f"{name}-{n}", events=events))

    threads = [threading.Thread(target=device, args=(name,)) for name in ("phone", "laptop")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    doc = stored(platform, tenant, course)
    assert doc["lessons"]["intro"]["watched"] == [[0.0, 120.0]]
    assert len(doc["batches"]) == 2 * len(chunks)
    assert [e["type"] for e in doc["outbox"]].count("LessonCompleted") == 1


@pytest.fixture
def counted(tmp_path: Path, clock: ManualClock) -> Iterator[tuple[Platform, CountingDocumentStore]]:
    settings = make_settings(tmp_path / "data")
    store = CountingDocumentStore(
        SqliteDocumentStore(settings.data_dir / "documents.sqlite3", clock=clock, containers=document_containers())
    )
    yield bootstrap(settings, clock=clock, documents=store), store


def test_a_population_of_learners_costs_one_write_per_learner_per_batch(
    counted: tuple[Platform, CountingDocumentStore],
) -> None:
    platform, store = counted
    learners = 8000
    with TestClient(create_api(platform), raise_server_exceptions=False) as client:
        tenant = TenantHandle("population", Tokens(platform))
        client.post(
            "/api/v1/tenants", json={"id": tenant.id, "name": "Population"}, headers=tenant.tokens.super_admin()
        )
        course = published_course(client, tenant)["id"]
    from shared.enrollment import service as enrollment_service
    from shared.enrollment.model import EnrollRequest

    for n in range(learners):
        ctx = TenantContext(tenant_id=tenant.id, user_id=f"u{n}", roles=frozenset({Role.LEARNER}))
        enrollment_service.enroll(platform, ctx, course, EnrollRequest())
    store.reset()
    for round_ in range(2):
        for n in range(learners):
            ctx = TenantContext(tenant_id=tenant.id, user_id=f"u{n}", roles=frozenset({Role.LEARNER}))
            events = [watch(course, 30 * round_ + s, 30 * round_ + s + 1, active=1) for s in range(0, 30, 3)]
            service.ingest_batch(platform, ctx, Batch(batchId=f"r{round_}-{n}", events=events))
    assert store.count(WRITES, PROGRESS) == 2 * learners
    assert store.count(WRITES) == 2 * learners


def test_a_not_a_number_position_is_rejected_and_counts_nothing(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = enrolled(client, tenant)["id"]
    events = [watch(course, float("nan"), 100), watch(course, 0, float("inf")), watch(course, 0, 12)]
    # Python's JSON reader takes the NaN and Infinity literals that a careless client may send.
    raw = json.dumps({"batchId": "nan-batch", "events": events})
    headers = {**tenant.as_(Role.LEARNER, "learner-1"), "content-type": "application/json"}
    response = client.post("/api/v1/progress", content=raw, headers=headers)
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert receipt["accepted"] == 1 and [r["index"] for r in receipt["rejected"]] == [0, 1]
    assert lesson(progress(client, tenant, course), "intro")["percent"] == 10.0


def test_a_batch_over_the_event_bound_is_refused_whole_and_changes_nothing(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = enrolled(client, tenant)["id"]
    body = {"batchId": "too-big", "events": [watch(course, n, n + 1) for n in range(201)]}
    response = client.post("/api/v1/progress", json=body, headers=tenant.as_(Role.LEARNER, "learner-1"))
    assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
    assert lesson(progress(client, tenant, course), "intro")["percent"] == 0.0


@pytest.mark.parametrize(
    "event",
    [
        {"from": "NaN", "to": 10},
        {"from": -5, "to": 10},
        {"from": 30, "to": 10},
        {"type": "nope"},
        {"lessonId": "no-such-lesson"},
    ],
)
def test_a_batch_in_which_nothing_is_accepted_answers_422_with_each_reason_and_changes_nothing(
    client: TestClient, make_tenant, event: dict[str, Any]
) -> None:
    tenant = make_tenant()
    course = enrolled(client, tenant)["id"]
    before = progress(client, tenant, course)
    raw = json.dumps({"batchId": "nothing-good", "events": [{**watch(course, 0, 10), **event}]}).replace('"NaN"', "NaN")
    headers = {**tenant.as_(Role.LEARNER, "learner-1"), "content-type": "application/json"}
    response = client.post("/api/v1/progress", content=raw, headers=headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["location"] for e in problem["errors"]] == ["events.0"] and problem["errors"][0]["message"]
    assert progress(client, tenant, course) == before
    # The same batch id with a good event is not taken for a repeat of the refused one.
    assert send(client, tenant, watch(course, 0, 10), batch="nothing-good")["accepted"] == 1
