"""Usage billing fed by events on the embedded profile: the handler counts each fact once (however
often an event is delivered, a learner once a month), the worker's consumer of the ``billing``
subscription does the same through the bus, real learning activity makes active learners, and a
finished transcode publishes ``VideoTranscoded`` even when the first try stopped before it."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from shared.billing import service
from shared.billing.handlers import BILLING_EVENTS, on_event
from shared.billing.model import MonthUsage, month_of
from shared.errors import Unavailable
from shared.media.handlers import transcode_job
from shared.platform.bus import MessageBus, OutgoingMessage
from shared.platform.runtime import Platform
from shared.platform.topology import EVENTS_TOPIC
from shared.roles import Role
from shared.worker import Job, LocalWorker, bus_consumers, default_jobs
from tests.factories import completed_course, published_course
from tests.media_clips import make_clip, needs_ffmpeg

MARCH = "2026-03-14T09:30:00+00:00"
APRIL = "2026-04-02T18:00:00+00:00"


def usage(platform: Platform, tenant: str, at: str) -> MonthUsage:
    month = month_of(datetime.fromisoformat(at))
    return service.usage_report(platform, service.system_context(tenant), month).usage


def all_but_billing() -> list[Job]:
    return [job for job in default_jobs() if getattr(job, "entity", None) != BILLING_EVENTS]


def waiting_for_billing(platform: Platform) -> list[dict[str, Any]]:
    """The events waiting on the billing subscription, left there (released) for its consumer."""
    received = platform.bus.receive(BILLING_EVENTS, max_messages=100)
    for message in received:
        platform.bus.abandon(message)
    return [json.loads(m.body) for m in received]


def lesson_completed(tenant: str, user: str, at: str, n: int = 1) -> dict[str, Any]:
    return {
        "id": f"lesson-completed-{user}-{n}",
        "type": "LessonCompleted",
        "tenantId": tenant,
        "userId": user,
        "courseId": "tides",
        "version": 1,
        "lessonId": f"lesson-{n}",
        "at": at,
    }


def quiz_graded(tenant: str, user: str, at: str, n: int = 1) -> dict[str, Any]:
    return {
        "id": f"quiz-graded-{user}-{n}",
        "type": "QuizGraded",
        "tenantId": tenant,
        "userId": user,
        "courseId": "tides",
        "version": 1,
        "seq": 1,
        "lessonId": f"lesson-{n}",
        "attemptId": f"attempt-{n}",
        "passed": True,
        "score": 80.0,
        "at": at,
    }


def progress_changed(tenant: str, user: str, at: str, n: int = 1) -> dict[str, Any]:
    return {
        "id": f"progress-changed-{user}-{n}",
        "type": "CourseProgressChanged",
        "tenantId": tenant,
        "userId": user,
        "courseId": "tides",
        "version": 1,
        "seq": n,
        "percent": 10.0,
        "state": "in_progress",
        "lessons": {},
        "at": at,
    }


def enrollment_created(tenant: str, user: str, course: str, at: str = MARCH) -> dict[str, Any]:
    return {
        "id": f"enrollment-created-{user}-{course}",
        "type": "EnrollmentCreated",
        "tenantId": tenant,
        "userId": user,
        "courseId": course,
        "version": 1,
        "source": "self",
        "at": at,
    }


def video_transcoded(tenant: str, asset: str, seconds: float, at: str = MARCH) -> dict[str, Any]:
    return {
        "id": f"video-transcoded-{asset}",
        "type": "VideoTranscoded",
        "tenantId": tenant,
        "courseId": "tides",
        "lessonId": "intro",
        "assetId": asset,
        "durationSeconds": seconds,
        "at": at,
    }


def test_the_same_event_delivered_three_times_counts_once(platform: Platform) -> None:
    for _ in range(3):
        on_event(platform, lesson_completed("acme", "lea", MARCH))
        on_event(platform, enrollment_created("acme", "lea", "tides"))
        on_event(platform, video_transcoded("acme", "a1", 90))
    march = usage(platform, "acme", MARCH)
    assert (march.activeLearners, march.enrollments, march.videoMinutes) == (1, 1, 1.5)


def test_a_learner_counts_once_a_month_and_in_each_month_they_learn(platform: Platform) -> None:
    on_event(platform, lesson_completed("acme", "lea", MARCH, n=1))
    on_event(platform, lesson_completed("acme", "lea", "2026-03-30T23:59:00+00:00", n=2))
    on_event(platform, quiz_graded("acme", "lea", APRIL, n=3))
    on_event(platform, progress_changed("acme", "sam", MARCH, n=1))
    assert usage(platform, "acme", MARCH).activeLearners == 2
    assert usage(platform, "acme", APRIL).activeLearners == 1


def test_enrollments_and_video_minutes_add_up_per_fact_and_per_tenant(platform: Platform) -> None:
    on_event(platform, enrollment_created("acme", "lea", "tides"))
    on_event(platform, enrollment_created("acme", "lea", "waves"))
    on_event(platform, enrollment_created("acme", "sam", "tides", at=APRIL))
    on_event(platform, enrollment_created("other", "kim", "tides"))
    on_event(platform, video_transcoded("acme", "a1", 90))
    on_event(platform, video_transcoded("acme", "a2", 45.6))
    march = usage(platform, "acme", MARCH)
    assert (march.enrollments, march.videoMinutes, march.activeLearners) == (2, 2.26, 0)
    assert usage(platform, "acme", APRIL).enrollments == 1
    assert usage(platform, "other", MARCH).enrollments == 1


def test_events_of_other_types_pass_and_a_malformed_one_raises_for_a_retry(platform: Platform) -> None:
    on_event(platform, {"id": "e1", "type": "CourseCreated", "tenantId": "acme"})
    with pytest.raises(ValidationError):
        on_event(platform, {"id": "e2", "type": "VideoTranscoded", "tenantId": "acme", "at": MARCH})
    assert usage(platform, "acme", MARCH) == usage(platform, "nobody", MARCH)


def test_events_on_the_billing_subscription_are_counted_once_by_the_worker(platform: Platform) -> None:
    events = [lesson_completed("acme", "lea", MARCH), enrollment_created("acme", "lea", "tides")]
    # Three deliveries of each: distinct message ids, as after the bus's duplicate window.
    copies = [
        OutgoingMessage.of_json(
            event, message_id=f"{event['id']}-{n}", subject=event["type"], properties={"type": event["type"]}
        )
        for event in events
        for n in range(3)
    ]
    platform.bus.send(EVENTS_TOPIC, copies)
    [consumer] = [c for c in bus_consumers() if c.entity == BILLING_EVENTS]
    assert LocalWorker(platform, [consumer]).run_until_idle() == 6
    march = usage(platform, "acme", MARCH)
    assert (march.activeLearners, march.enrollments) == (1, 1)


def test_learners_enrolling_and_completing_courses_through_the_api_are_metered(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    completed_course(client, tenant, "lea")
    completed_course(client, tenant, "lea")
    completed_course(client, tenant, "sam")
    LocalWorker(platform, default_jobs()).run_until_idle()
    response = client.get("/api/v1/usage", headers=tenant.as_(Role.TENANT_ADMIN))
    assert response.status_code == 200, response.text
    metered = response.json()["usage"]
    assert (metered["activeLearners"], metered["enrollments"]) == (2, 3)


class LosesTheFirstVideoEvent:
    """The embedded bus, except that the first VideoTranscoded send fails: a transcoder that stops
    between marking the asset ready and publishing."""

    def __init__(self, inner: MessageBus) -> None:
        self.inner = inner
        self.lost = 0

    def send(self, entity: str, messages: Sequence[OutgoingMessage]) -> None:
        if not self.lost and any(m.subject == "VideoTranscoded" for m in messages):
            self.lost += 1
            raise Unavailable("the bus went away")
        self.inner.send(entity, messages)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@needs_ffmpeg
def test_a_transcode_publishes_video_transcoded_once_even_after_stopping_before_it(
    client: TestClient, make_tenant, platform: Platform, tmp_path: Path
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)["id"]
    uploader = tenant.as_(Role.INSTRUCTOR, "ines")
    ticket = client.post(
        f"/api/v1/courses/{course}/lessons/intro/video/upload-url", json={"filename": "a.mp4"}, headers=uploader
    ).json()
    clip = make_clip(tmp_path / "a.mp4", seconds=1.5, width=320, height=180, audio=False)
    upload_path = ticket["uploadUrl"].split("://", 1)[1].split("/", 1)[1]
    assert client.put(f"/{upload_path}", content=clip.read_bytes(), headers=ticket["headers"]).status_code == 201

    losing = LosesTheFirstVideoEvent(platform.bus)
    LocalWorker(dataclasses.replace(platform, bus=losing), all_but_billing()).run_until_idle()
    assert losing.lost == 1  # the first try stopped after marking the asset ready; its retry published
    video = client.get(f"/api/v1/courses/{course}/lessons/intro/video", headers=uploader).json()
    assert video["status"] == "ready"
    transcode_job(platform, {"tenantId": tenant.id, "assetId": video["assetId"]}, last_attempt=False)  # a repeat

    [event] = [e for e in waiting_for_billing(platform) if e["type"] == "VideoTranscoded"]
    LocalWorker(platform, default_jobs()).run_until_idle()
    assert (event["tenantId"], event["courseId"], event["lessonId"]) == (tenant.id, course, "intro")
    assert event["assetId"] == video["assetId"] and event["durationSeconds"] == pytest.approx(1.5, abs=0.1)
    minutes = client.get("/api/v1/usage", headers=tenant.as_(Role.TENANT_ADMIN)).json()["usage"]["videoMinutes"]
    assert minutes == round(event["durationSeconds"] / 60, 2)


def test_a_repeated_job_of_an_asset_already_ready_publishes_its_event(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    """Without ffmpeg: the asset is made ready as the transcoder leaves it, then its job comes again."""
    from shared.media.model import MEDIA
    from shared.platform.tenancy import DictDocuments

    tenant = make_tenant()
    ready_at = platform.clock.now().isoformat()
    asset = {
        "id": "asset.a1",
        "type": "asset",
        "assetId": "a1",
        "lessonId": "intro",
        "courseId": "tides",
        "upload": f"{tenant.id}/intro/dropped/a.mp4",
        "uploadedAt": ready_at,
        "status": "ready",
        "durationSeconds": 120.0,
        "updatedAt": ready_at,
    }
    DictDocuments(platform.documents, MEDIA, service.system_context(tenant.id)).create(asset)
    for _ in range(2):
        transcode_job(platform, {"tenantId": tenant.id, "assetId": "a1"}, last_attempt=False)

    [event] = waiting_for_billing(platform)
    LocalWorker(platform, default_jobs()).run_until_idle()
    assert event == {
        "id": "video-transcoded-a1",
        "type": "VideoTranscoded",
        "eventVersion": 1,
        "tenantId": tenant.id,
        "courseId": "tides",
        "lessonId": "intro",
        "assetId": "a1",
        "durationSeconds": 120.0,
        "at": ready_at,
    }
    usage_now = client.get("/api/v1/usage", headers=tenant.as_(Role.TENANT_ADMIN)).json()["usage"]
    assert usage_now["videoMinutes"] == 2.0
