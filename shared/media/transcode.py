"""ffprobe and ffmpeg: what an upload holds, and its HLS ladder with a poster.

The system ``ffmpeg``/``ffprobe`` are used when installed (the transcoder image installs them);
otherwise the ``ffmpeg`` binary that ``imageio-ffmpeg`` ships, whose metadata reader stands in
for ffprobe. ``BadMedia`` means the input itself is unusable (retrying cannot help);
``TranscodeError`` means ffmpeg failed on an input it had accepted (a retry may help).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.media.model import (
    ACCEPTED_CONTAINERS,
    ACCEPTED_VIDEO_CODECS,
    CONTENT_KEY_URI,
    ENCRYPTED_SEGMENT_PREFIX,
    MAX_DIMENSION,
    MAX_DURATION_SECONDS,
    MIN_DIMENSION,
    MIN_DURATION_SECONDS,
    SEGMENT_SECONDS,
    ProbeInfo,
    Rung,
)

__all__ = [
    "BadMedia",
    "RenditionResult",
    "TranscodeError",
    "ffmpeg_binary",
    "key_info_file",
    "probe",
    "transcode_rendition",
]

PROBE_TIMEOUT = 120


class BadMedia(Exception):
    """The file is not a video this platform accepts; the message says why, for the uploader."""


class TranscodeError(Exception):
    """ffmpeg failed on a file that probed as a valid video."""


@dataclass(frozen=True)
class RenditionResult:
    rung: Rung
    width: int
    playlist: Path
    seconds: float


def ffmpeg_binary() -> str | None:
    """The system ffmpeg, else imageio-ffmpeg's, else None."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg  # type: ignore[import-untyped]  # ships no type information

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        return None


def _require_ffmpeg() -> str:
    binary = ffmpeg_binary()
    if binary is None:
        raise TranscodeError("no ffmpeg: install it, or the imageio-ffmpeg package")
    return binary


def _ffprobe_json(path: Path | str) -> dict[str, Any]:
    command = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=PROBE_TIMEOUT, check=False)  # noqa: S603 - our fixed argv, no shell
    except subprocess.TimeoutExpired as exc:
        raise BadMedia("the file could not be read in time") from exc
    if done.returncode != 0:
        raise BadMedia("the file is not a video that ffprobe can read")
    result: dict[str, Any] = json.loads(done.stdout or b"{}")
    return result


def _from_ffprobe(info: dict[str, Any]) -> ProbeInfo:
    streams = info.get("streams", [])
    videos = [s for s in streams if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")]
    if not videos:
        raise BadMedia("the file has no video stream")
    video, fmt = videos[0], info.get("format", {})
    formats = set(str(fmt.get("format_name", "")).split(","))
    if not formats & ACCEPTED_CONTAINERS:
        raise BadMedia(f"container {fmt.get('format_name')!r} is not accepted (use MP4, MOV, MKV or WebM)")
    try:
        duration = float(fmt.get("duration") or video.get("duration") or 0)
    except ValueError:
        duration = 0.0
    return ProbeInfo(
        container=str(fmt.get("format_name")),
        video_codec=str(video.get("codec_name", "")),
        width=int(video.get("width") or 0),
        height=int(video.get("height") or 0),
        duration=duration,
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
    )


def _from_imageio(path: Path | str) -> ProbeInfo:
    """ffprobe's stand-in: imageio-ffmpeg reads the metadata ffmpeg prints for the file."""
    import imageio_ffmpeg

    # A file ffmpeg cannot open is refused here: imageio's reader would leave its pipes open on it.
    opened = subprocess.run(  # noqa: S603 - our fixed argv, no shell
        [_require_ffmpeg(), "-v", "error", "-i", str(path), "-t", "0", "-f", "null", "-"],
        capture_output=True,
        timeout=PROBE_TIMEOUT,
        check=False,
    )
    if opened.returncode != 0:
        raise BadMedia("the file is not a video that ffmpeg can read")
    frames = imageio_ffmpeg.read_frames(str(path))
    try:
        meta: dict[str, Any] = next(frames)
    except Exception as exc:  # imageio raises plain IOError/RuntimeError for files ffmpeg cannot open
        raise BadMedia("the file is not a video that ffmpeg can read") from exc
    finally:
        frames.close()
    width, height = meta.get("source_size") or meta.get("size") or (0, 0)
    return ProbeInfo(
        container="unknown",
        video_codec=str(meta.get("codec", "")),
        width=int(width),
        height=int(height),
        duration=float(meta.get("duration") or 0),
        has_audio=bool(meta.get("audio_codec")),
    )


def _check(found: ProbeInfo) -> ProbeInfo:
    if found.video_codec not in ACCEPTED_VIDEO_CODECS:
        raise BadMedia(f"video codec {found.video_codec!r} is not accepted (use H.264, HEVC, VP9 or AV1)")
    if not MIN_DURATION_SECONDS <= found.duration <= MAX_DURATION_SECONDS:
        raise BadMedia(f"the video lasts {found.duration:.1f} s; {MIN_DURATION_SECONDS} s to {MAX_DURATION_SECONDS} s")
    if not (MIN_DIMENSION <= found.width <= MAX_DIMENSION and MIN_DIMENSION <= found.height <= MAX_DIMENSION):
        raise BadMedia(f"the picture is {found.width}x{found.height}; at most {MAX_DIMENSION} pixels a side")
    return found


def probe(path: Path | str) -> ProbeInfo:
    """What the file (a path, or an http(s) URL that ffmpeg reads with range requests) holds, if it
    is an acceptable video; ``BadMedia`` with the reason otherwise."""
    if shutil.which("ffprobe"):
        return _check(_from_ffprobe(_ffprobe_json(path)))
    return _check(_from_imageio(path))


def _run(command: list[str], timeout: float) -> None:
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)  # noqa: S603 - our fixed argv, no shell
    except subprocess.TimeoutExpired as exc:
        raise TranscodeError(f"ffmpeg took longer than {timeout:.0f} s") from exc
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise TranscodeError(f"ffmpeg exited with {done.returncode}: {' | '.join(tail)}")


