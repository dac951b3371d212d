"""A content team drops a video straight into the uploads container, with no upload URL: the same
trigger (the Azure blob trigger, the local worker's watcher) finds the lesson's course, transcodes it,
and refuses a drop whose lesson it cannot place."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure.storage.blob import BlobClient
from fastapi.testclient import TestClient

import functions.media as media_trigger
from shared.media.model import UPLOADS
from shared.platform.runtime import Platform
from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.conftest import TenantHandle
from tests.e2e.test_progress_events import function_of
from tests.factories import published_course
from tests.media_clips import make_clip, needs_ffmpeg

VIDEO_LESSON = ({"id": "welcome", "title": "Welcome", "kind": "video"},)


def _video(client: TestClient, tenant: TenantHandle, course: str) -> dict[str, object]:
    response = client.get(f"/api/v1/courses/{course}/lessons/welcome/video", headers=tenant.as_(Role.INSTRUCTOR))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _drop(platform: Platform, tenant: TenantHandle, data: bytes, batch: str = "drop-1") -> str:
    name = f"{tenant.id}/welcome/{batch}/welcome.mp4"
    platform.blobs.write(UPLOADS, name, data, content_type="video/mp4")
    return name


@needs_ffmpeg
def test_a_first_drop_into_a_new_video_lesson_is_transcoded_for_its_course(
    client: TestClient, make_tenant, platform: Platform, tmp_path: Path
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant, lessons=VIDEO_LESSON)["id"]
    _drop(platform, tenant, make_clip(tmp_path / "w.mp4", seconds=1, width=160, height=120).read_bytes())
    LocalWorker(platform, default_jobs()).run_until_idle()
    assert _video(client, tenant, course)["status"] == "ready"


def test_a_drop_whose_lesson_id_is_in_two_courses_fails_with_a_reason(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    first = published_course(client, tenant, lessons=VIDEO_LESSON)["id"]
    published_course(client, tenant, lessons=VIDEO_LESSON)
    _drop(platform, tenant, b"bytes that never get probed")
    LocalWorker(platform, default_jobs()).run_until_idle()
    assert _video(client, tenant, first)["status"] == "none"  # nothing is attached to either course


@needs_ffmpeg
def test_the_azure_blob_trigger_takes_the_name_from_its_blob_client_and_fails_a_non_video_cleanly(
    client: TestClient, make_tenant, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant, lessons=VIDEO_LESSON)["id"]
    name = _drop(platform, tenant, b"%PDF-1.4 slides, not a video")
    monkeypatch.setattr(media_trigger, "default_platform", lambda: platform)
    trigger = function_of(media_trigger.bp, "blobTrigger")
    # What the SDK-type binding hands the function: a client of the blob, never its bytes.
    trigger(BlobClient("https://lmsmedia.blob.core.windows.net", container_name=UPLOADS, blob_name=name))
    video = _video(client, tenant, course)
    assert video["status"] == "failed" and "not a video" in str(video["reason"])
