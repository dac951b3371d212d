"""Course reports agree with the data they are built from: a known set of events, delivered with
repeats and out of order, gives the numbers this test computes on its own from the same events; and
a course taken through the real API (enrolments, progress batches, a quiz) shows in its report once
the local worker has run."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.platform.bus import OutgoingMessage
from shared.platform.personal_data import ErasedUser
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext
from shared.platform.topology import EVENTS_TOPIC
from shared.reporting import handlers, service
from shared.reporting.model import REPORTS
from shared.roles import Role
from shared.worker import BusConsumer, LocalWorker, default_jobs
from tests.conftest import TenantHandle
from tests.factories import QUIZ_LESSON, enroll, published_course, question_bank, quiz_course

LESSONS = [
    {"id": "intro", "title": "Introduction", "kind": "video", "durationSeconds": 120},
    {"id": "reading", "title": "Reading notes", "kind": "text", "text": "Read me."},
    {"id": "final", "title": "Final quiz", "kind": "quiz"},
]
ORDER = [lesson["id"] for lesson in LESSONS]
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC).isoformat()


def report(client: TestClient, tenant: TenantHandle, course: str, role: Role = Role.INSTRUCTOR) -> dict[str, Any]:
    response = client.get(f"/api/v1/reports/courses/{course}", headers=tenant.as_(role))
    assert response.status_code == 200, response.text
    return dict(response.json())


# --- a known set of events, replayed --------------------------------------------------------------

# Per learner: enrolments, progress snapshots (seq, course state, percent, {lesson: (state, percent, seconds)}),
# and quiz grades (attempt, seq, score, passed).
LEARNERS: dict[str, dict[str, Any]] = {
    "ann": {
        "enrolments": 1,
        "snapshots": [
            (1, "in_progress", 0.0, {"intro": ("in_progress", 50.0, 30.0)}),
            (2, "in_progress", 33.3, {"intro": ("completed", 100.0, 100.0), "reading": ("in_progress", 0.0, 10.0)}),
            (
                4,
                "completed",
                100.0,
                {
                    "intro": ("completed", 100.0, 100.0),
                    "reading": ("completed", 100.0, 40.0),
                    "final": ("completed", 100.0, 0.0),
                },
            ),
        ],
        "grades": [("a1", 2, 45.0, False), ("a1", 3, 65.0, True)],  # a regrade passed the attempt
    },
    "bob": {
        "enrolments": 1,
        "snapshots": [
            (1, "in_progress", 0.0, {"intro": ("in_progress", 40.0, 48.0)}),
            (3, "in_progress", 33.3, {"intro": ("completed", 100.0, 120.0)}),
        ],
        "grades": [],
    },
    "cid": {"enrolments": 1, "snapshots": [], "grades": []},
    "dan": {
        "enrolments": 2,  # cancelled and enrolled again: two events, one learner
        "snapshots": [
            (
                6,
                "in_progress",
                66.7,
                {
                    "intro": ("completed", 100.0, 90.0),
                    "reading": ("completed", 100.0, 15.0),
                    "final": ("in_progress", 0.0, 0.0),
                },
            )
        ],
        "grades": [("b1", 2, 30.0, False), ("b2", 2, 92.5, False)],
    },
}


def events_of(tenant: str, course: str) -> list[dict[str, Any]]:
    base = {"tenantId": tenant, "courseId": course, "version": 1, "at": AT}
    events: list[dict[str, Any]] = []
    for user, data in LEARNERS.items():
        for n in range(data["enrolments"]):
            events.append({**base, "id": f"enr-{user}-{n}", "type": "EnrollmentCreated", "userId": user, "seq": n + 1})
        for seq, state, percent, lessons in data["snapshots"]:
            per_lesson = {k: {"state": s, "percent": p, "activeSeconds": t} for k, (s, p, t) in lessons.items()}
            snap = {"id": f"snap-{user}-{seq}", "type": "CourseProgressChanged", "userId": user, "seq": seq}
            events.append({**base, **snap, "state": state, "percent": percent, "lessons": per_lesson})
        for attempt, seq, score, passed in data["grades"]:
            grade = {"id": f"quiz-{attempt}-{seq}", "type": "QuizGraded", "userId": user, "seq": seq}
            events.append(
                {**base, **grade, "lessonId": "final", "attemptId": attempt, "score": score, "passed": passed}
            )
    return events


def expected_report() -> dict[str, Any]:
    """The report's numbers, computed directly from LEARNERS: each learner's newest snapshot, each
    attempt's newest grade."""
    latest = {user: max(d["snapshots"], default=None, key=lambda s: s[0]) for user, d in LEARNERS.items()}
    states = {user: snap[1] if snap else "not_started" for user, snap in latest.items()}
    lessons = {user: snap[3] if snap else {} for user, snap in latest.items()}
    grades: dict[str, tuple[int, float, bool]] = {}
    for data in LEARNERS.values():
        for attempt, seq, score, passed in data["grades"]:
            if attempt not in grades or seq > grades[attempt][0]:
                grades[attempt] = (seq, score, passed)
    learners = len(LEARNERS)
    seconds = sum(t for mine in lessons.values() for (_, _, t) in mine.values())
    begun = {u: [k for k in ORDER if lessons[u].get(k, ("not_started",))[0] != "not_started"] for u in LEARNERS}
    stopped_at = {u: begun[u][-1] for u in LEARNERS if begun[u] and states[u] != "completed"}
    per_lesson = {}
    for lesson in ORDER:
        per_lesson[lesson] = {
            "started": sum(1 for u in LEARNERS if lesson in begun[u]),
            "completed": sum(1 for u in LEARNERS if lessons[u].get(lesson, ("",))[0] == "completed"),
            "stoppedHere": sum(1 for at in stopped_at.values() if at == lesson),
            "activeSeconds": sum(lessons[u][lesson][2] for u in LEARNERS if lesson in lessons[u]),
        }
    scores = [score for _, score, _ in grades.values()]
    buckets = [0] * 10
    for score in scores:
        buckets[min(9, int(score // 10))] += 1
    return {
        "enrollments": learners,
        "completed": sum(1 for s in states.values() if s == "completed"),
        "completionRate": round(100 * sum(1 for s in states.values() if s == "completed") / learners, 1),
        "averageProgress": round(sum(snap[2] if snap else 0.0 for snap in latest.values()) / learners, 1),
        "notStarted": sum(1 for u in LEARNERS if not lessons[u]),
        "totalActiveSeconds": seconds,
        "averageActiveSeconds": round(seconds / learners, 1),
        "lessons": per_lesson,
        "quiz": {
            "attempts": len(scores),
            "meanScore": round(sum(scores) / len(scores), 2),
            "passRate": round(100 * sum(1 for _, _, p in grades.values() if p) / len(scores), 1),
            "distribution": buckets,
        },
    }


def deliveries(events: list[dict[str, Any]]) -> list[OutgoingMessage]:
    """Every event twice (a republish after the bus's duplicate window gets a new delivery), shuffled so
    that older snapshots and grades arrive after newer ones."""
    repeated = [(event, n) for event in events for n in range(2)]
    random.Random(9).shuffle(repeated)
    return [
        OutgoingMessage.of_json(event, message_id=f"{event['id']}#{n}", properties={"type": event["type"]})
        for event, n in repeated
    ]


def test_a_replayed_set_of_events_with_repeats_and_late_arrivals_gives_the_independently_computed_report(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant, lessons=LESSONS)["id"]
    messages = deliveries(events_of(tenant.id, course))
    for start in range(0, len(messages), 5):
        platform.bus.send(EVENTS_TOPIC, messages[start : start + 5])
    consumer = BusConsumer("reporting-events", handlers.REPORTING_EVENTS, handlers.on_event_message)
    assert LocalWorker(platform, [consumer]).run_until_idle() == len(messages)

    got, want = report(client, tenant, course), expected_report()
    for key in ("enrollments", "completed", "completionRate", "averageProgress", "notStarted"):
        assert got[key] == want[key], key
    assert (got["totalActiveSeconds"], got["averageActiveSeconds"]) == (
        want["totalActiveSeconds"],
        want["averageActiveSeconds"],
    )
    assert [lesson["lessonId"] for lesson in got["lessons"]] == ORDER
    for lesson in got["lessons"]:
        wanted = want["lessons"][lesson["lessonId"]]
        assert {k: lesson[k] for k in wanted} == wanted, lesson["lessonId"]
    [quiz] = got["quizzes"]
    assert quiz["lessonId"] == "final" and quiz["title"] == "Final quiz"
    assert [bucket["count"] for bucket in quiz["distribution"]] == want["quiz"]["distribution"]
    assert {k: quiz[k] for k in ("attempts", "meanScore", "passRate")} == {
        k: want["quiz"][k] for k in ("attempts", "meanScore", "passRate")
    }


def test_an_event_whose_report_update_was_interrupted_counts_once_when_it_is_delivered_again(
    client: TestClient, make_tenant, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant, lessons=LESSONS)["id"]
    [enrolled] = [e for e in events_of(tenant.id, course) if e["id"] == "enr-ann-0"]
    real_replace = DictDocuments.replace
    crashed = []

    def crash_before_the_row_is_settled(self: DictDocuments, doc: dict[str, Any], **kw: Any) -> dict[str, Any]:
        if doc.get("type") == "learner" and not doc["pendingDeltas"] and not crashed:
            crashed.append(doc["id"])
            raise SystemExit("the process died after the course's counters were written")
        return real_replace(self, doc, **kw)

    monkeypatch.setattr(DictDocuments, "replace", crash_before_the_row_is_settled)
    with pytest.raises(SystemExit):
        handlers.on_event(platform, enrolled)
    monkeypatch.setattr(DictDocuments, "replace", real_replace)
    assert crashed and report(client, tenant, course)["enrollments"] == 1  # the counters were written
    handlers.on_event(platform, enrolled)  # the redelivery finds the delta pending, and already counted
    handlers.on_event(platform, {**enrolled, "id": "enr-ann-again"})
    assert report(client, tenant, course)["enrollments"] == 1
    ctx = TenantContext(tenant_id=tenant.id, user_id="test", roles=frozenset())
    assert DictDocuments(platform.documents, REPORTS, ctx).read(f"{course}:ann")["pendingDeltas"] == []


def test_a_learners_rows_are_exported_and_erased_while_the_course_keeps_its_counts(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant, lessons=LESSONS)["id"]
    for event in events_of(tenant.id, course):
        handlers.on_event(platform, event)
    before = report(client, tenant, course)
    ctx = TenantContext(tenant_id=tenant.id, user_id="admin", roles=frozenset({Role.TENANT_ADMIN}))
    ann, bob = (ErasedUser(user_id=user, pseudonym=f"erased-{user}") for user in ("ann", "bob"))
    [row] = service.export_user(platform, ctx, ann)["reportRows"]
    assert (row["courseId"], row["userId"], row["state"]) == (course, "ann", "completed")
    assert sorted(row["attempts"]) == ["a1"]
    service.erase_user(platform, ctx, ann)
    assert service.export_user(platform, ctx, ann) == {"reportRows": []}
    assert service.export_user(platform, ctx, bob)["reportRows"]  # nobody else's rows go
    after = report(client, tenant, course)
    assert {k: v for k, v in after.items() if k != "updatedAt"} == {k: v for k, v in before.items() if k != "updatedAt"}


# --- through the real API and the local worker ------------------------------------------------------


def take_quiz(client: TestClient, tenant: TenantHandle, course: str, user: str, answer: str) -> None:
    learner = tenant.as_(Role.LEARNER, user)
    attempt = client.post(f"/api/v1/courses/{course}/lessons/{QUIZ_LESSON['id']}/attempts", headers=learner).json()
    answers = {item["questionId"]: answer for item in attempt["items"]}
    saved = client.put(f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": answers}, headers=learner)
    assert saved.is_success, saved.text
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=learner).is_success


def watch(client: TestClient, tenant: TenantHandle, course: str, user: str, until: float, batch: str) -> None:
    event = {"type": "watch", "courseId": course, "lessonId": "intro", "from": 0, "to": until, "activeSeconds": until}
    sent = client.post(
        "/api/v1/progress", json={"batchId": batch, "events": [event]}, headers=tenant.as_(Role.LEARNER, user)
    )
    assert sent.status_code == 200, sent.text


def test_a_course_taken_through_the_api_shows_in_its_report_once_the_worker_has_run(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    bank, _ = question_bank(client, tenant)
    course = quiz_course(client, tenant, bank, count=3, passMark=60)["id"]
    for learner in ("ann", "bob", "cid"):
        enroll(client, tenant, course, learner)
    watch(client, tenant, course, "ann", 60, "ann-1")
    watch(client, tenant, course, "ann", 120, "ann-2")
    watch(client, tenant, course, "ann", 120, "ann-2")  # a resent batch
    take_quiz(client, tenant, course, "ann", "a")  # every answer right: 100
    watch(client, tenant, course, "bob", 60, "bob-1")
    take_quiz(client, tenant, course, "bob", "b")  # every answer wrong: 0
    worker = LocalWorker(platform, default_jobs())
    worker.run_until_idle()
    worker.run_until_idle()

    got = report(client, tenant, course)
    assert (got["enrollments"], got["completed"], got["completionRate"], got["notStarted"]) == (3, 1, 33.3, 1)
    assert got["averageProgress"] == 33.3  # ann 100, bob 0 (no required lesson completed), cid 0
    assert (got["totalActiveSeconds"], got["averageActiveSeconds"]) == (240.0, 80.0)  # ann 60 + 120, bob 60
    intro, quiz_lesson = got["lessons"]
    assert (intro["lessonId"], intro["started"], intro["completed"], intro["stoppedHere"]) == ("intro", 2, 1, 0)
    assert (intro["activeSeconds"], intro["averageActiveSeconds"]) == (240.0, 120.0)
    assert (quiz_lesson["started"], quiz_lesson["completed"], quiz_lesson["stoppedHere"]) == (2, 1, 1)
    [quiz] = got["quizzes"]
    assert (quiz["attempts"], quiz["meanScore"], quiz["passRate"], quiz["learnersPassed"]) == (2, 50.0, 50.0, 1)
    assert [b["count"] for b in quiz["distribution"]] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert report(client, tenant, course, Role.SUPPORT_READONLY) == got
    assert report(client, tenant, course, Role.TENANT_ADMIN) == got
    learner = client.get(f"/api/v1/reports/courses/{course}", headers=tenant.as_(Role.LEARNER, "ann"))
    assert learner.status_code == 403


def test_the_report_of_an_unknown_course_is_404(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    missing = client.get("/api/v1/reports/courses/no-such-course", headers=tenant.as_(Role.INSTRUCTOR))
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
