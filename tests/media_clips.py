"""Real video for the media tests, made with ffmpeg's test sources; the tests skip when no ffmpeg exists."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from shared.media.transcode import ffmpeg_binary

FFMPEG = ffmpeg_binary()
needs_ffmpeg = pytest.mark.skipif(
    FFMPEG is None, reason="no ffmpeg: neither a system binary nor the imageio-ffmpeg package is installed"
)


def make_clip(path: Path, *, seconds: float = 3, width: int = 640, height: int = 360, audio: bool = True) -> Path:
    """An H.264/AAC MP4 of ``testsrc`` (and a ``sine`` tone) of the given length and size."""
    assert FFMPEG is not None
    command = [FFMPEG, "-hide_banner", "-loglevel", "error", "-y"]
    command += ["-f", "lavfi", "-i", f"testsrc=duration={seconds}:size={width}x{height}:rate=25"]
    if audio:
        command += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac"]
    command += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-shortest", str(path)]
    subprocess.run(command, check=True, capture_output=True)
    return path


def probe_streams(path: Path) -> dict[str, Any]:
    """ffprobe's view of a file (format and streams), decoding every frame so a broken file fails."""
    if shutil.which("ffprobe"):
        command = ["ffprobe", "-v", "error", "-count_frames", "-print_format", "json", "-show_format", "-show_streams"]
        done = subprocess.run([*command, str(path)], check=True, capture_output=True)
        result: dict[str, Any] = json.loads(done.stdout)
        return result
    assert FFMPEG is not None
    subprocess.run([FFMPEG, "-v", "error", "-xerror", "-i", str(path), "-f", "null", "-"], check=True)
    return {"streams": [{"codec_type": "video"}]}


def extinf_total(playlist: str) -> float:
    """The sum of a media playlist's segment durations."""
    return sum(
        float(line.split(":", 1)[1].split(",")[0]) for line in playlist.splitlines() if line.startswith("#EXTINF")
    )


def uris(playlist: str) -> list[str]:
    """The URI lines of a playlist."""
    return [line for line in playlist.splitlines() if line.strip() and not line.startswith("#")]


def media_sequence(playlist: str) -> int:
    """The media sequence number of a playlist's first segment (0 when the tag is absent)."""
    for line in playlist.splitlines():
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            return int(line.split(":", 1)[1])
    return 0


def decrypt_segment(data: bytes, key: bytes, sequence: int) -> bytes:
    """An AES-128 HLS segment decrypted: CBC with PKCS#7 padding, and, as the playlist names no IV,
    the segment's media sequence number as a 16-byte big-endian IV (RFC 8216, 5.2)."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    decryptor = Cipher(algorithms.AES(key), modes.CBC(sequence.to_bytes(16, "big"))).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def looks_like_mpeg_ts(data: bytes) -> bool:
    """Whether the bytes carry MPEG-TS packets: the sync byte 0x47 at every 188-byte boundary."""
    return len(data) >= 188 * 4 and all(data[i] == 0x47 for i in range(0, 188 * 4, 188))


def key_uri(playlist: str) -> str:
    """The URI of a media playlist's ``EXT-X-KEY`` (relative to the playlist, as players resolve it)."""
    [line] = [line for line in playlist.splitlines() if line.startswith("#EXT-X-KEY:")]
    return line.split('URI="', 1)[1].split('"', 1)[0]


def local(url: str) -> str:
    """The path and query of an absolute URL, for the in-process client."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def upload_clip(client: Any, lesson: str, clip: Path, headers: dict[str, str]) -> dict[str, Any]:
    """The clip sent as a lesson's video as a browser sends it: an upload URL, then one signed PUT
    (the in-process client plays the blob origin). The upload ticket."""
    ticket = client.post(f"{lesson}/video/upload-url", json={"filename": clip.name}, headers=headers)
    assert ticket.status_code == 201, ticket.text
    body: dict[str, Any] = ticket.json()
    put = client.put(local(body["uploadUrl"]), content=clip.read_bytes(), headers=body["headers"])
    assert put.status_code == 201, put.text
    return body
