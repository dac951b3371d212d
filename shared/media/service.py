"""Media use cases: upload URLs, a lesson's video state and signed playback, captions, transcripts.

A lesson's video state is one document per course lesson (``lesson.{courseId}.{lessonId}``): the
latest upload's status (and failure reason), the last asset that became ready (what plays while a
replacement transcodes), and the captions. Each upload is an asset document (``asset.{assetId}``)
that the trigger and the transcoder move through validating, queued, processing, ready or failed.
Courses are read only through the catalog's service functions, enrollments through enrollment's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from shared.catalog import service as catalog
from shared.enrollment import service as enrollments
from shared.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, PreconditionFailed
from shared.media import playback
from shared.media.model import (
    MAX_CAPTIONS_BYTES,
    MAX_UPLOAD_BYTES,
    MEDIA,
    MEDIA_BLOBS,
    PLAYBACK_SECONDS,
    UPLOAD_URL_SECONDS,
    UPLOADS,
    Asset,
    CaptionsFile,
    CaptionsView,
    LessonVideo,
    ReadyVideo,
    RenditionView,
    UploadPath,
    UploadTicket,
    UploadUrlRequest,
    UploadUrlView,
    VideoView,
    safe_filename,
    transcript_of_vtt,
)
from shared.platform.documents import Filter
from shared.platform.personal_data import (
    ErasedUser,
    PersonalDataFunctions,
    documents_mentioning,
    erase_mentions,
    exported,
    mentions,
)
from shared.platform.runtime import Platform
from shared.platform.stored import StoredDocument
from shared.platform.tenancy import TenantContext, TenantDocuments

__all__ = [
    "PERSONAL_DATA",
    "course_of_dropped_upload",
    "erase_user",
    "export_user",
    "lesson_videos",
    "put_captions",
    "request_upload_url",
    "transcript_of",
    "update_lesson_video",
    "upload_ticket",
    "video_of",
]

M = TypeVar("M", bound=StoredDocument)

WRITE_ATTEMPTS = 8
TICKET_TTL_SECONDS = 7 * 24 * 3600
AZURE_PUT_HEADERS = {"x-ms-blob-type": "BlockBlob"}


def lesson_videos(platform: Platform, ctx: TenantContext) -> TenantDocuments[LessonVideo]:
    return TenantDocuments(platform.documents, MEDIA, ctx, LessonVideo)


def _tickets(platform: Platform, ctx: TenantContext) -> TenantDocuments[UploadTicket]:
    return TenantDocuments(platform.documents, MEDIA, ctx, UploadTicket)


def lesson_doc_id(course_id: str, lesson_id: str) -> str:
    return f"lesson.{course_id}.{lesson_id}"


def _lessons(outline: dict[str, Any]) -> list[dict[str, Any]]:
    return [lesson for module in outline.get("modules", []) for lesson in module.get("lessons", [])]


def _require_video_lesson(outline: dict[str, Any], lesson_id: str) -> None:
    lesson = next((lesson for lesson in _lessons(outline) if lesson["id"] == lesson_id), None)
    if lesson is None:
        raise NotFound()
    if lesson["kind"] != "video":
        raise Conflict(f"lesson {lesson_id!r} is a {lesson['kind']} lesson, not a video lesson")


def _draft_video_lesson(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str) -> None:
    found = catalog.get_course(platform, ctx, course_id)
    if isinstance(found, catalog.JsonBody):
        raise NotFound()  # only staff reach drafts; their routes are guarded so
    _require_video_lesson(found[0].outline, lesson_id)


def _playable_lesson(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str) -> None:
    """Staff may see any video lesson of the draft; a learner one of the version they are enrolled in."""
    if catalog.is_staff(ctx):
        _draft_video_lesson(platform, ctx, course_id, lesson_id)
        return
    enrollment = enrollments.find_enrollment(platform, ctx, course_id, ctx.user_id)
    if enrollment is None or enrollment.status not in enrollments.HOLDING:
        raise NotFound()  # not enrolled looks exactly like no such lesson
    version = catalog.course_version(platform, ctx, course_id, enrollment.version)
    _require_video_lesson(version.outline, lesson_id)


# --- uploads ----------------------------------------------------------------------------------


def request_upload_url(
    platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str, body: UploadUrlRequest
) -> UploadUrlView:
    """A URL that lets the caller PUT one video file for the lesson, for a quarter of an hour."""
    _draft_video_lesson(platform, ctx, course_id, lesson_id)
    upload = UploadPath(ctx.tenant_id, lesson_id, platform.ids.new_id(), safe_filename(body.filename))
    now = platform.clock.now()
    ticket = UploadTicket(
        id=f"upload.{upload.upload_id}",
        courseId=course_id,
        lessonId=lesson_id,
        blobName=upload.name,
        requestedBy=ctx.user_id,
        requestedAt=now.isoformat(),
        ttl=TICKET_TTL_SECONDS,
    )
    _tickets(platform, ctx).create(ticket)
    url = platform.signer.sign(UPLOADS, upload.name, ttl_seconds=UPLOAD_URL_SECONDS, permission="w")
    return UploadUrlView(
        uploadId=upload.upload_id,
        uploadUrl=url,
        headers=AZURE_PUT_HEADERS,
        blobName=f"{UPLOADS}/{upload.name}",
        maxBytes=MAX_UPLOAD_BYTES,
        expiresAt=(now + timedelta(seconds=UPLOAD_URL_SECONDS)).isoformat(),
    )


def upload_ticket(platform: Platform, ctx: TenantContext, upload_id: str) -> UploadTicket | None:
    """The ticket an upload URL was issued with, if the upload came through the API."""
    return _tickets(platform, ctx).find(f"upload.{upload_id}")


def course_of_dropped_upload(platform: Platform, ctx: TenantContext, lesson_id: str) -> str | None:
    """The course of a file a content team dropped straight into the uploads container: the one
    course whose lesson of that id has had video state here, else the one course whose outline has a
    video lesson of that id (a first drop into a new lesson); None when there is none or several."""
    found = lesson_videos(platform, ctx).query([Filter("lessonId", "eq", lesson_id)], limit=2).items
    if found:
        return found[0].courseId if len(found) == 1 else None
    courses = catalog.courses_with_video_lesson(platform, ctx, lesson_id)
    return courses[0] if len(courses) == 1 else None


# --- the lesson's video state -------------------------------------------------------------------


def update_lesson_video(
    platform: Platform,
    ctx: TenantContext,
    course_id: str,
    lesson_id: str,
    change: Callable[[LessonVideo], LessonVideo],
) -> LessonVideo:
    """Apply ``change`` to the lesson's video state (created on first use), retrying on a concurrent write."""
    docs = lesson_videos(platform, ctx)
    doc_id = lesson_doc_id(course_id, lesson_id)
    for _ in range(WRITE_ATTEMPTS):
        current = docs.find(doc_id)
        base = current or LessonVideo(id=doc_id, courseId=course_id, lessonId=lesson_id, status="none")
        updated = change(base.model_copy()).model_copy(update={"updatedAt": platform.clock.now().isoformat()})
        try:
            if current is None:
                return docs.create(updated)
            return docs.replace(updated, if_match=current.etag)
        except (Conflict, PreconditionFailed):
            continue
    raise Conflict("the lesson's video state kept changing")


