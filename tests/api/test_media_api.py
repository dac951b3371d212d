"""Media over HTTP: who may upload and watch, what a bad upload becomes, and how signed URLs expire."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.media import service
from shared.media.handlers import on_upload
from shared.media.model import TRANSCODE_QUEUE, UPLOADS
from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.conftest import TenantHandle
from tests.factories import published_course
from tests.media_clips import local, make_clip, needs_ffmpeg, uris

VTT = b"WEBVTT\n\n00:00.000 --> 00:01.500\nHello <b>learners</b>\n\n00:01.500 --> 00:03.000\nWelcome &amp; enjoy\n"


def _course(client: TestClient, tenant: TenantHandle) -> str:
    lessons = (
        {"id": "intro", "title": "Intro", "kind": "video"},
        {"id": "notes", "title": "Notes", "kind": "text", "text": "Read me."},
    )
    return str(published_course(client, tenant, lessons=lessons)["id"])


def _upload(client: TestClient, tenant: TenantHandle, course: str, data: bytes, name: str = "clip.mp4") -> Any:
    ticket = client.post(
        f"/api/v1/courses/{course}/lessons/intro/video/upload-url",
        json={"filename": name},
        headers=tenant.as_(Role.INSTRUCTOR),
    )
    assert ticket.status_code == 201, ticket.text
    assert client.put(local(ticket.json()["uploadUrl"]), content=data).status_code == 201
    return ticket.json()


def _video(
    client: TestClient, tenant: TenantHandle, course: str, role: Role = Role.INSTRUCTOR, user: str | None = None
) -> Any:
    return client.get(f"/api/v1/courses/{course}/lessons/intro/video", headers=tenant.as_(role, user))


def test_an_upload_url_is_for_video_lessons_of_the_course_only(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = _course(client, tenant)
    author = tenant.as_(Role.INSTRUCTOR)
    body = {"filename": "../../etc/pass wd.mp4"}
    ok = client.post(f"/api/v1/courses/{course}/lessons/intro/video/upload-url", json=body, headers=author)
    assert ok.status_code == 201
    assert ok.json()["blobName"].startswith(f"uploads/{tenant.id}/intro/")
    assert ok.json()["blobName"].endswith("/pass-wd.mp4")
    text = client.post(f"/api/v1/courses/{course}/lessons/notes/video/upload-url", json=body, headers=author)
    assert text.status_code == 409
    missing = client.post(f"/api/v1/courses/{course}/lessons/nope/video/upload-url", json=body, headers=author)
    assert missing.status_code == 404


def test_a_signed_upload_url_writes_once_and_expires(
    client: TestClient, make_tenant, platform: Platform, clock: ManualClock
) -> None:
    tenant = make_tenant()
    course = _course(client, tenant)
    ticket = _upload(client, tenant, course, b"first")
    assert client.put(local(ticket["uploadUrl"]), content=b"second").status_code == 409
    assert platform.blobs.read_bytes(UPLOADS, ticket["blobName"].split("/", 1)[1]) == b"first"
    fresh = client.post(
        f"/api/v1/courses/{course}/lessons/intro/video/upload-url",
        json={"filename": "late.mp4"},
        headers=tenant.as_(Role.INSTRUCTOR),
    ).json()
    assert client.put(local(fresh["uploadUrl"]).replace("sig=", "sig=x"), content=b"x").status_code == 403
    clock.advance(15 * 60 + 1)
    assert client.put(local(fresh["uploadUrl"]), content=b"late").status_code == 403


def test_a_signed_upload_may_exceed_the_json_body_limit(client: TestClient, make_tenant, platform: Platform) -> None:
    tenant = make_tenant()
    big = b"\0" * (platform.settings.max_request_bytes + 1)
    ticket = _upload(client, tenant, _course(client, tenant), big)
    assert platform.blobs.info(UPLOADS, ticket["blobName"].split("/", 1)[1]).size == len(big)


@needs_ffmpeg
def test_a_file_that_is_not_a_video_fails_with_a_reason_without_blocking_the_queue(
    client: TestClient, make_tenant, platform: Platform, tmp_path: Path
) -> None:
    bad_tenant, good_tenant = make_tenant(), make_tenant()
    bad_course, good_course = _course(client, bad_tenant), _course(client, good_tenant)
    _upload(client, bad_tenant, bad_course, b"%PDF-1.4 not a video at all", "slides.mp4")
    _upload(
        client, good_tenant, good_course, make_clip(tmp_path / "ok.mp4", seconds=2, width=320, height=240).read_bytes()
    )
    LocalWorker(platform, default_jobs()).run_until_idle()
    failed = _video(client, bad_tenant, bad_course).json()
    assert failed["status"] == "failed" and "not a video" in failed["reason"]
    ready = _video(client, good_tenant, good_course).json()
    assert ready["status"] == "ready"
    assert [r["height"] for r in ready["renditions"]] == [240]  # below the lowest rung: its own height


@needs_ffmpeg
def test_a_repeated_upload_trigger_queues_one_transcode(
    client: TestClient, make_tenant, platform: Platform, tmp_path: Path
) -> None:
    tenant = make_tenant()
    course = _course(client, tenant)
    ticket = _upload(
        client, tenant, course, make_clip(tmp_path / "a.mp4", seconds=1, width=160, height=120).read_bytes()
    )
    name = ticket["blobName"].split("/", 1)[1]
    on_upload(platform, name)
    on_upload(platform, name)
    queued = platform.bus.receive(TRANSCODE_QUEUE, max_messages=10)
    assert len(queued) == 1
    assert _video(client, tenant, course).json()["status"] == "queued"


def test_an_oversized_file_fails_cleanly(client: TestClient, make_tenant, platform: Platform, monkeypatch) -> None:
    from shared.media import handlers

    monkeypatch.setattr(handlers, "MAX_UPLOAD_BYTES", 10)
    tenant = make_tenant()
    course = _course(client, tenant)
    _upload(client, tenant, course, b"0123456789abcdef")
    LocalWorker(platform, default_jobs()).run_until_idle()
    video = _video(client, tenant, course).json()
    assert video["status"] == "failed" and "at most 10" in video["reason"]
    assert platform.bus.receive(TRANSCODE_QUEUE) == []


@needs_ffmpeg
def test_playback_is_for_enrolled_learners_and_staff_and_its_urls_expire(
    client: TestClient, make_tenant, platform: Platform, clock: ManualClock, tmp_path: Path
) -> None:
    tenant, other = make_tenant(), make_tenant()
    course = _course(client, tenant)
    _upload(client, tenant, course, make_clip(tmp_path / "a.mp4", seconds=2, width=320, height=240).read_bytes())
    LocalWorker(platform, default_jobs()).run_until_idle()
    assert _video(client, tenant, course, Role.LEARNER, "stranger").status_code == 404
    assert _video(client, other, course, Role.TENANT_ADMIN).status_code == 404
    assert _video(client, other, course, Role.LEARNER, "lea").status_code == 404
    learner = tenant.as_(Role.LEARNER, "lea")
    assert client.post(f"/api/v1/courses/{course}/enrollments", json={}, headers=learner).status_code == 201
    video = _video(client, tenant, course, Role.LEARNER, "lea").json()
    support = _video(client, tenant, course, Role.SUPPORT_READONLY).json()
    assert video["manifestUrl"] and support["manifestUrl"]
    base = video["manifestUrl"].rsplit("/", 1)[0]
    variant = client.get(local(f"{base}/{uris(client.get(local(video['manifestUrl'])).text)[0]}")).text
    segment = uris(variant)[0]
    assert client.get(local(segment)).status_code == 200
    assert client.get(local(segment).replace(video["assetId"], "0" * 32)).status_code == 403
    assert client.get(local(video["manifestUrl"]).replace("token=", "token=x")).status_code == 403
    [key_line] = [line for line in variant.splitlines() if line.startswith("#EXT-X-KEY:")]
    key_uri = key_line.split('URI="', 1)[1].split('"', 1)[0]
    key_url = f"{base}/{key_uri}"
    assert client.get(local(key_url)).status_code == 200
    clock.advance(15 * 60 + 1)
    # The playlists and the key expire with the grant; an encrypted segment's URL, shared by every
    # viewer of its window, lives on (it only yields ciphertext) until at most four hours.
    assert client.get(local(video["manifestUrl"])).status_code == 403
    assert client.get(local(key_url)).status_code == 403
    assert client.get(local(segment)).status_code == 200
    clock.advance(4 * 3600)
    assert client.get(local(segment)).status_code == 403


def test_captions_are_validated_signed_and_kept_as_the_transcript(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = _course(client, tenant)
    url = f"/api/v1/courses/{course}/lessons/intro/captions"
    author = {**tenant.as_(Role.INSTRUCTOR), "Content-Type": "text/vtt"}
    assert client.put(url, content=b"not webvtt", headers=author).status_code == 422
    assert (
        client.put(url, content=b"WEBVTT\n\n" + b"00:01.000 --> 00:02.000\nx\n\n" * 40_000, headers=author).status_code
        == 413
    )
    stored = client.put(url, content=VTT, headers=author)
    assert stored.status_code == 200, stored.text
    ctx = TenantContext(tenant.id, "instructor-1", frozenset({Role.INSTRUCTOR}))
    assert service.transcript_of(platform, ctx, course, "intro") == "Hello learners\nWelcome & enjoy"
    video = _video(client, tenant, course).json()
    assert video["status"] == "none"
    assert client.get(local(video["captionsUrl"])).content == VTT
    assert (
        client.put(f"/api/v1/courses/{course}/lessons/notes/captions", content=VTT, headers=author).status_code == 409
    )


@pytest.mark.parametrize("role", [Role.LEARNER, Role.SUPPORT_READONLY])
def test_only_authors_upload_videos_and_captions(client: TestClient, make_tenant, role: Role) -> None:
    tenant = make_tenant()
    course = _course(client, tenant)
    url = f"/api/v1/courses/{course}/lessons/intro"
    assert (
        client.post(f"{url}/video/upload-url", json={"filename": "a.mp4"}, headers=tenant.as_(role)).status_code == 403
    )
    assert client.put(f"{url}/captions", content=VTT, headers=tenant.as_(role)).status_code == 403
