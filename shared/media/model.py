"""Video lessons: upload paths, asset states, the HLS ladder, WebVTT captions. Pure rules, no I/O.

An upload lands in ``uploads/{tenantId}/{lessonId}/{uploadId}/{filename}``; each upload becomes
one asset whose id is derived from that path, so a trigger that fires twice for the same blob
names the same asset (and the same transcode message). Transcoded output lives below
``media/{tenantId}/{lessonId}/{assetId}/``.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.errors import InvalidInput
from shared.kernel import RESOURCE_ID_PATTERN, TENANT_ID_PATTERN, InputModel, OutputModel, without_controls
from shared.platform.documents import ContainerSpec
from shared.platform.stored import StoredDocument

__all__ = [
    "MEDIA",
    "MEDIA_BLOBS",
    "MEDIA_CONTAINER",
    "TRANSCODE_QUEUE",
    "UPLOADS",
    "Asset",
    "AssetStatus",
    "CaptionsFile",
    "LessonVideo",
    "ProbeInfo",
    "ReadyVideo",
    "Rendition",
    "Rung",
    "UploadPath",
    "UploadTicket",
    "UploadUrlRequest",
    "UploadUrlView",
    "VideoView",
    "asset_id_of",
    "ladder_for",
    "parse_upload_name",
    "safe_filename",
    "transcript_of_vtt",
]

MEDIA = "media"  # the document container of this context (a document store name, not the blob container)
MEDIA_CONTAINER = ContainerSpec(MEDIA, filters=("type", "lessonId"))
UPLOADS = "uploads"  # blob containers
MEDIA_BLOBS = "media"
TRANSCODE_QUEUE = "transcode"

UPLOAD_URL_SECONDS = 15 * 60
PLAYBACK_SECONDS = 15 * 60
MAX_UPLOAD_BYTES = 4 << 30
MAX_CAPTIONS_BYTES = 512 << 10
MIN_DURATION_SECONDS = 0.5
MAX_DURATION_SECONDS = 4 * 3600
MAX_DIMENSION = 4096
MIN_DIMENSION = 16
SEGMENT_SECONDS = 4
# HLS ladders are AES-128 encrypted. Their segments are named ``enc_NNNNN.ts`` and published as
# immutable: Front Door caches blobs of that name ignoring the query string (one cache entry for
# every viewer; infra/modules/frontdoor.bicep), which is safe only because they are encrypted.
# Older, unencrypted ladders (``seg_NNNNN.ts``) stay cached per signed URL.
ENCRYPTED_SEGMENT_PREFIX = "enc_"
IMMUTABLE = "public, max-age=31536000, immutable"
# The key URI ffmpeg writes into each variant playlist; playback replaces it with the key route.
CONTENT_KEY_URI = "content.key"

AssetStatus = Literal["none", "validating", "queued", "processing", "ready", "failed"]
# States after which a repeated upload trigger has nothing left to do.
SETTLED: frozenset[str] = frozenset({"queued", "processing", "ready", "failed"})

ACCEPTED_CONTAINERS = frozenset({"mov", "mp4", "matroska", "webm", "avi", "mpegts", "mpeg", "flv", "asf", "ogg"})
ACCEPTED_VIDEO_CODECS = frozenset(
    {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mpeg2video", "mpeg1video", "prores", "dnxhd", "theora", "vc1"}
)

Filename = Annotated[str, StringConstraints(min_length=1, max_length=200)]
_UPLOAD_NAME = re.compile(
    rf"(?P<tenant>{TENANT_ID_PATTERN[1:-1]})/(?P<lesson>{RESOURCE_ID_PATTERN[1:-1]})/"
    rf"(?P<upload>{RESOURCE_ID_PATTERN[1:-1]})/(?P<filename>[A-Za-z0-9._-]{{1,120}})"
)


@dataclass(frozen=True)
class UploadPath:
    """Where an upload sits in the uploads container, read back from its blob name."""

    tenant_id: str
    lesson_id: str
    upload_id: str
    filename: str

    @property
    def name(self) -> str:
        return f"{self.tenant_id}/{self.lesson_id}/{self.upload_id}/{self.filename}"


def parse_upload_name(name: str) -> UploadPath | None:
    """The parts of an uploads blob name, or None for a name outside the layout."""
    match = _UPLOAD_NAME.fullmatch(name)
    if not match:
        return None
    return UploadPath(match["tenant"], match["lesson"], match["upload"], match["filename"])


def safe_filename(filename: str) -> str:
    """A filename reduced to letters, digits, '.', '_' and '-', keeping its extension."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    base = ascii_name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = re.sub(r"[^A-Za-z0-9._-]+", "-", base).rpartition(".")
    if not dot:
        stem, ext = ext, ""
    stem, ext = stem.strip(".-_")[:100] or "video", ext.strip(".-_")[:16]
    return f"{stem}.{ext}" if ext else stem