def _signed(platform: Platform, name: str | None, ttl: int) -> str | None:
    return platform.signer.sign(MEDIA_BLOBS, name, ttl_seconds=ttl) if name else None


def _with_playback(platform: Platform, ctx: TenantContext, view: VideoView, ready: ReadyVideo, api_base: str) -> None:
    token, grant = playback.issue_grant(
        platform, ctx.tenant_id, ready.lessonId, ready.assetId, PLAYBACK_SECONDS, ctx.user_id
    )
    view.assetId = ready.assetId
    view.durationSeconds = ready.durationSeconds
    view.renditions = [
        RenditionView(name=r.name, width=r.width, height=r.height, bandwidth=r.bandwidth) for r in ready.renditions
    ]
    view.manifestUrl = f"{api_base}{playback.PLAYLIST_ROUTE}/master.m3u8?token={token}"
    view.posterUrl = _signed(platform, ready.poster, PLAYBACK_SECONDS)
    view.expiresAt = playback.expires_at(grant)


def video_of(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str, *, api_base: str) -> VideoView:
    """The lesson's video status and, once a video is ready, playback URLs signed for 15 minutes."""
    _playable_lesson(platform, ctx, course_id, lesson_id)
    doc = lesson_videos(platform, ctx).find(lesson_doc_id(course_id, lesson_id))
    if doc is None:
        return VideoView(courseId=course_id, lessonId=lesson_id, status="none")
    staff = catalog.is_staff(ctx)
    view = VideoView(
        courseId=course_id,
        lessonId=lesson_id,
        status=doc.status if staff or not doc.ready else "ready",
        reason=doc.reason if staff else None,
        assetId=doc.assetId,
    )
    if doc.ready:
        _with_playback(platform, ctx, view, doc.ready, api_base)
    if doc.captions:
        view.captionsUrl = _signed(platform, doc.captions.blob, PLAYBACK_SECONDS)
    return view


