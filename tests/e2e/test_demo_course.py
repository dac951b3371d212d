"""The demo course as `make run` seeds it: a welcome video that really plays (a generated clip through
the real upload, validation and transcode), the handbook, and a check-in quiz a learner can pass, so a
learner signed in through the dev sign-in completes the course and earns its certificate."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from shared import localrun
from shared.localrun import CHECK_IN_QUESTIONS, DEMO_COURSE, DEMO_TENANT, seed_demo
from shared.media.model import UPLOADS
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.api.test_cross_tenant_walker import snapshot
from tests.e2e.test_local_runtime import local_runtime
from tests.media_clips import needs_ffmpeg

COURSE = f"/api/v1/courses/{DEMO_COURSE}"
DEMO_USERS = [
    {"tenantId": "demo", "tenantName": "Demo Academy", "userId": "admin", "displayName": "Ada Admin",
     "roles": ["TenantAdmin"]},
    {"tenantId": "demo", "tenantName": "Demo Academy", "userId": "instructor", "displayName": "Ian Instructor",
     "roles": ["Instructor"]},
    {"tenantId": "demo", "tenantName": "Demo Academy", "userId": "learner", "displayName": "Lea Learner",
     "roles": ["Learner"]},
    {"tenantId": "demo", "tenantName": "Demo Academy", "userId": "support", "displayName": "Sam Support",
     "roles": ["SupportReadonly"]},
]  # fmt: skip


def right_answer(item: dict[str, Any]) -> Any:
    """What a learner who read the handbook answers to a drawn question (found by its prompt)."""
    question = next(q for q in CHECK_IN_QUESTIONS if q["prompt"] == item["prompt"])
    return {
        "single_choice": lambda: question["correct"][0],
        "multiple_choice": lambda: question["correct"],
        "true_false": lambda: question["answer"],
        "short_text": lambda: question["accepted"][0].lower(),
    }[question["type"]]()


def eventually(check: Callable[[], Any], *, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.25)


def sign_in(base: str, user: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/v1/dev/sign-in", json={"tenantId": DEMO_TENANT, "userId": user}, timeout=5)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['accessToken']}"}


def ready_video(base: str, headers: dict[str, str]) -> dict[str, Any]:
    def ready() -> dict[str, Any] | None:
        video = httpx.get(f"{base}{COURSE}/lessons/welcome/video", headers=headers, timeout=5).json()
        assert video["status"] != "failed", video
        return video if video["status"] == "ready" else None

    found: dict[str, Any] = eventually(ready, seconds=60, what="the welcome video is ready")
    return found


@pytest.mark.slow
@needs_ffmpeg
def test_a_learner_signs_in_watches_reads_passes_the_quiz_and_completes_the_demo_course(tmp_path: Path) -> None:
    with local_runtime(tmp_path / "data") as (base, _):
        started = time.monotonic()
        listed = httpx.get(f"{base}/api/v1/dev/sign-in", timeout=5)
        assert listed.json() == {"users": DEMO_USERS}
        instructor, learner = sign_in(base, "instructor"), sign_in(base, "learner")

        video = ready_video(base, instructor)
        assert time.monotonic() - started < 30, "the demo video should be ready seconds after the start"
        assert [r["name"] for r in video["renditions"]] == ["360p"]
        assert video["durationSeconds"] == pytest.approx(localrun.CLIP_SECONDS, abs=0.3)
        course = httpx.get(f"{base}{COURSE}", headers=learner, timeout=5).json()
        lessons = {lesson["id"]: lesson for lesson in course["outline"]["modules"][0]["lessons"]}
        assert lessons["welcome"]["durationSeconds"] == localrun.CLIP_SECONDS  # what the learner must watch

        enrolled = httpx.post(f"{base}{COURSE}/enrollments", json={}, headers=learner, timeout=5)
        assert enrolled.status_code == 201, enrolled.text
        playable = httpx.get(f"{base}{COURSE}/lessons/welcome/video", headers=learner, timeout=5).json()
        master = httpx.get(playable["manifestUrl"], timeout=5)
        assert master.status_code == 200 and master.text.startswith("#EXTM3U")
        variant_uri = next(line for line in master.text.splitlines() if line and not line.startswith("#"))
        variant = httpx.get(urljoin(playable["manifestUrl"], variant_uri), timeout=5)
        assert "#EXT-X-ENDLIST" in variant.text
        segment_url = next(line for line in variant.text.splitlines() if line and not line.startswith("#"))
        segment = httpx.get(segment_url, timeout=5)
        assert segment.status_code == 200 and len(segment.content) > 1000

        events = [
            {"type": "watch", "courseId": DEMO_COURSE, "lessonId": "welcome", "from": 0, "to": localrun.CLIP_SECONDS},
            {"type": "read", "courseId": DEMO_COURSE, "lessonId": "handbook"},
        ]
        batch = {"batchId": f"demo-{uuid.uuid4().hex}", "events": events}
        receipt = httpx.post(f"{base}/api/v1/progress", json=batch, headers=learner, timeout=5).json()
        assert (receipt["accepted"], receipt["rejected"]) == (2, [])
        progress = httpx.get(f"{base}/api/v1/me/courses/{DEMO_COURSE}/progress", headers=learner, timeout=5).json()
        assert progress["missing"] == ["check-in"]

        attempt = httpx.post(f"{base}{COURSE}/lessons/check-in/attempts", headers=learner, timeout=5).json()
        assert len(attempt["items"]) == len(CHECK_IN_QUESTIONS) and attempt["deadline"]
        answers = {item["questionId"]: right_answer(item) for item in attempt["items"]}
        saved = httpx.put(
            f"{base}/api/v1/attempts/{attempt['id']}/answers", json={"answers": answers}, headers=learner, timeout=5
        )
        assert saved.status_code == 200, saved.text
        graded = httpx.post(f"{base}/api/v1/attempts/{attempt['id']}/submit", headers=learner, timeout=5).json()
        assert (graded["status"], graded["passed"], graded["score"]) == ("graded", True, 100.0)

        def completed() -> dict[str, Any] | None:
            url = f"{base}/api/v1/me/courses/{DEMO_COURSE}/progress"
            view = httpx.get(url, headers=learner, timeout=5).json()
            return view if view["state"] == "completed" else None

        assert eventually(completed, seconds=30, what="the course completes")["missing"] == []
        certificates = eventually(
            lambda: httpx.get(f"{base}/api/v1/me/certificates", headers=learner, timeout=5).json()["items"],
            seconds=30,
            what="the certificate is issued",
        )
        assert [c["courseId"] for c in certificates] == [DEMO_COURSE]


@pytest.mark.slow
@needs_ffmpeg
def test_a_second_start_on_the_same_data_seeds_nothing_again(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with local_runtime(data) as (base, _):
        first = ready_video(base, sign_in(base, "instructor"))
    with local_runtime(data) as (base, lines):
        instructor = sign_in(base, "instructor")
        again = ready_video(base, instructor)
        assert again["assetId"] == first["assetId"]  # no second upload
        banks = httpx.get(f"{base}/api/v1/question-banks", headers=instructor, timeout=5).json()["items"]
        assert [b["title"] for b in banks] == [localrun.CHECK_IN_BANK]
        course = httpx.get(f"{base}{COURSE}", headers=instructor, timeout=5).json()
        assert course["latestVersion"] == 1
        assert any(line.startswith("API on") for line in lines)


def test_seeding_twice_in_a_row_changes_nothing(platform: Platform) -> None:
    seed_demo(platform)
    LocalWorker(platform, default_jobs()).run_until_idle()
    documents, blobs = snapshot(platform), sorted(b.name for b in platform.blobs.list(UPLOADS))
    seed_demo(platform)
    assert snapshot(platform) == documents
    assert sorted(b.name for b in platform.blobs.list(UPLOADS)) == blobs


def test_without_ffmpeg_the_video_is_skipped_with_a_log_line_and_seeded_once_ffmpeg_is_there(
    platform: Platform, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with monkeypatch.context() as patch, caplog.at_level(logging.WARNING, logger="lms.localrun"):
        patch.setattr(localrun, "ffmpeg_binary", lambda: None)
        seed_demo(platform)
    assert any("no ffmpeg" in r.getMessage() and "welcome video" in r.getMessage() for r in caplog.records)
    assert list(platform.blobs.list(UPLOADS)) == []
    ctx = TenantContext(tenant_id=DEMO_TENANT, user_id="instructor", roles=frozenset({Role.INSTRUCTOR}))
    assert localrun.assessment.get_quiz(platform, ctx, DEMO_COURSE, "check-in").passMark == 60.0  # the rest is there
    if localrun.ffmpeg_binary() is not None:
        seed_demo(platform)  # the next start, with ffmpeg
        assert len(list(platform.blobs.list(UPLOADS))) == 1
