"""``make run``: the platform on the embedded profile at http://127.0.0.1:7071.

Seeds the demo tenant (idempotently), prints a dev token for each role, and serves
the API, the built web app (when ``web/dist`` exists) and the local worker until stopped.
Data stays in ``LMS_DATA_DIR`` (.data).

The demo course ``getting-started`` is seeded as an instructor's client would build it, through the
contexts' service functions: the outline, a question bank and the check-in quiz, then the publish,
then the welcome video, a short clip generated with ffmpeg and uploaded as a signed upload would
store it, so the worker that starts next validates and transcodes it to HLS like any upload (no
ffmpeg: no video, and a log line says so). Each step looks first and does nothing when its result
is there, so a second start on the same data changes nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import secrets
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import uvicorn

from shared.assessment import service as assessment
from shared.assessment.model import BankCreate, Pool, QuizSettings, parse_question
from shared.bootstrap import default_platform
from shared.catalog import service as catalog
from shared.catalog.model import CourseCreate, Lesson, Module, Outline
from shared.enrollment import payments
from shared.errors import Conflict, NotFound
from shared.http.app import create_api
from shared.media import service as media
from shared.media.model import UPLOADS, UploadUrlRequest
from shared.media.transcode import ffmpeg_binary
from shared.observability import configure_logging
from shared.platform.generated_secrets import generated_secret
from shared.platform.identity import Principal
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.roles import Role
from shared.settings import Settings
from shared.tenancy import service as tenancy
from shared.tenancy import users
from shared.tenancy.model import Branding, TenantCreate, UserCreate
from shared.worker import LocalWorker, default_jobs

__all__ = ["CHECK_IN_QUESTIONS", "DEMO_COURSE", "DEMO_TENANT", "DEMO_USERS", "main", "seed_demo", "serve"]

log = logging.getLogger("lms.localrun")

DEMO_TENANT = "demo"
OPERATOR = "operator"
DEMO_USERS = {
    "admin": ("TenantAdmin", "Ada Admin"),
    "instructor": ("Instructor", "Ian Instructor"),
    "learner": ("Learner", "Lea Learner"),
    "support": ("SupportReadonly", "Sam Support"),
}


def seed_demo(platform: Platform) -> None:
    """Create the demo tenant and one user per role, unless they exist."""
    operator = Principal(user_id=OPERATOR, tenant_id=None, roles=frozenset({Role.SUPER_ADMIN}))
    body = TenantCreate(
        id=DEMO_TENANT,
        name="Demo Academy",
        branding=Branding(displayName="Demo Academy", primaryColor="#0b5394", accentColor="#e69138"),
    )
    try:
        tenancy.create_tenant(platform, operator, body)
    except Conflict:
        log.info("demo tenant exists")
    ctx = TenantContext(tenant_id=DEMO_TENANT, user_id=OPERATOR, roles=frozenset({Role.SUPER_ADMIN}))
    for user_id, (role, name) in DEMO_USERS.items():
        user = UserCreate(id=user_id, email=f"{user_id}@demo.example.com", displayName=name, roles=[role])
        with contextlib.suppress(Conflict):
            users.create_user(platform, ctx, user)
    seed_demo_course(platform)


DEMO_COURSE = "getting-started"
WELCOME, HANDBOOK, CHECK_IN = "welcome", "handbook", "check-in"
CLIP_SECONDS = 8
CLIP_SIZE = "640x360"
CHECK_IN_BANK = "Getting started: check-in"
# Auto-graded, one point each; the pass mark (60 %) needs three of the four.
CHECK_IN_QUESTIONS: list[dict[str, Any]] = [
    {
        "type": "single_choice",
        "prompt": "What earns you the certificate of this course?",
        "options": [
            {"id": "all", "text": "Completing every required lesson"},
            {"id": "enroll", "text": "Enrolling in the course"},
            {"id": "minute", "text": "Watching the first minute of the video"},
        ],
        "correct": ["all"],
    },
    {"type": "true_false", "prompt": "A video lesson resumes where you stopped watching.", "answer": True},
    {
        "type": "multiple_choice",
        "prompt": "Which of these are lessons of this course?",
        "options": [
            {"id": "video", "text": "The welcome video"},
            {"id": "handbook", "text": "The learner handbook"},
            {"id": "quiz", "text": "The check-in quiz"},
            {"id": "exam", "text": "A proctored final exam"},
        ],
        "correct": ["video", "handbook", "quiz"],
    },
    {"type": "short_text", "prompt": "Which academy offers this course?", "accepted": ["Demo Academy"]},
]
CHECK_IN_QUIZ = {
    "timeLimitSeconds": 600,
    "attemptsAllowed": 3,
    "passMark": 60.0,
    "showCorrectAnswers": "after_submission",
}
WELCOME_CAPTIONS = f"""WEBVTT

