"""A course's attempts for staff (the essay grading queue): filtered by status and quiz lesson,
oldest submission first, paged, staff only, and a course of another tenant is not there."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.platform.clock import ManualClock
from shared.roles import Role
from tests.conftest import TenantHandle
from tests.factories import QUIZ_LESSON, choice_question, enroll, published_course, question_bank

QUIZ = str(QUIZ_LESSON["id"])
SECOND_QUIZ = "second-quiz"
ESSAY = {
    "type": "essay",
    "prompt": "Discuss.",
    "rubric": [
        {"id": "clarity", "criterion": "Clear writing", "points": 3},
        {"id": "depth", "criterion": "Depth of argument", "points": 2},
    ],
}


def essay_course(client: TestClient, tenant: TenantHandle) -> str:
    """A published course with two quiz lessons: the first draws a choice question and an essay,
    the second only the choice question (graded on submission)."""
    with_essay, _ = question_bank(client, tenant, choice_question(1), ESSAY)
    objective, _ = question_bank(client, tenant, choice_question(2))
    second = {"id": SECOND_QUIZ, "title": "Second quiz", "kind": "quiz"}
    course = str(published_course(client, tenant, lessons=[QUIZ_LESSON, second])["id"])
    for lesson, bank, count in ((QUIZ, with_essay, 2), (SECOND_QUIZ, objective, 1)):
        body = {"pools": [{"bankId": bank, "count": count}], "attemptsAllowed": 3}
        url = f"/api/v1/courses/{course}/lessons/{lesson}/quiz"
        put = client.put(url, json=body, headers=tenant.as_(Role.INSTRUCTOR))
        assert put.status_code == 200, put.text
    return course


def take(
    client: TestClient, course: str, headers: dict[str, str], lesson: str = QUIZ, *, submit: bool = True
) -> dict[str, Any]:
    """Start an attempt, answer every question (the essay with text, choices with ``a``) and submit it."""
    started = client.post(f"/api/v1/courses/{course}/lessons/{lesson}/attempts", headers=headers)
    assert started.status_code == 201, started.text
    attempt = started.json()
    answers = {i["questionId"]: "An essay." if i["type"] == "essay" else "a" for i in attempt["items"]}
    saved = client.put(f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": answers}, headers=headers)
    assert saved.status_code == 200, saved.text
    if not submit:
        return dict(saved.json())
    submitted = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.text
    return dict(submitted.json())


def queue(client: TestClient, course: str, headers: dict[str, str], **params: Any) -> Any:
    return client.get(f"/api/v1/courses/{course}/attempts", params=params, headers=headers)


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()["items"]]


def essay_of(attempt: dict[str, Any]) -> str:
    return next(i["questionId"] for i in attempt["items"] if i["type"] == "essay")


@pytest.fixture
def classroom(client: TestClient, make_tenant, clock: ManualClock) -> dict[str, Any]:
    """Learners who submitted in the order b, c, a (a second apart), d still answering, and e's
    attempt at the quiz without essays (graded at once)."""
    tenant = make_tenant()
    course = essay_course(client, tenant)
    learners = ["learner-a", "learner-b", "learner-c", "learner-d", "learner-e"]
    # Tokens are minted before the clock moves: their "iat" is checked against the real clock.
    headers = {user: tenant.as_(Role.LEARNER, user) for user in learners}
    instructor = tenant.as_(Role.INSTRUCTOR)
    for user in learners:
        enroll(client, tenant, course, user)
    attempts: dict[str, dict[str, Any]] = {}
    for user in ("learner-b", "learner-c", "learner-a"):
        attempts[user] = take(client, course, headers[user])
        clock.advance(1)
    attempts["learner-d"] = take(client, course, headers["learner-d"], submit=False)
    attempts["learner-e"] = take(client, course, headers["learner-e"], SECOND_QUIZ)
    return {"tenant": tenant, "course": course, "attempts": attempts, "instructor": instructor}


def test_the_queue_lists_attempts_awaiting_grading_oldest_submission_first(
    client: TestClient, classroom: dict[str, Any]
) -> None:
    course, attempts, instructor = classroom["course"], classroom["attempts"], classroom["instructor"]
    waiting = queue(client, course, instructor, status="awaiting_grading")
    assert ids(waiting) == [attempts[u]["id"] for u in ("learner-b", "learner-c", "learner-a")]
    first = waiting.json()["items"][0]
    essay = essay_of(attempts["learner-b"])
    assert first == {
        "id": attempts["learner-b"]["id"],
        "courseId": course,
        "lessonId": QUIZ,
        "userId": "learner-b",
        "number": 1,
        "status": "awaiting_grading",
        "startedAt": attempts["learner-b"]["startedAt"],
        "submittedAt": attempts["learner-b"]["submittedAt"],
        "deadline": None,
        "expired": False,
        "points": 1.0,  # the choice question, graded on submission; the essay waits
        "maxPoints": 6.0,
        "score": None,
        "passed": None,
        "gradedAt": None,
        "essayQuestionIds": [essay],
        "ungradedEssayQuestionIds": [essay],
    }
    assert waiting.headers["cache-control"] == "no-store"
    # No questions, answers or keys in a list: the attempt itself has those.
    assert not {"items", "answers"} & set(first)


def test_a_graded_essay_leaves_the_queue_and_is_listed_as_graded(client: TestClient, classroom: dict[str, Any]) -> None:
    course, attempts, instructor = classroom["course"], classroom["attempts"], classroom["instructor"]
    attempt = attempts["learner-c"]
    essay = essay_of(attempt)
    criteria = [{"criterionId": "clarity", "points": 3}, {"criterionId": "depth", "points": 1}]
    graded = client.post(
        f"/api/v1/attempts/{attempt['id']}/grades",
        json={"grades": [{"questionId": essay, "criteria": criteria}]},
        headers=instructor,
    )
    assert graded.status_code == 200, graded.text
    assert ids(queue(client, course, instructor, status="awaiting_grading")) == [
        attempts["learner-b"]["id"],
        attempts["learner-a"]["id"],
    ]
    done = queue(client, course, instructor, status="graded").json()["items"]
    # The objective quiz was graded on submission (after c's), so it comes after c's attempt.
    assert [a["id"] for a in done] == [attempt["id"], attempts["learner-e"]["id"]]
    assert done[0]["ungradedEssayQuestionIds"] == [] and done[0]["essayQuestionIds"] == [essay]
    assert done[0]["points"] == 5 and done[0]["score"] == graded.json()["score"] and done[0]["gradedAt"]
    assert done[1]["essayQuestionIds"] == [] and done[1]["passed"] is True


def test_without_a_status_open_attempts_come_first_then_every_submission(
    client: TestClient, classroom: dict[str, Any]
) -> None:
    course, attempts, instructor = classroom["course"], classroom["attempts"], classroom["instructor"]
    order = ["learner-d", "learner-b", "learner-c", "learner-a", "learner-e"]
    everything = queue(client, course, instructor)
    assert ids(everything) == [attempts[u]["id"] for u in order]
    still_open = everything.json()["items"][0]
    assert still_open["status"] == "open" and still_open["submittedAt"] is None and still_open["points"] is None
    assert ids(queue(client, course, instructor, status="open")) == [attempts["learner-d"]["id"]]


def test_the_queue_filters_by_quiz_lesson(client: TestClient, classroom: dict[str, Any]) -> None:
    course, attempts, instructor = classroom["course"], classroom["attempts"], classroom["instructor"]
    assert ids(queue(client, course, instructor, lessonId=SECOND_QUIZ)) == [attempts["learner-e"]["id"]]
    first_quiz = ["learner-d", "learner-b", "learner-c", "learner-a"]
    assert ids(queue(client, course, instructor, lessonId=QUIZ)) == [attempts[u]["id"] for u in first_quiz]
    assert ids(queue(client, course, instructor, lessonId=SECOND_QUIZ, status="awaiting_grading")) == []
    assert ids(queue(client, course, instructor, lessonId="no-such-lesson")) == []


def test_the_queue_pages_in_order_without_repeats(client: TestClient, classroom: dict[str, Any]) -> None:
    course, attempts, instructor = classroom["course"], classroom["attempts"], classroom["instructor"]
    seen: list[str] = []
    pages, continuation = 0, None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if continuation:
            params["continuation"] = continuation
        page = queue(client, course, instructor, **params)
        assert page.status_code == 200, page.text
        assert len(page.json()["items"]) <= 2
        seen += ids(page)
        pages += 1
        continuation = page.json()["continuation"]
        if not continuation:
            break
    assert pages == 3
    assert seen == [attempts[u]["id"] for u in ("learner-d", "learner-b", "learner-c", "learner-a", "learner-e")]


def test_staff_read_the_queue_and_a_learner_is_refused(client: TestClient, classroom: dict[str, Any]) -> None:
    tenant, course = classroom["tenant"], classroom["course"]
    for role in (Role.INSTRUCTOR, Role.TENANT_ADMIN, Role.SUPPORT_READONLY):
        assert len(ids(queue(client, course, tenant.as_(role), status="awaiting_grading"))) == 3, role
    refused = queue(client, course, tenant.as_(Role.LEARNER, "learner-a"))
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "params",
    [
        {"status": "submitted"},
        {"status": ""},
        {"lessonId": "not a lesson id!"},
        {"limit": 0},
        {"limit": 201},
        {"limit": "many"},
        {"continuation": "not-a-token"},
        {"continuation": "x" * 5000},
    ],
)
def test_bad_query_values_are_422_problems(client: TestClient, make_tenant, params: dict[str, Any]) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)["id"]
    response = queue(client, course, tenant.as_(Role.INSTRUCTOR), **params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


def test_a_continuation_of_another_query_is_refused(client: TestClient, classroom: dict[str, Any]) -> None:
    course, instructor = classroom["course"], classroom["instructor"]
    token = queue(client, course, instructor, limit=1).json()["continuation"]
    assert token
    other = queue(client, course, instructor, status="awaiting_grading", continuation=token)
    assert other.status_code == 422, other.text


def test_a_course_without_attempts_has_an_empty_queue_and_an_unknown_one_is_404(
    client: TestClient, make_tenant, classroom: dict[str, Any]
) -> None:
    tenant = classroom["tenant"]
    instructor = tenant.as_(Role.INSTRUCTOR)
    quiet = published_course(client, tenant)["id"]
    assert queue(client, quiet, instructor).json() == {"items": [], "continuation": None}
    draft = client.post("/api/v1/courses", json={"title": "Draft"}, headers=instructor).json()["id"]
    assert ids(queue(client, draft, instructor)) == []
    missing = queue(client, "no-such-course", instructor)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    other = make_tenant()
    foreign = queue(client, classroom["course"], other.as_(Role.INSTRUCTOR))
    assert foreign.status_code == 404


def test_a_deleted_course_keeps_its_attempts_listed(client: TestClient, classroom: dict[str, Any]) -> None:
    course, instructor = classroom["course"], classroom["instructor"]
    deleted = client.delete(f"/api/v1/courses/{course}", headers=classroom["tenant"].as_(Role.TENANT_ADMIN))
    assert deleted.status_code in (200, 204), deleted.text
    assert len(ids(queue(client, course, instructor, status="awaiting_grading"))) == 3
    assert queue(client, course, instructor, status="open", lessonId=SECOND_QUIZ).json()["items"] == []
