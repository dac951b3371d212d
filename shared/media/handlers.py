"""Media's reactions: a new upload is validated and queued; a transcode job becomes an HLS ladder.

``on_upload`` is called by the blob trigger of ``functions/media.py`` (Event Grid, Azure) and by the
local worker's ``UploadWatcher`` (embedded); ``on_transcode_message`` by the worker consuming the
``transcode`` queue (the local worker, and the transcoder container). A file that is not an
acceptable video is marked failed with the reason and never raises, so it cannot loop; an
infrastructure failure raises, so the trigger or the bus retries and finally dead-letters.
A finished transcode sends ``VideoTranscoded`` to the ``events`` topic (usage billing meters it).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shared.catalog import service as catalog
from shared.errors import Conflict, NotFound
from shared.media import service
from shared.media.events import VideoTranscoded
from shared.media.keys import ensure_content_key
from shared.media.model import (
    ENCRYPTED_SEGMENT_PREFIX,
    IMMUTABLE,
    MAX_UPLOAD_BYTES,
    MEDIA,
    MEDIA_BLOBS,
    SETTLED,
    TRANSCODE_QUEUE,
    UPLOADS,
    Asset,
    AssetStatus,
    LessonVideo,
    ProbeInfo,
    ReadyVideo,
    Rendition,
    asset_id_of,
    asset_prefix,
    ladder_for,
    parse_upload_name,
)
from shared.media.transcode import BadMedia, key_info_file, master_playlist, poster, probe, transcode_rendition
from shared.notifications.service import notify
from shared.platform.bus import OutgoingMessage, ReceivedMessage
from shared.platform.events import event_message
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext, TenantDocuments, system_context
from shared.platform.topology import EVENTS_TOPIC, QUEUES

__all__ = [
    "MEDIA_ACTOR",
    "UploadWatcher",
    "on_transcode_message",
    "on_upload",
    "transcode_job",
    "video_transcoded",
]

log = logging.getLogger("lms.media.handlers")

MEDIA_ACTOR = "system:media"
CONTENT_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t", ".jpg": "image/jpeg"}


def _system(tenant_id: str) -> TenantContext:
    # The tenant comes from the blob's own path, which only a signed URL or the tenant's content team can write.
    return system_context(tenant_id, MEDIA_ACTOR)


def _assets(platform: Platform, ctx: TenantContext) -> TenantDocuments[Asset]:
    return TenantDocuments(platform.documents, MEDIA, ctx, Asset)


def _set_status(platform: Platform, ctx: TenantContext, asset: Asset, status: AssetStatus, **fields: Any) -> Asset:
    """Move the asset (and, while it is the lesson's latest upload, the lesson) to ``status``."""
    now = platform.clock.now().isoformat()
    changed = asset.model_copy(update={**fields, "status": status, "updatedAt": now})
    stored = _assets(platform, ctx).upsert(changed)  # unconditional, as the asset's one writer at a time
    if stored.courseId:

        def change(doc: LessonVideo) -> LessonVideo:
            if doc.assetId not in (None, stored.assetId) and (doc.uploadedAt or "") > stored.uploadedAt:
                return doc  # a newer upload speaks for the lesson now
            update: dict[str, Any] = {
                "assetId": stored.assetId,
                "uploadedAt": stored.uploadedAt,
                "status": status,
                "reason": stored.reason,
            }
            if status == "ready" and (doc.ready.uploadedAt if doc.ready else "") <= stored.uploadedAt:
                update["ready"] = ReadyVideo(
                    assetId=stored.assetId,
                    lessonId=stored.lessonId,
                    uploadedAt=stored.uploadedAt,
                    durationSeconds=stored.durationSeconds or 0.0,
                    renditions=stored.renditions,
                    poster=stored.poster,
                )
            return doc.model_copy(update=update)

        service.update_lesson_video(platform, ctx, stored.courseId, stored.lessonId, change)
    return stored


def _course_of(platform: Platform, ctx: TenantContext, upload_id: str, lesson_id: str) -> str | None:
    ticket = service.upload_ticket(platform, ctx, upload_id)
    if ticket is not None:
        return ticket.courseId
    return service.course_of_dropped_upload(platform, ctx, lesson_id)


PROBE_URL_SECONDS = 600  # the probe's read URL: long enough for ffprobe's few range reads


def _download(platform: Platform, container: str, name: str, folder: Path) -> Path:
    """The blob copied into ``folder`` chunk by chunk (never whole in memory)."""
    target = folder / "source"
    with target.open("wb") as out:
        for chunk in platform.blobs.read_chunks(container, name):
            out.write(chunk)
    return target


def _validated(platform: Platform, name: str, size: int) -> ProbeInfo:
    """Probe the upload where it lies: the file itself on a folder store, else through a short-lived
    read URL at the storage origin, from which ffprobe reads the few kilobytes it needs with range
    requests (an upload may be 4 GiB; copying it into the instance only to look at it was the cost)."""
    if size > MAX_UPLOAD_BYTES:
        raise BadMedia(f"the file has {size} bytes; at most {MAX_UPLOAD_BYTES}")
    source = platform.blobs.local_path(UPLOADS, name)
    if source is not None:
        return probe(source)
    return probe(platform.signer.sign(UPLOADS, name, ttl_seconds=PROBE_URL_SECONDS, origin=True))


def on_upload(platform: Platform, name: str) -> None:
    """Validate a new blob of the uploads container and queue its transcode, once per blob."""
    upload = parse_upload_name(name)
    if upload is None:
        log.warning(
            "upload outside the uploads/{tenant}/{lesson}/{upload}/{file} layout; ignored", extra={"blob": name}
        )
        return
    ctx, asset_id = _system(upload.tenant_id), asset_id_of(name)
    asset = _assets(platform, ctx).find(f"asset.{asset_id}")
    if asset is not None and asset.status in SETTLED:
        return  # a repeated trigger: this upload was handled
    info = platform.blobs.info(UPLOADS, name)
    asset = asset or Asset(
        id=f"asset.{asset_id}",
        assetId=asset_id,
        lessonId=upload.lesson_id,
        upload=name,
        size=info.size,
        uploadedAt=info.last_modified.isoformat(),
        courseId=_course_of(platform, ctx, upload.upload_id, upload.lesson_id),
    )
    if asset.courseId is None:
        _set_status(platform, ctx, asset, "failed", reason="no upload URL was issued for this file and its lesson")
        return
    asset = _set_status(platform, ctx, asset, "validating")
    try:
        found = _validated(platform, name, info.size)
    except BadMedia as exc:
        log.info("upload refused", extra={"blob": name, "reason": str(exc)})
        _set_status(platform, ctx, asset, "failed", reason=str(exc))
        return
    job = {"tenantId": upload.tenant_id, "assetId": asset_id}
    # The message id is the asset id: a trigger that fires twice sends one message.
    platform.bus.send(TRANSCODE_QUEUE, [OutgoingMessage.of_json(job, message_id=f"transcode-{asset_id}")])
    _set_status(platform, ctx, asset, "queued", probe=found, reason=None)


# --- the transcoder ---------------------------------------------------------------------------


def _publish_outputs(platform: Platform, folder: Path, prefix: str) -> None:
    """Every file of the ladder below the asset's prefix; encrypted segments as immutable (an asset
    id is never reused, so a segment's bytes never change), the rest with the store's default."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        cache = IMMUTABLE if path.name.startswith(ENCRYPTED_SEGMENT_PREFIX) else None
        with path.open("rb") as data:
            platform.blobs.write(
                MEDIA_BLOBS, f"{prefix}/{relative}", data, content_type=content_type, cache_control=cache
            )


def _transcode(platform: Platform, asset: Asset, work: Path) -> dict[str, Any]:
    """The whole ladder of the asset, published below its media prefix; the ready asset's fields."""
    source = _download(platform, UPLOADS, asset.upload, work)
    found = probe(source)  # again: the bytes may have changed since the trigger looked
    # The key file stays in the work folder, outside ``out``: only the key route ever hands it out.
    key_info = key_info_file(ensure_content_key(platform, asset.tenantId, asset.assetId), work)
    out = work / "out"
    renditions = [transcode_rendition(source, found, rung, out, key_info) for rung in ladder_for(found.height)]
    poster(source, found, out / "poster.jpg")
    (out / "master.m3u8").write_text(master_playlist(renditions, has_audio=found.has_audio))
    prefix = asset_prefix(asset.tenantId, asset.lessonId, asset.assetId)
    _publish_outputs(platform, out, prefix)
    for done in renditions:
        log.info("rendition encoded", extra={"assetId": asset.assetId, "rendition": done.rung.name, "s": done.seconds})
    return {
        "durationSeconds": round(found.duration, 3),
        "renditions": [
            Rendition(name=d.rung.name, width=d.width, height=d.rung.height, bandwidth=d.rung.bandwidth)
            for d in renditions
        ],
        "poster": f"{prefix}/poster.jpg",
        "master": f"{prefix}/master.m3u8",
    }


def _record_duration(platform: Platform, ctx: TenantContext, asset: Asset, seconds: float) -> None:
    if asset.courseId is None:
        return
    try:
        catalog.set_lesson_duration(platform, ctx, asset.courseId, asset.lessonId, max(1, round(seconds)))
    except (NotFound, Conflict) as exc:
        # The lesson left the draft, or authors keep editing it: the video still plays.
        log.warning("lesson duration not recorded", extra={"assetId": asset.assetId, "reason": str(exc)})


def _notify_ready(platform: Platform, ctx: TenantContext, asset: Asset) -> None:
    """Tell whoever asked for the upload URL that their video plays now (once per asset). A file a
    content team dropped into the uploads container has no such ticket, and no one to tell."""
    upload = parse_upload_name(asset.upload)
    ticket = service.upload_ticket(platform, ctx, upload.upload_id) if upload else None
    if ticket is None:
        log.info("video ready; no uploader to notify", extra={"assetId": asset.assetId})
        return
    notify(
        platform,
        ctx,
        ticket.requestedBy,
        "video_ready",
        "Your video is ready",
        f"The video of lesson {asset.lessonId} is transcoded and plays now.",
        f"/api/v1/courses/{asset.courseId}/lessons/{asset.lessonId}/video",
        asset.assetId,
    )


def video_transcoded(asset: Asset) -> VideoTranscoded:
    """The ``VideoTranscoded`` event of a ready asset: one per asset (its id comes from the asset's),
    stamped with the time the asset became ready, so every repeat is the same event."""
    return VideoTranscoded(
        id=f"video-transcoded-{asset.assetId}",
        tenantId=asset.tenantId,
        courseId=asset.courseId or "",
        lessonId=asset.lessonId,
        assetId=asset.assetId,
        durationSeconds=asset.durationSeconds or 0.0,
        at=asset.updatedAt,
    )


def _publish_transcoded(platform: Platform, asset: Asset) -> None:
    # The message id is the event id: a repeated job's publication is dropped by the bus, and a later
    # one by consumers, which count the event under its id.
    platform.bus.send(EVENTS_TOPIC, [event_message(video_transcoded(asset))])


def transcode_job(platform: Platform, job: Mapping[str, Any], *, last_attempt: bool) -> None:
    """Transcode one queued asset. A bad input is marked failed; other failures raise for a retry,
    and on the last attempt also mark the asset failed, so no status stays 'processing' forever."""
    ctx = _system(str(job["tenantId"]))
    asset = _assets(platform, ctx).find(f"asset.{job['assetId']}")
    if asset is not None and asset.status == "ready":
        # A repeated message: in case the first stopped before publishing or telling.
        _publish_transcoded(platform, asset)
        _notify_ready(platform, ctx, asset)
        return
    if asset is None or asset.status == "failed":
        return  # a repeated message, or one whose asset is gone
    asset = _set_status(platform, ctx, asset, "processing")
    with tempfile.TemporaryDirectory(prefix="lms-transcode-") as folder:
        try:
            result = _transcode(platform, asset, Path(folder))
        except (BadMedia, NotFound) as exc:
            _set_status(platform, ctx, asset, "failed", reason=f"the upload cannot be transcoded: {exc}")
            return
        except Exception as exc:
            if last_attempt:
                _set_status(platform, ctx, asset, "failed", reason=f"transcoding failed: {exc}")
            raise
    ready = _set_status(platform, ctx, asset, "ready", reason=None, **result)
    _publish_transcoded(platform, ready)
    _record_duration(platform, ctx, asset, ready.durationSeconds or 0.0)
    _notify_ready(platform, ctx, asset)


def on_transcode_message(platform: Platform, message: ReceivedMessage) -> None:
    """The worker's entry: decode a job of the ``transcode`` queue and run it."""
    last = message.delivery_count >= QUEUES[TRANSCODE_QUEUE].max_delivery_count
    transcode_job(platform, message.json(), last_attempt=last)


class UploadWatcher:
    """The embedded profile's blob trigger: hands each new blob of the uploads container to
    ``on_upload``. Asset documents are the durable record of what was handled (``on_upload``
    returns at once for those); this process also remembers names it has passed on."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def __call__(self, platform: Platform) -> int:
        handled = 0
        for info in platform.blobs.list(UPLOADS):
            if info.name in self._seen:
                continue
            on_upload(platform, info.name)
            self._seen.add(info.name)
            handled += 1
        return handled
