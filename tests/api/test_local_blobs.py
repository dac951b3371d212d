"""The local blob route honours signed URLs and nothing else."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_a_signed_url_streams_the_blob_until_it_expires(
    client: TestClient, platform: Platform, clock: ManualClock
) -> None:
    platform.blobs.write("media", "t1/l1/a1/master.m3u8", b"#EXTM3U\n", content_type="application/vnd.apple.mpegurl")
    url = _path_and_query(platform.signer.sign("media", "t1/l1/a1/master.m3u8", ttl_seconds=600))
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == b"#EXTM3U\n"
    assert response.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    clock.advance(601)
    assert client.get(url).status_code == 403


def test_a_prefix_signature_covers_the_folder_and_nothing_outside_it(client: TestClient, platform: Platform) -> None:
    platform.blobs.write("media", "t1/l1/a1/seg-1.ts", b"segment")
    platform.blobs.write("media", "t2/l9/a9/seg-1.ts", b"other tenant")
    signed = urlsplit(platform.signer.sign("media", "t1/l1/a1/", ttl_seconds=600, prefix=True))
    assert client.get(f"/api/local-blobs/media/t1/l1/a1/seg-1.ts?{signed.query}").content == b"segment"
    assert client.get(f"/api/local-blobs/media/t2/l9/a9/seg-1.ts?{signed.query}").status_code == 403


def test_unsigned_tampered_or_missing_blobs_are_refused(client: TestClient, platform: Platform) -> None:
    platform.blobs.write("media", "t1/a.ts", b"x")
    url = _path_and_query(platform.signer.sign("media", "t1/a.ts", ttl_seconds=600))
    assert client.get("/api/local-blobs/media/t1/a.ts").status_code == 403
    assert client.get(url.replace("sig=", "sig=A")).status_code == 403
    assert client.get(url.replace("/t1/a.ts", "/t1/b.ts")).status_code == 403
    missing = _path_and_query(platform.signer.sign("media", "t1/none.ts", ttl_seconds=600))
    assert client.get(missing).status_code == 404


def test_a_write_signature_does_not_grant_reading(client: TestClient, platform: Platform) -> None:
    platform.blobs.write("uploads", "t1/video.mp4", b"bytes")
    url = _path_and_query(platform.signer.sign("uploads", "t1/video.mp4", ttl_seconds=600, permission="w"))
    assert client.get(url).status_code == 403