def key_info_file(key: bytes, folder: Path) -> Path:
    """ffmpeg's ``-hls_key_info_file``: the URI the playlists name for the key (rewritten at
    playback into the key route) and the file holding the key. No IV line: each segment's IV is
    its media sequence number, as HLS defines when ``EXT-X-KEY`` has no IV. Both files stay in the
    work folder, outside what is published."""
    key_file = folder / "content.key"
    key_file.write_bytes(key)
    key_file.chmod(0o600)
    info = folder / "content.keyinfo"
    info.write_text(f"{CONTENT_KEY_URI}\n{key_file}\n")
    return info


def _rendition_command(
    binary: str, source: Path, rung: Rung, out: Path, has_audio: bool, key_info: Path | None
) -> list[str]:
    video = [
        *("-map", "0:v:0", "-vf", f"scale=-2:{rung.height}", "-c:v", "libx264", "-preset", "veryfast"),
        *("-profile:v", "main", "-level:v", rung.level, "-pix_fmt", "yuv420p"),
        *("-b:v", f"{rung.video_kbps}k", "-maxrate", f"{rung.video_kbps * 11 // 10}k"),
        *("-bufsize", f"{rung.video_kbps * 3 // 2}k", "-sc_threshold", "0"),
        # A keyframe every 2 s, so every segment starts on one and lasts SEGMENT_SECONDS.
        *("-force_key_frames", "expr:gte(t,n_forced*2)"),
    ]
    audio = ["-map", "0:a:0", "-c:a", "aac", "-b:a", f"{rung.audio_kbps}k", "-ac", "2", "-ar", "48000"]
    # Encrypted segments have names of their own: the CDN caches them for every viewer (see model.py).
    segments = f"{ENCRYPTED_SEGMENT_PREFIX}%05d.ts" if key_info else "seg_%05d.ts"
    hls = [
        *("-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod"),
        *("-hls_flags", "independent_segments", "-hls_segment_filename", str(out / segments)),
        *(("-hls_key_info_file", str(key_info)) if key_info else ()),
    ]
    head = [binary, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", str(source)]
    return [*head, *video, *(audio if has_audio else ["-an"]), *hls, str(out / "index.m3u8")]


def transcode_rendition(
    source: Path, found: ProbeInfo, rung: Rung, out_dir: Path, key_info: Path | None = None
) -> RenditionResult:
    """Encode one rung of the ladder as an HLS VOD playlist with its segments in ``out_dir/<name>/``,
    AES-128 encrypted with the key that ``key_info`` (from ``key_info_file``) names."""
    out = out_dir / rung.name
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    command = _rendition_command(_require_ffmpeg(), source, rung, out, found.has_audio, key_info)
    _run(command, timeout=max(300.0, found.duration * 4))
    width = round(found.width * rung.height / found.height / 2) * 2
    return RenditionResult(rung, width, out / "index.m3u8", time.perf_counter() - started)


def poster(source: Path, found: ProbeInfo, target: Path) -> Path:
    """A JPEG still from a second into the video (or its middle, if shorter), at most 720 lines high."""
    at = min(1.0, found.duration / 2)
    height = min(720, found.height - found.height % 2)
    command = [_require_ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-ss", f"{at:.3f}"]
    command += ["-i", str(source), "-frames:v", "1", "-vf", f"scale=-2:{height}", "-q:v", "3", str(target)]
    _run(command, timeout=120)
    return target


def master_playlist(renditions: list[RenditionResult], *, has_audio: bool) -> str:
    """The master playlist naming each rendition's playlist (relative URIs, rewritten at playback)."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for done in sorted(renditions, key=lambda r: r.rung.height):
        rung = done.rung
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={rung.bandwidth},RESOLUTION={done.width}x{rung.height},"
            f'CODECS="{rung.codecs}{",mp4a.40.2" if has_audio else ""}"'
        )
        lines.append(f"{rung.name}/index.m3u8")
    return "\n".join(lines) + "\n"
