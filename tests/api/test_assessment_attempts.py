"""Quiz attempts through the HTTP API: server-side draws, no key before grading, owners only,
server deadlines, attempt limits, pinned question versions, idempotent saves and submits."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from shared.assessment.grading import sweep_expired_attempts
from shared.assessment.model import ATTEMPTS
from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext
from shared.roles import Role
from tests.conftest import TenantHandle
from tests.factories import QUIZ_LESSON, choice_question, enroll, question_bank, quiz_course

QUIZ = QUIZ_LESSON["id"]
ACCEPTED_TEXT = "Mitochondrion"
MIXED_QUESTIONS = (
    choice_question(1, explanation="Alpha is first."),
    {
        "type": "multiple_choice",
        "prompt": "Which are primes?",
        "options": [{"id": "p2", "text": "2"}, {"id": "p3", "text": "3"}, {"id": "p4", "text": "4"}],
        "correct": ["p2", "p3"],
    },
    {"type": "true_false", "prompt": "The sky is blue.", "answer": True},
    {"type": "short_text", "prompt": "The powerhouse of the cell?", "accepted": [ACCEPTED_TEXT]},
    {
        "type": "essay",
        "prompt": "Discuss.",
        "rubric": [
            {"id": "clarity", "criterion": "Clear writing", "points": 3},
            {"id": "depth", "criterion": "Depth of argument", "points": 2},
        ],
    },
)
# What a response must not reveal before grading: key fields anywhere in the body.
KEY_FIELDS = {"correct", "accepted", "answer", "rubric", "key", "explanation", "score", "passed", "awardedPoints"}


def learner(tenant: TenantHandle, user: str, headers: dict[str, str] | None) -> dict[str, str]:
    # Tests that move the clock pass headers minted before: PyJWT checks "iat" against the real clock.
    return headers or tenant.as_(Role.LEARNER, user)


def start(
    client: TestClient,
    tenant: TenantHandle,
    course: str,
    user: str = "learner-1",
    headers: dict[str, str] | None = None,
) -> Any:
    return client.post(f"/api/v1/courses/{course}/lessons/{QUIZ}/attempts", headers=learner(tenant, user, headers))


def started(
    client: TestClient,
    tenant: TenantHandle,
    course: str,
    user: str = "learner-1",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = start(client, tenant, course, user, headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def save(
    client: TestClient,
    tenant: TenantHandle,
    attempt: str,
    answers: dict[str, Any],
    user: str = "learner-1",
    headers: dict[str, str] | None = None,
) -> Any:
    url = f"/api/v1/attempts/{attempt}/answers"
    return client.put(url, json={"answers": answers}, headers=learner(tenant, user, headers))


def submit(
    client: TestClient,
    tenant: TenantHandle,
    attempt: str,
    user: str = "learner-1",
    headers: dict[str, str] | None = None,
) -> Any:
    return client.post(f"/api/v1/attempts/{attempt}/submit", headers=learner(tenant, user, headers))


def read(
    client: TestClient,
    tenant: TenantHandle,
    attempt: str,
    user: str = "learner-1",
    headers: dict[str, str] | None = None,
) -> Any:
    return client.get(f"/api/v1/attempts/{attempt}", headers=learner(tenant, user, headers))


def drawn(attempt: dict[str, Any]) -> list[str]:
    return [item["questionId"] for item in attempt["items"]]


def stored_attempt(platform: Platform, tenant: TenantHandle, attempt: str) -> dict[str, Any]:
    ctx = TenantContext(tenant_id=tenant.id, user_id="test", roles=frozenset())
    return DictDocuments(platform.documents, ATTEMPTS, ctx).read(attempt)


def keys_in(body: Any) -> set[str]:
    if isinstance(body, dict):
        return set(body) | {k for value in body.values() for k in keys_in(value)}
    if isinstance(body, list):
        return {k for value in body for k in keys_in(value)}
    return set()


def enrolled_quiz(client: TestClient, tenant: TenantHandle, *questions: dict[str, Any], **settings: Any) -> str:
    bank, _ = question_bank(client, tenant, *questions)
    course = quiz_course(client, tenant, bank, **settings)["id"]
    enroll(client, tenant, course, "learner-1")
    return str(course)


def test_two_learners_starting_the_same_quiz_get_different_draws(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    bank, _ = question_bank(client, tenant, *(choice_question(n) for n in range(20)))
    course = quiz_course(client, tenant, bank, count=10)["id"]
    draws = []
    for user in ("learner-1", "learner-2"):
        enroll(client, tenant, course, user)
        draws.append(drawn(started(client, tenant, course, user)))
    # 20!/10! ordered draws: two equal ones by chance have odds of about 1 in 6.7e11.
    assert draws[0] != draws[1]


def test_over_many_attempts_the_draw_covers_the_whole_pool(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    bank, ids = question_bank(client, tenant, *(choice_question(n) for n in range(6)))
    course = quiz_course(client, tenant, bank, count=3)["id"]
    seen: dict[str, int] = dict.fromkeys(ids, 0)
    for n in range(60):
        enroll(client, tenant, course, f"learner-{n}")
        for question in drawn(started(client, tenant, course, f"learner-{n}")):
            seen[question] += 1
    # A fair draw misses a given question with probability 1/2 per attempt: some question is never
    # drawn in 60 attempts with probability at most 6 * 2**-60 (about 5e-18).
    assert all(count > 0 for count in seen.values()), seen
    assert sum(seen.values()) == 180


def test_an_attempt_shows_the_same_questions_in_the_same_order_on_every_read(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = enrolled_quiz(client, tenant, *(choice_question(n) for n in range(8)), count=5)
    attempt = started(client, tenant, course)
    again = start(client, tenant, course)
    assert again.status_code == 200 and again.json()["id"] == attempt["id"]
    for _ in range(3):
        view = read(client, tenant, attempt["id"]).json()
        assert view["items"] == attempt["items"]


def test_no_response_before_grading_reveals_a_key_or_a_score(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = enrolled_quiz(client, tenant, *MIXED_QUESTIONS, count=5, timeLimitSeconds=600)
    bodies = []
    first = start(client, tenant, course)
    bodies.append(first)
    attempt = first.json()
    by_type = {item["type"]: item["questionId"] for item in attempt["items"]}
    bodies += [start(client, tenant, course), read(client, tenant, attempt["id"])]
    bodies.append(save(client, tenant, attempt["id"], {by_type["single_choice"]: "b", by_type["true_false"]: False}))
    bodies.append(save(client, tenant, attempt["id"], {by_type["short_text"]: "ribosome", by_type["essay"]: "Text"}))
    bodies.append(save(client, tenant, attempt["id"], {by_type["multiple_choice"]: ["p4"]}))
    bodies.append(read(client, tenant, attempt["id"]))
    for response in bodies:
        assert response.status_code in (200, 201), response.text
        body = response.json()
        assert not keys_in(body) & KEY_FIELDS, keys_in(body) & KEY_FIELDS
        assert ACCEPTED_TEXT.lower() not in response.text.lower()
        assert "Alpha is first" not in response.text
        for item in body["items"]:
            assert set(item) <= {"questionId", "version", "type", "prompt", "points", "options"}
            assert all(set(option) == {"id", "text"} for option in item.get("options", []))


def test_after_grading_the_key_is_shown_only_if_the_quiz_says_so(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    hidden = enrolled_quiz(client, tenant, choice_question(1), showCorrectAnswers="never")
    result = submit(client, tenant, started(client, tenant, hidden)["id"]).json()
    assert result["status"] == "graded" and result["score"] == 0 and result["passed"] is False
    assert "key" not in keys_in(result) and "awardedPoints" not in keys_in(result)
    shown = enrolled_quiz(client, tenant, choice_question(1), showCorrectAnswers="after_submission")
    attempt = started(client, tenant, shown)
    save(client, tenant, attempt["id"], {attempt["items"][0]["questionId"]: "a"})
    result = submit(client, tenant, attempt["id"]).json()
    assert result["score"] == 100 and result["passed"] is True
    assert result["items"][0]["key"] == {"correct": ["a"]} and result["items"][0]["awardedPoints"] == 1


def test_another_learner_gets_404_on_read_answer_and_submit(client: TestClient, make_tenant) -> None:
    tenant, other_tenant = make_tenant(), make_tenant()
    course = enrolled_quiz(client, tenant)
    attempt = started(client, tenant, course)
    question = attempt["items"][0]["questionId"]
    for who, user in ((tenant, "learner-2"), (other_tenant, "learner-1"), (other_tenant, "learner-2")):
        assert read(client, who, attempt["id"], user).status_code == 404
        assert save(client, who, attempt["id"], {question: "a"}, user).status_code == 404
        assert submit(client, who, attempt["id"], user).status_code == 404
    mine = read(client, tenant, attempt["id"]).json()
    assert mine["status"] == "open" and mine["answers"] == {}
    staff = client.get(f"/api/v1/attempts/{attempt['id']}", headers=tenant.as_(Role.SUPPORT_READONLY))
    assert staff.status_code == 200


def test_saving_after_the_deadline_is_refused_and_the_attempt_is_graded_with_its_last_saved_answers(
    client: TestClient, make_tenant, clock: ManualClock
) -> None:
    tenant = make_tenant()
    course = enrolled_quiz(client, tenant, *(choice_question(n) for n in range(2)), count=2, timeLimitSeconds=60)
    me = tenant.as_(Role.LEARNER, "learner-1")
    attempt = started(client, tenant, course)
    first, second = drawn(attempt)
    assert save(client, tenant, attempt["id"], {first: "a", second: "a"}).status_code == 200
    clock.advance(30)
    assert save(client, tenant, attempt["id"], {second: "b"}, headers=me).status_code == 200  # the last in time
    clock.advance(31)
    late = save(client, tenant, attempt["id"], {second: "a"}, headers=me)
    assert late.status_code == 409 and late.headers["content-type"].startswith("application/problem+json")
    result = read(client, tenant, attempt["id"], headers=me).json()
    assert result["status"] == "graded" and result["expired"] is True
    assert result["answers"] == {first: "a", second: "b"} and result["score"] == 50
    assert submit(client, tenant, attempt["id"], headers=me).json()["score"] == 50


def test_the_sweep_grades_attempts_that_ran_out_of_time_and_records_the_event(
    client: TestClient, make_tenant, platform: Platform, clock: ManualClock
) -> None:
    tenant = make_tenant()
    course = enrolled_quiz(client, tenant, choice_question(1), timeLimitSeconds=60, passMark=100)
    attempt = started(client, tenant, course)
    save(client, tenant, attempt["id"], {drawn(attempt)[0]: "a"})
    assert sweep_expired_attempts(platform) == 0
    clock.advance(61)
    assert sweep_expired_attempts(platform) == 1
    assert sweep_expired_attempts(platform) == 0
    doc = stored_attempt(platform, tenant, attempt["id"])
    assert doc["status"] == "graded" and doc["score"] == 100
    [event] = doc["outbox"]
    assert event["type"] == "QuizGraded" and event["passed"] is True and event["score"] == 100
    assert (event["tenantId"], event["userId"], event["courseId"], event["lessonId"]) == (
        tenant.id,
        "learner-1",
        course,
        QUIZ,
    )
    assert event["attemptId"] == attempt["id"] and event["version"] == 1 and event["seq"] == doc["writeSeq"]


def test_attempts_beyond_the_allowance_are_refused_and_an_abandoned_open_one_counts(
    client: TestClient, make_tenant, clock: ManualClock
) -> None:
    tenant = make_tenant()
    course = enrolled_quiz(
        client, tenant, *(choice_question(n) for n in range(3)), attemptsAllowed=2, timeLimitSeconds=60
    )
    me = tenant.as_(Role.LEARNER, "learner-1")
    abandoned = started(client, tenant, course)
    clock.advance(120)  # the learner walked away; the attempt is never submitted
    second = started(client, tenant, course, headers=me)
    assert second["number"] == 2
    assert read(client, tenant, abandoned["id"], headers=me).json()["status"] == "graded"
    assert submit(client, tenant, second["id"], headers=me).status_code == 200
    refused = start(client, tenant, course, headers=me)
    assert refused.status_code == 409 and refused.headers["content-type"].startswith("application/problem+json")


def test_editing_a_question_does_not_change_a_started_attempt(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    bank, [question] = question_bank(client, tenant, choice_question(1))
    course = quiz_course(client, tenant, bank, showCorrectAnswers="after_submission")["id"]
    enroll(client, tenant, course, "learner-1")
    attempt = started(client, tenant, course)
    edited = choice_question(1, prompt="Reworded?", correct=["b"])
    url = f"/api/v1/question-banks/{bank}/questions/{question}"
    response = client.put(url, json=edited, headers=tenant.as_(Role.INSTRUCTOR))
    assert response.status_code == 200 and response.json()["version"] == 2
    again = client.put(url, json=edited, headers=tenant.as_(Role.INSTRUCTOR))
    assert again.json()["version"] == 2  # the same content is not a new version
    view = read(client, tenant, attempt["id"]).json()
    assert view["items"] == attempt["items"] and view["items"][0]["version"] == 1
    save(client, tenant, attempt["id"], {question: "a"})
    assert submit(client, tenant, attempt["id"]).json()["score"] == 100  # graded by the version drawn


def test_a_start_after_a_bank_change_draws_from_the_changed_bank(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    bank, [question] = question_bank(client, tenant, choice_question(1))
    course = quiz_course(client, tenant, bank, count=1)["id"]
    for user in ("learner-1", "learner-2", "learner-3", "learner-4"):
        enroll(client, tenant, course, user)
    first = started(client, tenant, course, "learner-1")
    assert [(i["questionId"], i["version"]) for i in first["items"]] == [(question, 1)]
    edited = choice_question(1, prompt="Reworded?")
    url = f"/api/v1/question-banks/{bank}/questions/{question}"
    assert client.put(url, json=edited, headers=tenant.as_(Role.INSTRUCTOR)).status_code == 200
    second = started(client, tenant, course, "learner-2")
    assert (second["items"][0]["version"], second["items"][0]["prompt"]) == (2, "Reworded?")
    # A bank that grew: a pool drawing every question sees the new one at the next start.
    added = client.post(
        f"/api/v1/question-banks/{bank}/questions", json=choice_question(2), headers=tenant.as_(Role.INSTRUCTOR)
    )
    settings = {"pools": [{"bankId": bank, "count": 2}]}
    client.put(f"/api/v1/courses/{course}/lessons/{QUIZ}/quiz", json=settings, headers=tenant.as_(Role.INSTRUCTOR))
    third = started(client, tenant, course, "learner-3")
    assert {i["questionId"] for i in third["items"]} == {question, added.json()["id"]}
    # An unchanged bank keeps its generation, so its cached candidates serve the next start.
    generation = platform.cache.get(f"assessment:{tenant.id}:bank:{bank}:generation")
    started(client, tenant, course, "learner-4")
    assert platform.cache.get(f"assessment:{tenant.id}:bank:{bank}:generation") == generation


def test_saving_and_submitting_again_change_nothing(client: TestClient, make_tenant, platform: Platform) -> None:
    tenant = make_tenant()
    course = enrolled_quiz(client, tenant, choice_question(1))
    attempt = started(client, tenant, course)
    answers = {drawn(attempt)[0]: "a"}
    first = save(client, tenant, attempt["id"], answers)
    etag = stored_attempt(platform, tenant, attempt["id"])["_etag"]
    assert save(client, tenant, attempt["id"], answers).json() == first.json()
    assert stored_attempt(platform, tenant, attempt["id"])["_etag"] == etag
    result = submit(client, tenant, attempt["id"])
    assert submit(client, tenant, attempt["id"]).json() == result.json()
    assert len(stored_attempt(platform, tenant, attempt["id"])["outbox"]) == 1
    assert save(client, tenant, attempt["id"], answers).status_code == 409


def test_essays_are_graded_by_rubric_and_a_changed_grade_is_audited(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = enrolled_quiz(client, tenant, choice_question(1), MIXED_QUESTIONS[-1], count=2, passMark=50)
    attempt = started(client, tenant, course)
    essay = next(item["questionId"] for item in attempt["items"] if item["type"] == "essay")
    choice = next(item["questionId"] for item in attempt["items"] if item["type"] == "single_choice")
    save(client, tenant, attempt["id"], {essay: "My essay", choice: "a"})
    waiting = submit(client, tenant, attempt["id"]).json()
    assert waiting["status"] == "awaiting_grading" and "score" not in waiting
    url, instructor = f"/api/v1/attempts/{attempt['id']}/grades", tenant.as_(Role.INSTRUCTOR)

    def grade(clarity: float, reason: str | None = None) -> Any:
        criteria = [{"criterionId": "clarity", "points": clarity}, {"criterionId": "depth", "points": 1}]
        return client.post(
            url, json={"grades": [{"questionId": essay, "criteria": criteria}], "reason": reason}, headers=instructor
        )

    assert grade(4).status_code == 422  # more than the criterion allows
    graded = grade(1)
    assert graded.status_code == 200 and graded.json()["score"] == 50  # (1 + 2) of 6 points
    assert grade(3).status_code == 422  # a change needs a reason
    regraded = grade(3, reason="Second marker agreed the argument is clear")
    assert regraded.json()["score"] == round(100 * 5 / 6, 2)
    log = client.get("/api/v1/audit", params={"action": "attempt.regrade"}, headers=tenant.as_(Role.TENANT_ADMIN))
    [entry] = log.json()["items"]
    assert entry["actorId"] == "instructor-1" and entry["reason"].startswith("Second marker")
    assert entry["before"]["points"] == 2 and entry["after"]["points"] == 4
    assert entry["before"]["score"] == 50 and entry["after"]["score"] == regraded.json()["score"]
    events = stored_attempt(platform, tenant, attempt["id"])["outbox"]
    assert [e["score"] for e in events] == [50, regraded.json()["score"]] and len({e["id"] for e in events}) == 2
    learner_view = read(client, tenant, attempt["id"]).json()
    assert learner_view["status"] == "graded" and "key" not in keys_in(learner_view)


def test_a_learner_not_enrolled_cannot_start_the_quiz(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    bank, _ = question_bank(client, tenant)
    course = quiz_course(client, tenant, bank)["id"]
    assert start(client, tenant, course).status_code == 404
    enroll(client, tenant, course, "learner-1")
    assert json.loads(start(client, tenant, course).text)["status"] == "open"