# --- captions and transcripts --------------------------------------------------------------------


def put_captions(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str, data: bytes) -> CaptionsView:
    """Store the lesson's WebVTT captions (replacing earlier ones) and keep their text as its transcript."""
    _draft_video_lesson(platform, ctx, course_id, lesson_id)
    if len(data) > MAX_CAPTIONS_BYTES:
        raise PayloadTooLarge(f"a caption file has at most {MAX_CAPTIONS_BYTES} bytes")
    if not data:
        raise InvalidInput("the caption file is empty")
    transcript = transcript_of_vtt(data)
    blob = f"{ctx.tenant_id}/{lesson_id}/captions/{course_id}-{platform.ids.new_id()}.vtt"
    platform.blobs.write(MEDIA_BLOBS, blob, data, content_type="text/vtt; charset=utf-8")
    replaced: list[str] = []

    def store(doc: LessonVideo) -> LessonVideo:
        replaced[:] = [doc.captions.blob] if doc.captions else []
        captions = CaptionsFile(blob=blob, updatedAt=platform.clock.now().isoformat())
        return doc.model_copy(update={"captions": captions, "transcript": transcript})

    stored = update_lesson_video(platform, ctx, course_id, lesson_id, store)
    for old in replaced:
        platform.blobs.delete(MEDIA_BLOBS, old)
    return CaptionsView(
        courseId=course_id,
        lessonId=lesson_id,
        transcriptChars=len(transcript),
        updatedAt=stored.captions.updatedAt if stored.captions else "",
    )


def transcript_of(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str) -> str | None:
    """The lesson's transcript (its caption text without timings), None if it has no captions."""
    doc = lesson_videos(platform, ctx).find(lesson_doc_id(course_id, lesson_id))
    return doc.transcript if doc and doc.transcript else None


# --- GDPR: this context's part of an export and an erasure (shared/privacy/) -------------


def _assets(platform: Platform, ctx: TenantContext) -> TenantDocuments[Asset]:
    return TenantDocuments(platform.documents, MEDIA, ctx, Asset)


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """The upload tickets the user asked for, and other media documents that name them."""
    found = documents_mentioning(_tickets(platform, ctx), who)
    tickets = [d for d in found if d.requestedBy == who.user_id]
    assets = documents_mentioning(_assets(platform, ctx), who)
    lessons = documents_mentioning(lesson_videos(platform, ctx), who)
    others: list[StoredDocument] = [*(d for d in found if d not in tickets), *assets, *lessons]
    return {
        "uploadTickets": [exported(d) for d in tickets],
        "mentions": [mentions(d, who) for d in others],
    }


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Keep the lessons' media (course content, not the uploader's) with the uploader pseudonymised."""
    erase_mentions(_tickets(platform, ctx), who)
    erase_mentions(_assets(platform, ctx), who)
    erase_mentions(lesson_videos(platform, ctx), who)


PERSONAL_DATA = PersonalDataFunctions(export_user=export_user, erase_user=erase_user)
