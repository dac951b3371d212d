"""``make run``: the platform on the embedded profile at http://127.0.0.1:7071.

Seeds the demo tenant (idempotently), prints a dev token for each role, and serves
the API and the local worker until stopped. Data stays in ``LMS_DATA_DIR`` (.data).
"""

from __future__ import annotations

import argparse
import contextlib
import logging

import uvicorn

from shared.bootstrap import default_platform
from shared.catalog import service as catalog
from shared.catalog.model import CourseCreate, Lesson, Module, Outline
from shared.errors import Conflict
from shared.http.app import create_api
from shared.observability import configure_logging
from shared.platform.identity import Principal
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.roles import Role
from shared.settings import Settings
from shared.tenancy import service as tenancy
from shared.tenancy import users
from shared.tenancy.model import Branding, TenantCreate, UserCreate
from shared.worker import LocalWorker, default_jobs

__all__ = ["DEMO_TENANT", "DEMO_USERS", "main", "seed_demo"]

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


def seed_demo_course(platform: Platform) -> None:
    """A published demo course with a video, a text and a quiz lesson, unless it is published."""
    ctx = TenantContext(tenant_id=DEMO_TENANT, user_id="instructor", roles=frozenset({Role.INSTRUCTOR}))
    body = CourseCreate(
        id=DEMO_COURSE,
        title="Getting started with the Demo Academy",
        summary="A short tour: watch the welcome video, read the handbook, take the check-in quiz.",
        tags=["onboarding", "demo"],
        durationMinutes=15,
    )
    with contextlib.suppress(Conflict):
        catalog.create_course(platform, ctx, body)
    if catalog.published_version_of(platform, ctx, DEMO_COURSE) is not None:
        return
    lessons = [
        Lesson(id="welcome", title="Welcome video", kind="video", durationSeconds=90),
        Lesson(
            id="handbook", title="The learner handbook", kind="text", text="How courses, quizzes and certificates work."
        ),
        Lesson(id="check-in", title="Check-in quiz", kind="quiz", prerequisites=["welcome"]),
    ]
    outline = Outline(modules=[Module(id="start", title="Start here", lessons=lessons)])
    catalog.put_outline(platform, ctx, DEMO_COURSE, outline, if_match=None)
    catalog.publish_course(platform, ctx, DEMO_COURSE)


def print_tokens(platform: Platform, ttl_seconds: int = 12 * 3600) -> None:
    issuer = platform.dev_issuer
    assert issuer is not None
    print(f"\nDev tokens (valid {ttl_seconds // 3600} h) for tenant '{DEMO_TENANT}':")
    for user_id, (role, _) in DEMO_USERS.items():
        token = issuer.issue(user_id=user_id, tenant_id=DEMO_TENANT, roles=[role], ttl_seconds=ttl_seconds)
        print(f"\n  {role} ({user_id}):\n  {token}")
    sa = issuer.issue(user_id=OPERATOR, tenant_id=None, roles=[Role.SUPER_ADMIN], ttl_seconds=ttl_seconds)
    print(f"\n  SuperAdmin ({OPERATOR}):\n  {sa}\n")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.localrun")
    parser.add_argument("--port", type=int, default=7071)
    args = parser.parse_args()
    settings = Settings()
    configure_logging(settings.log_level)
    platform = default_platform()
    seed_demo(platform)
    print_tokens(platform)
    print(f"API on http://127.0.0.1:{args.port}/api (docs: /api/docs). Ctrl+C stops.\n", flush=True)
    worker = LocalWorker(platform, default_jobs())
    worker.start()
    try:
        uvicorn.run(create_api(platform), host="127.0.0.1", port=args.port, log_config=None, access_log=False)
    finally:
        worker.stop()


if __name__ == "__main__":
    main()