00:00:00.000 --> 00:00:04.000
Welcome to the Demo Academy. This short video starts your first course.

00:00:04.000 --> 00:00:{CLIP_SECONDS:02d}.000
Next, read the learner handbook, then take the check-in quiz to earn your certificate.
"""


def _instructor() -> TenantContext:
    return TenantContext(tenant_id=DEMO_TENANT, user_id="instructor", roles=frozenset({Role.INSTRUCTOR}))


def seed_demo_course(platform: Platform) -> None:
    """The published demo course (video, text and quiz lessons), its check-in quiz and its welcome video."""
    ctx = _instructor()
    body = CourseCreate(
        id=DEMO_COURSE,
        title="Getting started with the Demo Academy",
        summary="A short tour: watch the welcome video, read the handbook, take the check-in quiz.",
        tags=["onboarding", "demo"],
        durationMinutes=15,
    )
    with contextlib.suppress(Conflict):
        catalog.create_course(platform, ctx, body)
    unpublished = catalog.published_version_of(platform, ctx, DEMO_COURSE) is None
    if unpublished:
        lessons = [
            Lesson(id=WELCOME, title="Welcome video", kind="video", durationSeconds=CLIP_SECONDS),
            Lesson(
                id=HANDBOOK,
                title="The learner handbook",
                kind="text",
                text="How courses, quizzes and certificates work.",
            ),
            Lesson(id=CHECK_IN, title="Check-in quiz", kind="quiz", prerequisites=[WELCOME]),
        ]
        outline = Outline(modules=[Module(id="start", title="Start here", lessons=lessons)])
        catalog.put_outline(platform, ctx, DEMO_COURSE, outline, if_match=None)
    # The quiz before the publish, so the first version's quiz lesson has its questions from the start.
    seed_check_in_quiz(platform, ctx)
    if unpublished:
        catalog.publish_course(platform, ctx, DEMO_COURSE)
    seed_welcome_video(platform, ctx)


def seed_check_in_quiz(platform: Platform, ctx: TenantContext) -> None:
    """A bank of auto-graded questions and the check-in lesson's quiz drawing all of them, unless set."""
    with contextlib.suppress(NotFound):
        assessment.get_quiz(platform, ctx, DEMO_COURSE, CHECK_IN)
        return
    banks = assessment.list_banks(platform, ctx, limit=200, continuation=None).items
    bank = next((b for b in banks if b.title == CHECK_IN_BANK), None)
    if bank is None:
        description = "The questions of the demo course's check-in quiz."
        bank = assessment.create_bank(platform, ctx, BankCreate(title=CHECK_IN_BANK, description=description))
    if not assessment.list_questions(platform, ctx, bank.id, limit=1, continuation=None).items:
        for question in CHECK_IN_QUESTIONS:
            assessment.add_question(platform, ctx, bank.id, parse_question(question))
    pools = [Pool(bankId=bank.id, count=len(CHECK_IN_QUESTIONS))]
    assessment.put_quiz(platform, ctx, DEMO_COURSE, CHECK_IN, QuizSettings(pools=pools, **CHECK_IN_QUIZ))
    log.info("demo check-in quiz seeded", extra={"bankId": bank.id})


