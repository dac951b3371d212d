"""The domain event of enrollment, recorded in the enrollment document's outbox.

An enrollment document records ``EnrollmentCreated`` in ``outbox`` in the same write that creates
(or reactivates) the enrollment, and increments ``writeSeq``, exactly as progress documents do, so
the enrollment and its event are never apart. The relay (``shared/enrollment/relay.py``) publishes
it from the change feed of ``enrollments``. Events carry ids only, never names or emails (K-12
tenants get minimal personal data in events). Later writes of the document (a due date, a
completion) keep the outbox and ``writeSeq`` as they are, so they relay nothing new.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal

from pydantic import Field

from shared.platform.documents import Document
from shared.platform.events import Event

__all__ = ["ENROLLMENT_CREATED", "OUTBOX_DAYS", "EnrollmentCreated", "with_enrollment_created"]

ENROLLMENT_CREATED = "EnrollmentCreated"


class EnrollmentCreated(Event):
    """A learner was enrolled in (or re-enrolled into) a course version: by themselves, by staff, by an
    HRIS import or by a paid order (``source``)."""

    TYPE: ClassVar[str] = ENROLLMENT_CREATED
    type: Literal["EnrollmentCreated"] = "EnrollmentCreated"
    userId: str = Field(min_length=1)
    courseId: str = Field(min_length=1)
    version: int = Field(ge=1)
    seq: int = Field(default=1, ge=1)
    source: str = ""


# An enrollment is written a few times in its life; a week of events is plenty for the relay.
OUTBOX_DAYS = 7


def with_enrollment_created(
    doc: Document, previous: Document | None, tenant_id: str, event_id: str, now: datetime
) -> Document:
    """``doc`` (a new or reactivated enrollment) with its ``EnrollmentCreated`` recorded in the outbox,
    after the previous document's recent events, with the write sequence counting on from it."""
    seq = int((previous or {}).get("writeSeq") or 0) + 1
    event: dict[str, Any] = {
        "id": event_id,
        "type": ENROLLMENT_CREATED,
        "at": now.isoformat(),
        "seq": seq,
        "tenantId": tenant_id,
        "userId": doc["userId"],
        "courseId": doc["courseId"],
        "version": doc["version"],
        "source": doc["source"],
    }
    horizon = (now - timedelta(days=OUTBOX_DAYS)).isoformat()
    kept = [e for e in (previous or {}).get("outbox", []) if e["at"] >= horizon]
    return {**doc, "outbox": [*kept, event], "writeSeq": seq}
