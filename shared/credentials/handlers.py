"""Credentials' reaction to ``CourseCompleted``, from the ``certificates`` queue.

The local worker's consumer (embedded profile) and the Service Bus trigger of
``functions/credentials.py`` (Azure) decode a message and call ``on_course_completed``. Delivery is
at least once and may be concurrent (a lock that expired mid-work): issuing is idempotent, so every
delivery ends with the same single certificate, and the holder is told once (the notification is
deduplicated by the certificate id). A completion whose enrollment, course or tenant is gone is
settled with a warning; any other failure raises, so the bus retries and dead-letters it in the end.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from shared.credentials import service
from shared.credentials.model import CertificateView
from shared.errors import NotFound
from shared.learning.events import CourseCompleted
from shared.platform.bus import ReceivedMessage
from shared.platform.events import EventHandlers
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext, system_context

__all__ = ["CREDENTIALS_ACTOR", "HANDLERS", "issue_on_completion", "on_certificate_message", "on_course_completed"]

log = logging.getLogger("lms.credentials.handlers")

# Who acts when a completion issues a certificate: the system, on the learning context's word, with no roles.
CREDENTIALS_ACTOR = "system:credentials"


def issue_on_completion(platform: Platform, completed: CourseCompleted) -> None:
    """Issue the learner's certificate for a completion (once) and tell them."""
    # Built from the event, not from a token: learning recorded the completion in the tenant's own partition.
    ctx = system_context(completed.tenantId, CREDENTIALS_ACTOR)
    try:
        certificate = service.issue_certificate(platform, ctx, completed)
    except NotFound:
        # The tenant, enrollment or course version is gone: no delivery can succeed, so settle the message.
        log.warning(
            "course completed without what a certificate needs; ignored",
            extra={"tenantId": completed.tenantId, "eventId": completed.id, "courseId": completed.courseId},
        )
        return
    if certificate is None:
        log.info("certificates are turned off for the tenant", extra={"tenantId": completed.tenantId})
        return
    if certificate.status == "valid":
        _tell_the_holder(platform, ctx, certificate)


HANDLERS = EventHandlers().on(CourseCompleted, issue_on_completion)


def on_course_completed(platform: Platform, event: Mapping[str, Any]) -> None:
    """Issue the learner's certificate for a ``CourseCompleted`` event (once) and tell them; other events pass."""
    HANDLERS.dispatch(platform, event)


def _tell_the_holder(platform: Platform, ctx: TenantContext, certificate: CertificateView) -> None:
    # Imported here, not at the top: notifications is a context of its own that may come to react to
    # credentials' events, and neither context should need the other to load.
    from shared.notifications import service as notifications

    # Every delivery calls this (a delivery may have died right after issuing); the dedupe key keeps it to one.
    notifications.notify(
        platform,
        ctx,
        certificate.userId,
        "certificate_ready",
        title="Your certificate is ready",
        body=f"You completed {certificate.courseTitle}. Your certificate is ready to download and share.",
        link=certificate.pdfUrl,
        dedupe_key=certificate.id,
    )


def on_certificate_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry: decode a message of the ``certificates`` queue and handle it."""
    on_course_completed(platform, message.json())
