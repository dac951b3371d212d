"""Question banks and quiz settings through the HTTP API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from shared.roles import Role
from tests.factories import QUIZ_LESSON, choice_question, published_course, question_bank


def test_a_question_is_added_versioned_and_listed_with_its_key_for_staff(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    bank, [question] = question_bank(client, tenant, choice_question(1, tags=["Algebra"], difficulty="hard"))
    listed = client.get(f"/api/v1/question-banks/{bank}/questions", headers=tenant.as_(Role.SUPPORT_READONLY))
    [item] = listed.json()["items"]
    assert item["id"] == question and item["version"] == 1 and item["correct"] == ["a"]
    assert item["tags"] == ["algebra"] and item["difficulty"] == "hard"
    assert item["type"] == "single_choice"  # the question's type, never the document's kind
    assert client.get(f"/api/v1/question-banks/{bank}", headers=tenant.as_(Role.INSTRUCTOR)).json()["title"] == "Bank"


def test_a_question_for_an_unknown_bank_is_404_and_a_bad_question_is_422(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    headers = tenant.as_(Role.INSTRUCTOR)
    missing = client.post("/api/v1/question-banks/nope/questions", json=choice_question(1), headers=headers)
    assert missing.status_code == 404
    bank, _ = question_bank(client, tenant)
    bad = choice_question(1, correct=["a", "b"])
    response = client.post(f"/api/v1/question-banks/{bank}/questions", json=bad, headers=headers)
    assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")


def test_quiz_settings_belong_to_a_quiz_lesson_and_name_banks_of_the_tenant(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    headers = tenant.as_(Role.INSTRUCTOR)
    course = published_course(client, tenant, lessons=[QUIZ_LESSON, {"id": "notes", "title": "Notes", "kind": "text"}])
    bank, _ = question_bank(client, tenant)
    settings = {"pools": [{"bankId": bank, "count": 2}], "timeLimitSeconds": 600, "passMark": 75}
    base = f"/api/v1/courses/{course['id']}/lessons"
    assert client.put(f"{base}/notes/quiz", json=settings, headers=headers).status_code == 404
    unknown = {**settings, "pools": [{"bankId": "other-bank", "count": 1}]}
    assert client.put(f"{base}/{QUIZ_LESSON['id']}/quiz", json=unknown, headers=headers).status_code == 422
    assert client.get(f"{base}/{QUIZ_LESSON['id']}/quiz", headers=headers).status_code == 404  # none set yet
    saved = client.put(f"{base}/{QUIZ_LESSON['id']}/quiz", json=settings, headers=headers)
    assert saved.status_code == 200 and saved.json()["passMark"] == 75
    read = client.get(f"{base}/{QUIZ_LESSON['id']}/quiz", headers=tenant.as_(Role.SUPPORT_READONLY)).json()
    assert read["pools"] == [{"bankId": bank, "count": 2, "tags": [], "difficulty": None}]
    assert read["attemptsAllowed"] == 1 and read["showCorrectAnswers"] == "never"


def test_a_quiz_whose_pools_hold_too_few_questions_cannot_be_started(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    bank, _ = question_bank(client, tenant, choice_question(1))
    course = published_course(client, tenant, lessons=[QUIZ_LESSON])["id"]
    url = f"/api/v1/courses/{course}/lessons/{QUIZ_LESSON['id']}"
    settings = {"pools": [{"bankId": bank, "count": 2}]}
    assert client.put(f"{url}/quiz", json=settings, headers=tenant.as_(Role.INSTRUCTOR)).status_code == 200
    learner = tenant.as_(Role.LEARNER, "learner-1")
    assert client.post(f"/api/v1/courses/{course}/enrollments", json={}, headers=learner).status_code == 201
    assert client.post(f"{url}/attempts", headers=learner).status_code == 409
