"""The domain event of enrollment, recorded in the enrollment document's outbox.

An enrollment document records ``EnrollmentCreated`` in ``outbox`` in the same write that creates
(or reactivates) the enrollment, and increments ``writeSeq``, exactly as progress documents do, so
the enrollment and its event are never apart (``shared.enrollment.model.with_enrollment_created``).
The relay (``shared/enrollment/relay.py``) publishes it from the change feed of ``enrollments``.
Events carry ids only, never names or emails (K-12 tenants get minimal personal data in events).
Later writes of the document (a due date, a completion) keep the outbox and ``writeSeq`` as they
are, so they relay nothing new.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from shared.platform.events import Event

__all__ = ["ENROLLMENT_CREATED", "OUTBOX_DAYS", "EnrollmentCreated"]

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
