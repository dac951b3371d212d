"""The review queue of generated questions over HTTP: an Instructor drafts questions from a
lesson's transcript, and nothing reaches a bank before a reviewer approves a draft (as
drafted or edited); rejected drafts keep their reason. The embedded profile drafts with the
offline rule-based generator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import bootstrap
from shared.errors import DomainError, RateLimited, Unavailable
from shared.http.app import create_api
from shared.platform.clock import ManualClock
from shared.question_drafts.generator import QuestionGenerator
from shared.roles import Role
from tests.conftest import TenantHandle, Tokens, make_settings, unique_tenant_id
from tests.factories import draft_course

TRANSCRIPT = """\
The water cycle describes how water moves between the oceans, the atmosphere and the land.
Heat from the sun causes evaporation, turning liquid water from oceans and lakes into vapour.
Plants also release vapour through their leaves in a process called transpiration.
As warm air rises it cools, and the vapour condenses into tiny droplets that form clouds.
When the droplets grow heavy enough they fall back to the ground as precipitation.
Some of the water soaks into the soil and becomes groundwater stored in aquifers.
"""
LESSONS = [
    {"id": "water-cycle", "title": "The water cycle", "kind": "text", "text": TRANSCRIPT},
    {"id": "intro-video", "title": "Introduction", "kind": "video", "durationSeconds": 90},
]
FLAG_ON = {"flags": {"ai_question_drafts": True}}


@pytest.fixture
def tenant(make_tenant: Callable[..., TenantHandle]) -> TenantHandle:
    return make_tenant(**FLAG_ON)


@pytest.fixture
def course(client: TestClient, tenant: TenantHandle) -> str:
    return str(draft_course(client, tenant, lessons=LESSONS)["id"])


def generate(client: TestClient, tenant: TenantHandle, course: str, lesson: str = "water-cycle", **body: Any) -> Any:
    url = f"/api/v1/courses/{course}/lessons/{lesson}/question-drafts"
    return client.post(url, json=body or None, headers=tenant.as_(Role.INSTRUCTOR))


def drafted(client: TestClient, tenant: TenantHandle, course: str, **body: Any) -> list[dict[str, Any]]:
    response = generate(client, tenant, course, **body)
    assert response.status_code == 201, response.text
    return list(response.json()["items"])


def empty_bank(client: TestClient, tenant: TenantHandle) -> str:
    response = client.post("/api/v1/question-banks", json={"title": "Drafted"}, headers=tenant.as_(Role.INSTRUCTOR))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def bank_questions(client: TestClient, tenant: TenantHandle, bank: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/question-banks/{bank}/questions", headers=tenant.as_(Role.INSTRUCTOR))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def approve(client: TestClient, tenant: TenantHandle, draft: str, role: Role = Role.INSTRUCTOR, **body: Any) -> Any:
    return client.post(f"/api/v1/question-drafts/{draft}/approve", json=body, headers=tenant.as_(role))


def test_drafted_questions_wait_in_the_queue_and_no_bank_receives_them(
    client: TestClient, tenant: TenantHandle, course: str
) -> None:
    bank = empty_bank(client, tenant)
    drafts = drafted(client, tenant, course, count=4)
    assert len(drafts) == 4
    assert {d["status"] for d in drafts} == {"pending"}
    assert {(d["courseId"], d["lessonId"], d["generator"]) for d in drafts} == {(course, "water-cycle", "local")}
    queue = client.get("/api/v1/question-drafts?status=pending", headers=tenant.as_(Role.TENANT_ADMIN)).json()
    assert {d["id"] for d in queue["items"]} == {d["id"] for d in drafts}
    assert bank_questions(client, tenant, bank) == []


def test_a_draft_edited_and_approved_is_in_the_bank_as_edited(
    client: TestClient, tenant: TenantHandle, course: str
) -> None:
    bank = empty_bank(client, tenant)
    draft = drafted(client, tenant, course, count=1)[0]
    edited = {
        "type": "short_text",
        "prompt": "What carries water vapour up from leaves?",
        "accepted": ["transpiration"],
    }
    response = approve(client, tenant, draft["id"], bankId=bank, question=edited)
    assert response.status_code == 200, response.text
    approved = response.json()
    assert (approved["status"], approved["bankId"], approved["reviewedBy"]) == ("approved", bank, "instructor-1")
    (question,) = bank_questions(client, tenant, bank)
    assert question["id"] == approved["questionId"]
    assert (question["prompt"], question["accepted"]) == (edited["prompt"], ["transpiration"])
    stored = client.get(f"/api/v1/question-drafts/{draft['id']}", headers=tenant.as_(Role.INSTRUCTOR)).json()
    assert stored["question"]["prompt"] == edited["prompt"]


def test_a_draft_approved_as_drafted_is_in_the_bank_with_its_answer_key(
    client: TestClient, tenant: TenantHandle, course: str
) -> None:
    bank = empty_bank(client, tenant)
    draft = next(d for d in drafted(client, tenant, course) if d["question"]["type"] == "single_choice")
    response = approve(client, tenant, draft["id"], role=Role.TENANT_ADMIN, bankId=bank)
    assert response.status_code == 200, response.text
    (question,) = bank_questions(client, tenant, bank)
    assert (question["prompt"], question["options"]) == (draft["question"]["prompt"], draft["question"]["options"])
    assert question["correct"] == draft["question"]["correct"]


def test_approving_twice_is_409_and_adds_the_question_once(
    client: TestClient, tenant: TenantHandle, course: str
) -> None:
    bank = empty_bank(client, tenant)
    draft = drafted(client, tenant, course, count=1)[0]
    assert approve(client, tenant, draft["id"], bankId=bank).status_code == 200
    again = approve(client, tenant, draft["id"], bankId=bank)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert len(bank_questions(client, tenant, bank)) == 1


def test_a_rejected_draft_keeps_its_reason_and_never_reaches_a_bank(
    client: TestClient, tenant: TenantHandle, course: str
) -> None:
    bank = empty_bank(client, tenant)
    draft = drafted(client, tenant, course, count=1)[0]
    url = f"/api/v1/question-drafts/{draft['id']}/reject"
    assert client.post(url, json={}, headers=tenant.as_(Role.INSTRUCTOR)).status_code == 422
    rejected = client.post(url, json={"reason": "ambiguous distractors"}, headers=tenant.as_(Role.INSTRUCTOR))
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("rejected", "ambiguous distractors")
    assert approve(client, tenant, draft["id"], bankId=bank).status_code == 409
    assert bank_questions(client, tenant, bank) == []
    queue = client.get("/api/v1/question-drafts?status=rejected", headers=tenant.as_(Role.INSTRUCTOR)).json()
    assert [d["id"] for d in queue["items"]] == [draft["id"]]


def test_reviews_are_in_the_audit_log(client: TestClient, tenant: TenantHandle, course: str) -> None:
    bank = empty_bank(client, tenant)
    first, second = drafted(client, tenant, course, count=2)
    approve(client, tenant, first["id"], bankId=bank)
    client.post(
        f"/api/v1/question-drafts/{second['id']}/reject",
        json={"reason": "off topic"},
        headers=tenant.as_(Role.INSTRUCTOR),
    )
    log = client.get("/api/v1/audit", headers=tenant.as_(Role.TENANT_ADMIN)).json()["items"]
    reviews = {(e["action"], e["subjectId"], e["reason"]) for e in log if e["action"].startswith("question_draft.")}
    assert reviews == {
        ("question_draft.approved", first["id"], None),
        ("question_draft.rejected", second["id"], "off topic"),
    }


def test_drafting_again_queues_no_duplicate_and_a_rejection_stands(
    client: TestClient, tenant: TenantHandle, course: str
) -> None:
    first = drafted(client, tenant, course, count=3)
    reason = {"reason": "too easy"}
    client.post(f"/api/v1/question-drafts/{first[0]['id']}/reject", json=reason, headers=tenant.as_(Role.INSTRUCTOR))
    again = drafted(client, tenant, course, count=3)
    assert [d["id"] for d in again] == [d["id"] for d in first]
    assert again[0]["status"] == "rejected"
    queue = client.get("/api/v1/question-drafts", headers=tenant.as_(Role.INSTRUCTOR)).json()["items"]
    assert len(queue) == 3


def test_approving_into_a_bank_that_does_not_exist_is_422_and_the_draft_stays_pending(
    client: TestClient, tenant: TenantHandle, course: str
) -> None:
    draft = drafted(client, tenant, course, count=1)[0]
    response = approve(client, tenant, draft["id"], bankId="no-such-bank")
    assert response.status_code == 422
    assert "bankId" in response.text
    stored = client.get(f"/api/v1/question-drafts/{draft['id']}", headers=tenant.as_(Role.INSTRUCTOR)).json()
    assert stored["status"] == "pending"


def test_an_invalid_edit_is_422_and_changes_nothing(client: TestClient, tenant: TenantHandle, course: str) -> None:
    bank = empty_bank(client, tenant)
    draft = drafted(client, tenant, course, count=1)[0]
    broken = {"type": "single_choice", "prompt": "Which?", "options": [{"id": "a", "text": "A"}], "correct": ["b"]}
    assert approve(client, tenant, draft["id"], bankId=bank, question=broken).status_code == 422
    stored = client.get(f"/api/v1/question-drafts/{draft['id']}", headers=tenant.as_(Role.INSTRUCTOR)).json()
    assert stored["status"] == "pending" and stored["question"] == draft["question"]
    assert bank_questions(client, tenant, bank) == []


def test_a_lesson_without_a_transcript_is_422_and_an_unknown_lesson_404(
    client: TestClient, tenant: TenantHandle, course: str
) -> None:
    assert generate(client, tenant, course, lesson="intro-video").status_code == 422
    assert generate(client, tenant, course, lesson="no-such-lesson").status_code == 404
    assert generate(client, tenant, "no-such-course").status_code == 404


def test_a_tenant_without_ai_question_drafts_cannot_draft(
    client: TestClient, make_tenant: Callable[..., TenantHandle]
) -> None:
    tenant = make_tenant()
    course = str(draft_course(client, tenant, lessons=LESSONS)["id"])
    response = generate(client, tenant, course)
    assert response.status_code == 403
    assert "turned off" in response.json()["detail"]


def test_the_queue_filters_by_course_and_pages(client: TestClient, tenant: TenantHandle, course: str) -> None:
    drafts = drafted(client, tenant, course, count=5)
    other = str(draft_course(client, tenant, lessons=LESSONS)["id"])
    drafted(client, tenant, other, count=2)
    headers = tenant.as_(Role.SUPPORT_READONLY)
    seen: list[str] = []
    continuation = None
    while True:
        params: dict[str, Any] = {
            "courseId": course,
            "limit": 2,
            **({"continuation": continuation} if continuation else {}),
        }
        page = client.get("/api/v1/question-drafts", params=params, headers=headers).json()
        seen += [d["id"] for d in page["items"]]
        continuation = page["continuation"]
        if not continuation:
            break
    assert sorted(seen) == sorted(d["id"] for d in drafts)


def test_a_learner_can_neither_draft_nor_read_nor_review(client: TestClient, tenant: TenantHandle, course: str) -> None:
    draft = drafted(client, tenant, course, count=1)[0]
    learner = tenant.as_(Role.LEARNER)
    url = f"/api/v1/courses/{course}/lessons/water-cycle/question-drafts"
    assert client.post(url, headers=learner).status_code == 403
    assert client.get("/api/v1/question-drafts", headers=learner).status_code == 403
    assert client.get(f"/api/v1/question-drafts/{draft['id']}", headers=learner).status_code == 403
    assert approve(client, tenant, draft["id"], role=Role.LEARNER, bankId="any").status_code == 403
    reject = client.post(f"/api/v1/question-drafts/{draft['id']}/reject", json={"reason": "x"}, headers=learner)
    assert reject.status_code == 403


def test_another_tenant_gets_404_for_a_draft_id_and_sees_none_in_its_queue(
    client: TestClient, tenant: TenantHandle, course: str, make_tenant: Callable[..., TenantHandle]
) -> None:
    draft = drafted(client, tenant, course, count=1)[0]
    other = make_tenant(**FLAG_ON)
    bank = empty_bank(client, other)
    headers = other.as_(Role.TENANT_ADMIN)
    assert client.get(f"/api/v1/question-drafts/{draft['id']}", headers=headers).status_code == 404
    assert approve(client, other, draft["id"], role=Role.TENANT_ADMIN, bankId=bank).status_code == 404
    reject = client.post(f"/api/v1/question-drafts/{draft['id']}/reject", json={"reason": "x"}, headers=headers)
    assert reject.status_code == 404
    assert client.get("/api/v1/question-drafts", headers=headers).json()["items"] == []
    assert bank_questions(client, other, bank) == []


class ScriptedGenerator(QuestionGenerator):
    """A generator port that proposes what a test tells it to, or fails as a remote model can."""

    name = "scripted"

    def __init__(self) -> None:
        self.proposals: list[dict[str, Any]] = []
        self.failure: DomainError | None = None
        self.transcripts: list[str] = []

    def propose(self, transcript: str, *, count: int, language: str) -> list[dict[str, Any]]:
        self.transcripts.append(transcript)
        if self.failure is not None:
            raise self.failure
        return self.proposals


@dataclass
class Scripted:
    client: TestClient
    tenant: TenantHandle
    course: str
    generator: ScriptedGenerator


@pytest.fixture
def scripted(tmp_path: Path, clock: ManualClock) -> Iterator[Scripted]:
    """The app on a platform whose question generator is a ``ScriptedGenerator``."""
    generator = ScriptedGenerator()
    platform = bootstrap(make_settings(tmp_path / "scripted"), clock=clock, generator=generator)
    with TestClient(create_api(platform), raise_server_exceptions=False) as client:
        tokens = Tokens(platform)
        body = {"id": unique_tenant_id(), "name": "Scripted", **FLAG_ON}
        created = client.post("/api/v1/tenants", json=body, headers=tokens.super_admin())
        assert created.status_code == 201, created.text
        tenant = TenantHandle(body["id"], tokens)
        yield Scripted(client, tenant, str(draft_course(client, tenant, lessons=LESSONS)["id"]), generator)


def test_only_valid_proposals_of_any_generator_are_staged(scripted: Scripted) -> None:
    valid = {"type": "true_false", "prompt": "Clouds are made of droplets.", "answer": True}
    scripted.generator.proposals = [{"type": "true_false", "prompt": "No answer"}, valid, {"type": "poem"}]
    drafts = drafted(scripted.client, scripted.tenant, scripted.course)
    assert [(d["question"]["prompt"], d["generator"]) for d in drafts] == [(valid["prompt"], "scripted")]
    assert scripted.generator.transcripts == [TRANSCRIPT.strip()]


@pytest.mark.parametrize(
    ("failure", "status"),
    [(RateLimited("busy", retry_after_seconds=20), 429), (Unavailable("Azure OpenAI failed (503)"), 503)],
)
def test_a_generator_that_cannot_answer_now_gives_a_problem_and_stages_nothing(
    scripted: Scripted, failure: DomainError, status: int
) -> None:
    scripted.generator.failure = failure
    response = generate(scripted.client, scripted.tenant, scripted.course)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    if status == 429:
        assert response.headers["Retry-After"] == "20"
    queue = scripted.client.get("/api/v1/question-drafts", headers=scripted.tenant.as_(Role.INSTRUCTOR))
    assert queue.json()["items"] == []


def test_a_video_lesson_is_drafted_from_its_captions(client: TestClient, tenant: TenantHandle, course: str) -> None:
    cues = "".join(
        f"\n{n}\n00:00:{n:02d}.000 --> 00:00:{n + 1:02d}.000\n{line}\n"
        for n, line in enumerate(TRANSCRIPT.strip().splitlines(), start=1)
    )
    author = {**tenant.as_(Role.INSTRUCTOR), "Content-Type": "text/vtt"}
    put = client.put(
        f"/api/v1/courses/{course}/lessons/intro-video/captions", content=f"WEBVTT\n{cues}", headers=author
    )
    assert put.is_success, put.text
    response = generate(client, tenant, course, lesson="intro-video")
    assert response.status_code == 201, response.text
    prompts = " ".join(d["question"]["prompt"] for d in response.json()["items"]).lower()
    assert any(word in prompts for word in ("evaporation", "vapour", "droplets", "precipitation", "water"))
