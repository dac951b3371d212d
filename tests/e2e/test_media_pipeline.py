"""A video lesson end to end on the embedded profile: upload URL, signed PUT, the worker's
validation, queue and transcode, then signed, AES-128 encrypted HLS playback whose playlists
parse and whose segments decode with the key the key route hands out."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient

from shared.media.model import IMMUTABLE
from shared.platform.runtime import Platform
from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.factories import published_course
from tests.media_clips import (
    decrypt_segment,
    extinf_total,
    local,
    looks_like_mpeg_ts,
    make_clip,
    media_sequence,
    needs_ffmpeg,
    probe_streams,
    upload_clip,
    uris,
)

pytestmark = needs_ffmpeg


def test_an_uploaded_clip_becomes_a_signed_hls_ladder_that_an_enrolled_learner_can_play(
    client: TestClient, platform: Platform, make_tenant, tmp_path: Path
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    lesson = f"/api/v1/courses/{course['id']}/lessons/intro"
    learner = tenant.as_(Role.LEARNER, "lea")
    assert client.post(f"/api/v1/courses/{course['id']}/enrollments", json={}, headers=learner).status_code == 201
    clip = make_clip(tmp_path / "lesson one.mp4", seconds=3, width=640, height=360)

    upload_clip(client, lesson, clip, tenant.as_(Role.INSTRUCTOR))
    LocalWorker(platform, default_jobs()).run_until_idle()

    video = client.get(f"{lesson}/video", headers=learner).json()
    assert video["status"] == "ready", video
    assert [r["name"] for r in video["renditions"]] == ["360p"]  # a 360p source is never upscaled
    assert video["durationSeconds"] == pytest.approx(3, abs=0.2)
    master = client.get(local(video["manifestUrl"]))
    assert master.status_code == 200
    assert master.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    assert master.text.startswith("#EXTM3U") and "RESOLUTION=640x360" in master.text
    [variant_uri] = uris(master.text)
    base = video["manifestUrl"].rsplit("/", 1)[0]
    variant = client.get(local(f"{base}/{variant_uri}"))
    assert variant.status_code == 200 and "#EXT-X-ENDLIST" in variant.text
    assert extinf_total(variant.text) == pytest.approx(3, abs=0.2)
    [key_line] = [line for line in variant.text.splitlines() if line.startswith("#EXT-X-KEY:")]
    assert "METHOD=AES-128" in key_line
    key_uri = key_line.split('URI="', 1)[1].split('"', 1)[0]
    key = client.get(local(urljoin(f"{base}/{variant_uri}", key_uri)))
    assert key.status_code == 200 and len(key.content) == 16
    assert key.headers["cache-control"] == "private, no-store"
    first = media_sequence(variant.text)
    for n, segment_url in enumerate(uris(variant.text)):
        segment = client.get(local(segment_url))
        assert segment.status_code == 200
        assert segment.headers["cache-control"] == IMMUTABLE
        assert not looks_like_mpeg_ts(segment.content)  # encrypted: no TS packets without the key
        path = tmp_path / f"segment-{n}.ts"
        path.write_bytes(decrypt_segment(segment.content, key.content, first + n))
        assert any(s["codec_type"] == "video" for s in probe_streams(path)["streams"])
    assert client.get(local(video["posterUrl"])).headers["content-type"] == "image/jpeg"

    draft = client.get(f"/api/v1/courses/{course['id']}", headers=tenant.as_(Role.INSTRUCTOR)).json()
    intro = draft["outline"]["modules"][0]["lessons"][0]
    assert intro["durationSeconds"] == 3  # measured, replacing the author's estimate of 120
