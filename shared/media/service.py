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
from typing import Any

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
    CaptionsView,
    RenditionView,
    UploadPath,
    UploadUrlRequest,
    UploadUrlView,
    VideoView,
    safe_filename,
    transcript_of_vtt,
)
from shared.platform import personal_data
from shared.platform.documents import Document, Filter
from shared.platform.personal_data import ErasedUser, PersonalDataFunctions
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext

__all__ = [
    "course_of_dropped_upload",
    "erase_user",
    "export_user",
    "put_captions",
    "request_upload_url",
    "transcript_of",
    "update_lesson_video",
    "upload_ticket",
    "video_of",
]

WRITE_ATTEMPTS = 8
TICKET_TTL_SECONDS = 7 * 24 * 3600
AZURE_PUT_HEADERS = {"x-ms-blob-type": "BlockBlob"}


def _docs(platform: Platform, ctx: TenantContext) -> DictDocuments:
    return DictDocuments(platform.documents, MEDIA, ctx)


def lesson_doc_id(course_id: str, lesson_id: str) -> str:
    return f"lesson.{course_id}.{lesson_id}"


def _read(docs: DictDocuments, doc_id: str) -> Document | None:
    try:
        return docs.read(doc_id)
    except NotFound:
        return None


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
    ticket = {
        "id": f"upload.{upload.upload_id}",
        "type": "upload",
        "courseId": course_id,
        "lessonId": lesson_id,
        "blobName": upload.name,
        "requestedBy": ctx.user_id,
        "requestedAt": now.isoformat(),
        "ttl": TICKET_TTL_SECONDS,
    }
    _docs(platform, ctx).create(ticket)
    url = platform.signer.sign(UPLOADS, upload.name, ttl_seconds=UPLOAD_URL_SECONDS, permission="w")
    return UploadUrlView(
        uploadId=upload.upload_id,
        uploadUrl=url,
        headers=AZURE_PUT_HEADERS,
        blobName=f"{UPLOADS}/{upload.name}",
        maxBytes=MAX_UPLOAD_BYTES,
        expiresAt=(now + timedelta(seconds=UPLOAD_URL_SECONDS)).isoformat(),
    )


def upload_ticket(platform: Platform, ctx: TenantContext, upload_id: str) -> Document | None:
    """The ticket an upload URL was issued with, if the upload came through the API."""
    return _read(_docs(platform, ctx), f"upload.{upload_id}")


def course_of_dropped_upload(platform: Platform, ctx: TenantContext, lesson_id: str) -> str | None:
    """The course of a file a content team dropped straight into the uploads container: the one
    course whose lesson of that id has had video state here, else the one course whose outline has a
    video lesson of that id (a first drop into a new lesson); None when there is none or several."""
    filters = [Filter("type", "eq", "lessonVideo"), Filter("lessonId", "eq", lesson_id)]
    found = _docs(platform, ctx).query(filters, limit=2).items
    if found:
        return str(found[0]["courseId"]) if len(found) == 1 else None
    courses = catalog.courses_with_video_lesson(platform, ctx, lesson_id)
    return courses[0] if len(courses) == 1 else None


# --- the lesson's video state -------------------------------------------------------------------


def update_lesson_video(
    platform: Platform,
    ctx: TenantContext,
    course_id: str,
    lesson_id: str,
    change: Callable[[Document], Document],
) -> Document:
    """Apply ``change`` to the lesson's video state (created on first use), retrying on a concurrent write."""
    docs = _docs(platform, ctx)
    doc_id = lesson_doc_id(course_id, lesson_id)
    for _ in range(WRITE_ATTEMPTS):
        current = _read(docs, doc_id)
        base = current or {
            "id": doc_id,
            "type": "lessonVideo",
            "courseId": course_id,
            "lessonId": lesson_id,
            "status": "none",
        }
        updated = {**change(dict(base)), "updatedAt": platform.clock.now().isoformat()}
        try:
            if current is None:
                return docs.create(updated)
            return docs.replace(updated, if_match=current["_etag"])
        except (Conflict, PreconditionFailed):
            continue
    raise Conflict("the lesson's video state kept changing")


