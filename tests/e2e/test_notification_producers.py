"""What tells users things on the embedded profile: a graded quiz (through the events topic and the
worker's notifications consumer), a course assigned by staff, and a transcoded video."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from shared.media.handlers import transcode_job
from shared.platform.bus import OutgoingMessage
from shared.platform.runtime import Platform
from shared.platform.topology import EVENTS_TOPIC
from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.factories import QUIZ_LESSON, enroll, published_course, question_bank, quiz_course
from tests.media_clips import make_clip, needs_ffmpeg


def notifications_of(client: TestClient, headers: dict[str, str], kind: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/me/notifications", headers=headers)
    assert response.status_code == 200, response.text
    return [n for n in response.json()["items"] if n["kind"] == kind]


def quiz_graded(tenant: str, course: str, user: str) -> dict[str, Any]:
    return {
        "id": "quiz-graded-walkthrough",
        "type": "QuizGraded",
        "at": "2026-03-01T10:00:00+00:00",
        "seq": 1,
        "tenantId": tenant,
        "userId": user,
        "courseId": course,
        "version": 1,
        "lessonId": QUIZ_LESSON["id"],
        "attemptId": "attempt-1",
        "passed": True,
        "score": 87.5,
    }


def test_a_quiz_graded_event_delivered_three_times_notifies_the_learner_once(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant, title="Tides 101", lessons=[QUIZ_LESSON])["id"]
    event = quiz_graded(tenant.id, course, "lea")
    # Three deliveries of one event: distinct message ids, as after the bus's duplicate window.
    copies = [
        OutgoingMessage.of_json(
            event, message_id=f"{event['id']}-{n}", subject="QuizGraded", properties={"type": "QuizGraded"}
        )
        for n in range(3)
    ]
    platform.bus.send(EVENTS_TOPIC, copies)
    LocalWorker(platform, default_jobs()).run_until_idle()

    [note] = notifications_of(client, tenant.as_(Role.LEARNER, "lea"), "quiz_graded")
    assert note["body"] == "You scored 87.5% on the quiz in Tides 101 and passed."
    assert note["link"] == "/api/v1/attempts/attempt-1"
    assert notifications_of(client, tenant.as_(Role.LEARNER, "someone-else"), "quiz_graded") == []


def test_submitting_a_quiz_through_the_api_notifies_the_learner_of_the_grade(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    bank, _ = question_bank(client, tenant)
    course = quiz_course(client, tenant, bank, count=3, passMark=60)["id"]
    enroll(client, tenant, course, "lea")
    lea = tenant.as_(Role.LEARNER, "lea")
    attempt = client.post(f"/api/v1/courses/{course}/lessons/{QUIZ_LESSON['id']}/attempts", headers=lea).json()
    answers = {item["questionId"]: "b" for item in attempt["items"]}  # all wrong
    assert client.put(f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": answers}, headers=lea).is_success
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=lea).status_code == 200

    LocalWorker(platform, default_jobs()).run_until_idle()
    LocalWorker(platform, default_jobs()).run_until_idle()  # a second worker round finds nothing new

    [note] = notifications_of(client, lea, "quiz_graded")
    assert "You scored 0% on the quiz" in note["body"] and note["body"].endswith("did not pass.")
    assert note["link"] == f"/api/v1/attempts/{attempt['id']}"


def test_a_course_assigned_by_an_instructor_notifies_the_learner_once(
    client: TestClient, make_tenant, make_user
) -> None:
    tenant = make_tenant(flags={"self_enrollment": True})
    learner = make_user(tenant)
    course = published_course(client, tenant, title="Safety at sea", selfEnrollment=True)["id"]
    instructor = tenant.as_(Role.INSTRUCTOR)
    body = {"userId": learner["id"], "dueDate": "2031-01-31"}
    for _ in range(2):  # the second assignment finds the learner enrolled
        assert client.post(f"/api/v1/courses/{course}/enrollments", json=body, headers=instructor).is_success

    [note] = notifications_of(client, tenant.as_(Role.LEARNER, learner["id"]), "enrollment_assigned")
    assert note["body"] == "You are enrolled in Safety at sea. It is due on 2031-01-31."
    assert note["link"] == f"/api/v1/courses/{course}"
    assert notifications_of(client, instructor, "enrollment_assigned") == []

    self_enrolled = tenant.as_(Role.LEARNER, "sam")
    assert client.post(f"/api/v1/courses/{course}/enrollments", json={}, headers=self_enrolled).status_code == 201
    assert notifications_of(client, self_enrolled, "enrollment_assigned") == []  # nobody assigned anything


@needs_ffmpeg
def test_a_transcoded_video_notifies_the_instructor_who_uploaded_it(
    client: TestClient, make_tenant, platform: Platform, tmp_path: Path
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)["id"]
    uploader = tenant.as_(Role.INSTRUCTOR, "ines")
    ticket = client.post(
        f"/api/v1/courses/{course}/lessons/intro/video/upload-url", json={"filename": "a.mp4"}, headers=uploader
    ).json()
    clip = make_clip(tmp_path / "a.mp4", seconds=1, width=320, height=180, audio=False)
    upload_path = ticket["uploadUrl"].split("://", 1)[1].split("/", 1)[1]
    put = client.put(f"/{upload_path}", content=clip.read_bytes(), headers=ticket["headers"])
    assert put.status_code == 201, put.text
    assert notifications_of(client, uploader, "video_ready") == []

    LocalWorker(platform, default_jobs()).run_until_idle()

    [note] = notifications_of(client, uploader, "video_ready")
    assert note["link"] == f"/api/v1/courses/{course}/lessons/intro/video"
    video = client.get(note["link"], headers=uploader).json()
    assert video["status"] == "ready"
    transcode_job(platform, {"tenantId": tenant.id, "assetId": video["assetId"]}, last_attempt=False)  # a repeat
    assert len(notifications_of(client, uploader, "video_ready")) == 1
    assert notifications_of(client, tenant.as_(Role.INSTRUCTOR, "someone-else"), "video_ready") == []