def asset_id_of(upload_name: str) -> str:
    """The asset an upload becomes: the same for every trigger of the same blob."""
    return hashlib.sha256(f"{UPLOADS}/{upload_name}".encode()).hexdigest()[:32]


def asset_prefix(tenant_id: str, lesson_id: str, asset_id: str) -> str:
    """The folder of an asset's HLS output in the media blob container."""
    return f"{tenant_id}/{lesson_id}/{asset_id}"


# --- the ladder -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rung:
    """One rendition of the HLS ladder: height and bit rates, and the H.264 level it is encoded at."""

    height: int
    video_kbps: int
    audio_kbps: int
    level: str

    @property
    def name(self) -> str:
        return f"{self.height}p"

    @property
    def codecs(self) -> str:
        level_hex = {"3.0": "1e", "3.1": "1f", "4.0": "28"}[self.level]
        return f"avc1.4d40{level_hex}"

    @property
    def bandwidth(self) -> int:
        """Peak bits per second as the master playlist declares it (maxrate is 110% of the target)."""
        return (self.video_kbps * 11 // 10 + self.audio_kbps) * 1000


LADDER = (Rung(360, 800, 96, "3.0"), Rung(720, 2800, 128, "3.1"), Rung(1080, 5000, 160, "4.0"))


def ladder_for(source_height: int) -> list[Rung]:
    """The renditions for a source: every rung at or below its height, never upscaled; a source
    smaller than the lowest rung gets one rendition at its own (even) height."""
    rungs = [rung for rung in LADDER if rung.height <= source_height]
    if rungs:
        return rungs
    low = LADDER[0]
    return [Rung(max(MIN_DIMENSION, source_height - source_height % 2), low.video_kbps // 2, low.audio_kbps, "3.0")]


# --- captions ---------------------------------------------------------------------------------

_TIMING = re.compile(
    r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})[ \t]+-->[ \t]+(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})(?:[ \t].*)?"
)
_TAG = re.compile(r"<[^>]*>")


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _cue_blocks(text: str) -> list[list[str]]:
    header, _, body = text.partition("\n\n")
    first = header.split("\n", 1)[0]
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise InvalidInput("a WebVTT file starts with 'WEBVTT'")
    return [block.split("\n") for block in re.split(r"\n{2,}", body) if block.strip()]


def transcript_of_vtt(data: bytes) -> str:
    """The cue text of a WebVTT file, without timings, settings or markup: the lesson transcript.
    ``InvalidInput`` unless the file is UTF-8 WebVTT with at least one well-timed cue."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise InvalidInput("a WebVTT file is UTF-8 text") from exc
    if "\x00" in text:
        raise InvalidInput("a WebVTT file holds no NUL characters")
    lines: list[str] = []
    cues = 0
    for block in _cue_blocks(text.replace("\r\n", "\n").replace("\r", "\n")):
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_at = 0 if "-->" in block[0] else 1
        timing = _TIMING.fullmatch(block[timing_at].strip()) if len(block) > timing_at else None
        if timing is None:
            raise InvalidInput(f"cue {cues + 1}: a cue needs a timing line 'HH:MM:SS.mmm --> HH:MM:SS.mmm'")
        start, end = _seconds(*timing.group(1, 2, 3, 4)), _seconds(*timing.group(5, 6, 7, 8))
        if end < start:
            raise InvalidInput(f"cue {cues + 1}: it ends before it starts")
        cues += 1
        lines += [without_controls(html.unescape(_TAG.sub("", line))).strip() for line in block[timing_at + 1 :]]
    if cues == 0:
        raise InvalidInput("a caption file needs at least one cue")
    return "\n".join(line for line in lines if line)


# --- stored documents (the ``media`` container: upload tickets, assets, lessons' video state) ----


class _Part(BaseModel):
    """A part of a stored document; unknown fields are kept, as in the document itself."""

    model_config = ConfigDict(extra="allow")


class Rendition(_Part):
    """One encoded rendition of an asset's ladder."""

    name: str
    width: int
    height: int
    bandwidth: int