def _signed(platform: Platform, name: str | None, ttl: int) -> str | None:
    return platform.signer.sign(MEDIA_BLOBS, name, ttl_seconds=ttl) if name else None


def _with_playback(platform: Platform, view: dict[str, Any], ready: Document, api_base: str) -> dict[str, Any]:
    token, grant = playback.issue_grant(
        platform, view["_tenant"], ready["lessonId"], ready["assetId"], PLAYBACK_SECONDS
    )
    return {
        **view,
        "assetId": ready["assetId"],
        "durationSeconds": ready["durationSeconds"],
        "renditions": [RenditionView.model_validate(r) for r in ready["renditions"]],
        "manifestUrl": f"{api_base}{playback.PLAYLIST_ROUTE}/master.m3u8?token={token}",
        "posterUrl": _signed(platform, ready.get("poster"), PLAYBACK_SECONDS),
        "expiresAt": playback.expires_at(grant),
    }


def video_of(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str, *, api_base: str) -> VideoView:
    """The lesson's video status and, once a video is ready, playback URLs signed for 15 minutes."""
    _playable_lesson(platform, ctx, course_id, lesson_id)
    doc = _read(_docs(platform, ctx), lesson_doc_id(course_id, lesson_id)) or {"status": "none"}
    staff = catalog.is_staff(ctx)
    view: dict[str, Any] = {
        "_tenant": ctx.tenant_id,
        "courseId": course_id,
        "lessonId": lesson_id,
        "status": doc["status"] if staff or not doc.get("ready") else "ready",
        "reason": doc.get("reason") if staff else None,
        "assetId": doc.get("assetId"),
    }
    if doc.get("ready"):
        view = _with_playback(platform, view, doc["ready"], api_base)
    captions = doc.get("captions")
    if captions:
        view["captionsUrl"] = _signed(platform, captions["blob"], PLAYBACK_SECONDS)
    view.pop("_tenant")
    return VideoView.model_validate(view)


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

    def store(doc: Document) -> Document:
        replaced[:] = [doc["captions"]["blob"]] if doc.get("captions") else []
        updated_at = platform.clock.now().isoformat()
        return {**doc, "captions": {"blob": blob, "updatedAt": updated_at}, "transcript": transcript}

    stored = update_lesson_video(platform, ctx, course_id, lesson_id, store)
    for old in replaced:
        platform.blobs.delete(MEDIA_BLOBS, old)
    return CaptionsView(
        courseId=course_id,
        lessonId=lesson_id,
        transcriptChars=len(transcript),
        updatedAt=stored["captions"]["updatedAt"],
    )


def transcript_of(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str) -> str | None:
    """The lesson's transcript (its caption text without timings), None if it has no captions."""
    doc = _read(_docs(platform, ctx), lesson_doc_id(course_id, lesson_id))
    transcript = doc.get("transcript") if doc else None
    return str(transcript) if transcript else None


# --- GDPR: this context's part of an export and an erasure (shared/privacy/) -------------


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """The upload tickets the user asked for, and other media documents that name them."""
    found = personal_data.documents_mentioning(_docs(platform, ctx), who)
    tickets = [d for d in found if d.get("type") == "upload" and d.get("requestedBy") == who.user_id]
    return {
        "uploadTickets": [personal_data.exported(d) for d in tickets],
        "mentions": [personal_data.mentions(d, who) for d in found if d not in tickets],
    }


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Keep the lessons' media (course content, not the uploader's) with the uploader pseudonymised."""
    docs = _docs(platform, ctx)
    for doc in personal_data.documents_mentioning(docs, who):
        personal_data.pseudonymise(docs, who, doc)


# This context's part of GDPR export and erasure (and of retention), registered from its spec.
PERSONAL_DATA = PersonalDataFunctions(export_user=export_user, erase_user=erase_user)
