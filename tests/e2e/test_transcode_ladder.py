"""The transcoder on real video: a 720p source becomes a 360p and a 720p rendition (never 1080p) cut
into 4 to 6 second segments that decode, and a transcode that keeps failing ends as a failed asset
with its message in the dead-letter queue after the queue's bounded deliveries."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient

from shared.media import handlers
from shared.media.model import TRANSCODE_QUEUE
from shared.platform.bus import DEAD_LETTER_SUFFIX
from shared.platform.runtime import Platform
from shared.platform.topology import QUEUES
from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.conftest import TenantHandle
from tests.factories import published_course
from tests.media_clips import (
    decrypt_segment,
    key_uri,
    local,
    make_clip,
    media_sequence,
    needs_ffmpeg,
    probe_streams,
    uris,
)

pytestmark = needs_ffmpeg


def _uploaded(client: TestClient, tenant: TenantHandle, clip: Path) -> str:
    course = str(published_course(client, tenant)["id"])
    lesson = f"/api/v1/courses/{course}/lessons/intro"
    author = tenant.as_(Role.INSTRUCTOR)
    ticket = client.post(f"{lesson}/video/upload-url", json={"filename": clip.name}, headers=author)
    assert ticket.status_code == 201, ticket.text
    put = client.put(local(ticket.json()["uploadUrl"]), content=clip.read_bytes(), headers=ticket.json()["headers"])
    assert put.status_code == 201, put.text
    return lesson


def _durations(playlist: str) -> list[float]:
    return [float(line.split(":", 1)[1].split(",")[0]) for line in playlist.splitlines() if line.startswith("#EXTINF")]


def test_a_720p_source_gets_360p_and_720p_renditions_in_segments_of_four_to_six_seconds(
    client: TestClient, platform: Platform, make_tenant, tmp_path: Path
) -> None:
    tenant = make_tenant()
    lesson = _uploaded(client, tenant, make_clip(tmp_path / "talk.mp4", seconds=13, width=1280, height=720))
    LocalWorker(platform, default_jobs()).run_until_idle()
    video: dict[str, Any] = client.get(f"{lesson}/video", headers=tenant.as_(Role.INSTRUCTOR)).json()
    assert video["status"] == "ready", video
    assert [r["height"] for r in video["renditions"]] == [360, 720]
    master = client.get(local(video["manifestUrl"])).text
    assert "RESOLUTION=640x360" in master and "RESOLUTION=1280x720" in master and "x1080" not in master
    base = video["manifestUrl"].rsplit("/", 1)[0]
    for n, variant_uri in enumerate(uris(master)):
        variant = client.get(local(f"{base}/{variant_uri}")).text
        *whole, last = _durations(variant)
        assert whole and all(4 <= d <= 6 for d in whole) and 0 < last <= 6
        assert sum(whole) + last == pytest.approx(13, abs=0.3)
        first_segment = client.get(local(uris(variant)[0])).content
        key = client.get(local(urljoin(f"{base}/{variant_uri}", key_uri(variant)))).content
        (tmp_path / f"{n}.ts").write_bytes(decrypt_segment(first_segment, key, media_sequence(variant)))
        assert any(s["codec_type"] == "video" for s in probe_streams(tmp_path / f"{n}.ts")["streams"])


def test_a_transcode_that_keeps_failing_is_dead_lettered_and_its_asset_fails_with_a_reason(
    client: TestClient, platform: Platform, make_tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = make_tenant()
    lesson = _uploaded(client, tenant, make_clip(tmp_path / "short.mp4", seconds=1, width=160, height=120))
    attempts: list[str] = []

    def broken_encoder(*args: Any, **kwargs: Any) -> Any:
        attempts.append("ffmpeg")
        raise OSError("the encoder's disk is full")

    monkeypatch.setattr(handlers, "transcode_rendition", broken_encoder)
    worker = LocalWorker(platform, default_jobs())
    for _ in range(QUEUES[TRANSCODE_QUEUE].max_delivery_count + 2):
        worker.run_until_idle()
    assert len(attempts) == QUEUES[TRANSCODE_QUEUE].max_delivery_count  # bounded, then no more
    video = client.get(f"{lesson}/video", headers=tenant.as_(Role.INSTRUCTOR)).json()
    assert video["status"] == "failed" and "disk is full" in video["reason"]
    dead = platform.bus.receive(TRANSCODE_QUEUE + DEAD_LETTER_SUFFIX, max_messages=5)
    assert len(dead) == 1 and dead[0].dead_letter_reason
