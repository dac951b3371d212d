"""Encrypted HLS over real sockets: ffmpeg plays the AES-128 ladder through the playlist and key
routes as a player does; segments are one URL for every viewer (what the CDN caches) while the key
is per learner, and refused to whoever holds no grant for that very video."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from shared.bootstrap import bootstrap
from shared.http.app import create_api
from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.conftest import TenantHandle, make_settings
from tests.factories import published_course
from tests.media_clips import (
    FFMPEG,
    decrypt_segment,
    local,
    make_clip,
    media_sequence,
    needs_ffmpeg,
    probe_streams,
    upload_clip,
    uris,
)

pytestmark = needs_ffmpeg


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def port() -> int:
    return _free_port()


@pytest.fixture
def platform(tmp_path: Path, clock: ManualClock, port: int) -> Platform:
    # Signed blob URLs must name the live server, which ffmpeg follows.
    return bootstrap(make_settings(tmp_path / "data", public_base_url=f"http://127.0.0.1:{port}"), clock=clock)


@pytest.fixture
def live(platform: Platform, port: int) -> Iterator[str]:
    """The API on a real socket of 127.0.0.1, stopped when the test ends."""
    server = uvicorn.Server(uvicorn.Config(create_api(platform), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the live server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _ready_video(client: TestClient, platform: Platform, tenant: TenantHandle, folder: Path) -> tuple[str, str]:
    """A published course whose first lesson has a transcoded clip; (course id, lesson path)."""
    course = published_course(client, tenant)
    lesson = f"/api/v1/courses/{course['id']}/lessons/intro"
    clip = make_clip(folder / f"{tenant.id}.mp4", seconds=3, width=640, height=360)
    upload_clip(client, lesson, clip, tenant.as_(Role.INSTRUCTOR))
    LocalWorker(platform, default_jobs()).run_until_idle()
    return course["id"], lesson


def _enrolled(client: TestClient, tenant: TenantHandle, course_id: str, user: str) -> dict[str, str]:
    learner = tenant.as_(Role.LEARNER, user)
    assert client.post(f"/api/v1/courses/{course_id}/enrollments", json={}, headers=learner).status_code == 201
    return learner


def _variant(client: TestClient, video: dict[str, Any]) -> tuple[str, str]:
    """The URL and text of the first variant playlist of a video view's master playlist."""
    master = client.get(local(video["manifestUrl"]))
    assert master.status_code == 200, master.text
    url = urljoin(video["manifestUrl"], uris(master.text)[0])
    variant = client.get(local(url))
    assert variant.status_code == 200, variant.text
    return url, variant.text


def _key_url(variant_url: str, text: str) -> str:
    [line] = [line for line in text.splitlines() if line.startswith("#EXT-X-KEY:")]
    return urljoin(variant_url, line.split('URI="', 1)[1].split('"', 1)[0])


def test_ffmpeg_plays_the_encrypted_ladder_through_the_key_route(
    client: TestClient, platform: Platform, clock: ManualClock, make_tenant, live: str, tmp_path: Path
) -> None:
    tenant = make_tenant()
    course_id, lesson = _ready_video(client, platform, tenant, tmp_path)
    learner = _enrolled(client, tenant, course_id, "lea")
    video = httpx.get(f"{live}{lesson}/video", headers=learner).json()
    assert video["status"] == "ready" and video["manifestUrl"].startswith(live)

    # ffmpeg as the player: the master playlist, the variant, the key from the key route, the segments.
    out = tmp_path / "played.ts"
    command = [str(FFMPEG), "-v", "error", "-i", video["manifestUrl"], "-map", "0", "-c", "copy", "-y", str(out)]
    done = subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    found = probe_streams(out)
    assert {s["codec_type"] for s in found["streams"]} == {"video", "audio"}
    assert float(found["format"]["duration"]) == pytest.approx(3, abs=0.3)

    # Once the grant has expired, neither its playlists nor its key are served: nothing plays.
    clock.advance(seconds=16 * 60)  # the grant lives 15 minutes
    refused = subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert refused.returncode != 0


def test_a_segment_is_useless_without_the_key_and_plays_with_it(
    client: TestClient, platform: Platform, clock: ManualClock, make_tenant, tmp_path: Path
) -> None:
    tenant = make_tenant()
    course_id, lesson = _ready_video(client, platform, tenant, tmp_path)
    video = client.get(f"{lesson}/video", headers=_enrolled(client, tenant, course_id, "lea")).json()
    url, text = _variant(client, video)
    segment = client.get(local(uris(text)[0])).content
    raw = tmp_path / "raw.ts"
    raw.write_bytes(segment)
    with pytest.raises(subprocess.CalledProcessError):
        probe_streams(raw)
    key = client.get(local(_key_url(url, text))).content
    plain = tmp_path / "plain.ts"
    plain.write_bytes(decrypt_segment(segment, key, media_sequence(text)))
    assert any(s["codec_type"] == "video" for s in probe_streams(plain)["streams"])


def test_every_viewer_gets_the_same_segment_urls_and_a_key_url_of_their_own(
    client: TestClient, platform: Platform, clock: ManualClock, make_tenant, tmp_path: Path
) -> None:
    tenant = make_tenant()
    course_id, lesson = _ready_video(client, platform, tenant, tmp_path)
    first = client.get(f"{lesson}/video", headers=_enrolled(client, tenant, course_id, "ana")).json()
    clock.advance(seconds=7)  # another viewer, a little later
    second = client.get(f"{lesson}/video", headers=_enrolled(client, tenant, course_id, "ben")).json()
    (url_a, text_a), (url_b, text_b) = _variant(client, first), _variant(client, second)
    assert uris(text_a) == uris(text_b)  # one cache entry per segment, whoever watches
    assert _key_url(url_a, text_a) != _key_url(url_b, text_b)  # the key is fetched per learner
    assert client.get(local(_key_url(url_a, text_a))).content == client.get(local(_key_url(url_b, text_b))).content


def test_the_key_route_refuses_a_grant_of_another_video_of_another_tenant(
    client: TestClient, platform: Platform, clock: ManualClock, make_tenant, tmp_path: Path
) -> None:
    academy, rival = make_tenant(), make_tenant()
    course_a, lesson_a = _ready_video(client, platform, academy, tmp_path)
    course_b, lesson_b = _ready_video(client, platform, rival, tmp_path)
    video_a = client.get(f"{lesson_a}/video", headers=_enrolled(client, academy, course_a, "lea")).json()
    video_b = client.get(f"{lesson_b}/video", headers=_enrolled(client, rival, course_b, "eve")).json()
    url_b, text_b = _variant(client, video_b)
    eves_key_url = _key_url(url_b, text_b)
    assert client.get(local(eves_key_url)).status_code == 200
    # Eve, of the rival tenant, asks for the academy's video's key with the grant she holds.
    stolen = eves_key_url.replace(f"/keys/{video_b['assetId']}?", f"/keys/{video_a['assetId']}?")
    refused = client.get(local(stolen))
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    # Nor does a tampered or missing grant open anything.
    forged = client.get(f"/api/v1/media/keys/{video_a['assetId']}", params={"token": "x.y.z"})
    assert forged.status_code == 403
    assert client.get(f"/api/v1/media/keys/{video_a['assetId']}").status_code == 422
    # Eve's own grant, once expired, opens nothing either.
    clock.advance(seconds=16 * 60)
    assert client.get(local(eves_key_url)).status_code == 403