class ProbeInfo(_Part):
    """What ffprobe found in an uploaded file (``transcode.probe``), kept on the asset."""

    container: str
    video_codec: str
    width: int
    height: int
    duration: float
    has_audio: bool


class UploadTicket(StoredDocument):
    """An upload URL that was issued (``upload.{uploadId}``): who asked, for which lesson; expires."""

    KIND: ClassVar[str] = "upload"
    type: Literal["upload"] = "upload"
    courseId: str
    lessonId: str
    blobName: str
    requestedBy: str
    requestedAt: str


class Asset(StoredDocument):
    """One upload on its way to an HLS ladder (``asset.{assetId}``)."""

    KIND: ClassVar[str] = "asset"
    type: Literal["asset"] = "asset"
    assetId: str
    lessonId: str
    upload: str
    size: int | None = None
    uploadedAt: str
    courseId: str | None = None
    status: AssetStatus = "none"
    updatedAt: str | None = None
    reason: str | None = None
    probe: ProbeInfo | None = None
    durationSeconds: float | None = None
    renditions: list[Rendition] = Field(default_factory=list)
    poster: str | None = None
    master: str | None = None


class ReadyVideo(_Part):
    """The last asset of a lesson that became ready: what plays while a newer upload transcodes."""

    assetId: str
    lessonId: str
    uploadedAt: str
    durationSeconds: float
    renditions: list[Rendition]
    poster: str | None = None


class CaptionsFile(_Part):
    blob: str
    updatedAt: str


class LessonVideo(StoredDocument):
    """A course lesson's video state (``lesson.{courseId}.{lessonId}``)."""

    KIND: ClassVar[str] = "lessonVideo"
    type: Literal["lessonVideo"] = "lessonVideo"
    courseId: str
    lessonId: str
    status: AssetStatus = "none"
    reason: str | None = None
    assetId: str | None = None
    uploadedAt: str | None = None
    ready: ReadyVideo | None = None
    captions: CaptionsFile | None = None
    transcript: str | None = None
    updatedAt: str | None = None


# --- HTTP models ------------------------------------------------------------------------------


class UploadUrlRequest(InputModel):
    filename: Filename = Field(description="the file's name; reduced to safe characters in the blob name")


class UploadUrlView(OutputModel):
    uploadId: str
    uploadUrl: str = Field(description="PUT the file's bytes here, once, before expiresAt")
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str] = Field(description="headers the PUT must carry")
    blobName: str
    maxBytes: int
    expiresAt: str


class RenditionView(OutputModel):
    name: str
    width: int
    height: int
    bandwidth: int


class VideoView(OutputModel):
    """Where a lesson's video stands and, once one is ready, short-lived playback URLs."""

    courseId: str
    lessonId: str
    status: AssetStatus
    reason: str | None = Field(default=None, description="why the latest upload failed (staff only)")
    assetId: str | None = None
    durationSeconds: float | None = None
    renditions: list[RenditionView] = Field(default_factory=list)
    manifestUrl: str | None = Field(default=None, description="the HLS master playlist, signed")
    posterUrl: str | None = None
    captionsUrl: str | None = Field(default=None, description="the WebVTT captions, signed")
    expiresAt: str | None = Field(default=None, description="when the signed URLs stop working")


class CaptionsView(OutputModel):
    courseId: str
    lessonId: str
    transcriptChars: int = Field(description="characters of cue text kept as the lesson transcript")
    updatedAt: str