def seed_welcome_video(platform: Platform, ctx: TenantContext) -> None:
    """Upload a generated clip to the welcome lesson (the worker transcodes it) and its captions, unless
    the lesson has a video or an upload waiting for the worker."""
    video = media.video_of(platform, ctx, DEMO_COURSE, WELCOME, api_base=platform.settings.public_base_url)
    if video.captionsUrl is None:
        media.put_captions(platform, ctx, DEMO_COURSE, WELCOME, WELCOME_CAPTIONS.encode())
    if video.status != "none" or next(platform.blobs.list(UPLOADS, f"{DEMO_TENANT}/{WELCOME}/"), None):
        return
    ffmpeg = ffmpeg_binary()
    if ffmpeg is None:
        log.warning("no ffmpeg (neither a system binary nor imageio-ffmpeg): the demo welcome video is not seeded")
        return
    with tempfile.TemporaryDirectory(prefix="lms-demo-") as folder:
        try:
            clip = _demo_clip(ffmpeg, Path(folder) / "welcome.mp4")
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("ffmpeg could not make the demo welcome video; it is not seeded", extra={"error": str(exc)})
            return
        request = UploadUrlRequest(filename="welcome.mp4")
        ticket = media.request_upload_url(platform, ctx, DEMO_COURSE, WELCOME, request)
        # What the signed PUT to ticket.uploadUrl stores; the worker's upload watcher takes it from there.
        with clip.open("rb") as data:
            name = ticket.blobName.removeprefix(f"{UPLOADS}/")
            platform.blobs.write(UPLOADS, name, data, content_type="video/mp4", overwrite=False)
    log.info("demo welcome video uploaded; the worker transcodes it", extra={"uploadId": ticket.uploadId})


def _demo_clip(ffmpeg: str, path: Path) -> Path:
    """A small H.264/AAC MP4: ffmpeg's test pattern with a tone, CLIP_SECONDS long."""
    command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y"]
    command += ["-f", "lavfi", "-i", f"testsrc=duration={CLIP_SECONDS}:size={CLIP_SIZE}:rate=25"]
    command += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={CLIP_SECONDS}"]
    command += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"]
    subprocess.run([*command, str(path)], check=True, capture_output=True, timeout=120)  # noqa: S603 - our fixed argv, no shell
    return path


def print_tokens(platform: Platform, ttl_seconds: int = 12 * 3600) -> None:
    issuer = platform.dev_issuer
    assert issuer is not None
    print(f"\nDev tokens (valid {ttl_seconds // 3600} h) for tenant '{DEMO_TENANT}':")
    for user_id, (role, _) in DEMO_USERS.items():
        token = issuer.issue(user_id=user_id, tenant_id=DEMO_TENANT, roles=[role], ttl_seconds=ttl_seconds)
        print(f"\n  {role} ({user_id}):\n  {token}")
    sa = issuer.issue(user_id=OPERATOR, tenant_id=None, roles=[Role.SUPER_ADMIN], ttl_seconds=ttl_seconds)
    print(f"\n  SuperAdmin ({OPERATOR}):\n  {sa}\n")


def local_webhook_secret(platform: Platform) -> str:
    """The payments webhook's signing secret on this machine, generated on the first run (as the dev
    issuer's key is), so signed test deliveries work; ``LMS_SECRET_PAYMENTS_WEBHOOK_SECRET`` overrides it."""
    return generated_secret(platform, payments.SECRET_NAME, lambda: "whsec_" + secrets.token_urlsafe(24))


def print_webhook_secret(platform: Platform) -> None:
    local_webhook_secret(platform)
    where = platform.settings.data_dir / "keys" / "secrets.json"
    print(f"Payments webhook: POST /api/v1/webhooks/payments, signed with the secret '{payments.SECRET_NAME}'")
    print(f"  in {where} (README: 'A signed payments webhook' shows a curl that signs one)\n")


def serve(platform: Platform, port: int) -> None:
    """What ``make run`` runs on ``platform``: the demo seed, the tokens, the worker and the API on
    127.0.0.1:``port`` until stopped (``bench/`` starts the platform through here too)."""
    settings = platform.settings
    seed_demo(platform)
    print_tokens(platform)
    print_webhook_secret(platform)
    if (Path.cwd() / settings.web_dist).is_dir():  # as the app finds it (shared/http/web_app.py)
        print(f"Web app on http://127.0.0.1:{port}/ (dev sign-in: pick a demo user)")
    else:
        print(f"No web app: {settings.web_dist} is not built (make run builds it)")
    print(f"API on http://127.0.0.1:{port}/api (docs: /api/docs). Ctrl+C stops.\n", flush=True)
    worker = LocalWorker(platform, default_jobs())
    worker.start()
    try:
        uvicorn.run(create_api(platform), host="127.0.0.1", port=port, log_config=None, access_log=False)
    finally:
        worker.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.localrun")
    parser.add_argument("--port", type=int, default=7071)
    args = parser.parse_args()
    configure_logging(Settings().log_level)
    serve(default_platform(), args.port)


if __name__ == "__main__":
    main()
