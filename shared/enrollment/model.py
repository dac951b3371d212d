"""Enrollments: who takes which course, on which pinned version, and the pure rules about them.

An enrollment is one document per course and user, with a deterministic id, so enrolling
twice (a retried request, a re-imported file, a replayed payment) finds the same document
instead of making a second one. Payment orders live in the same container, one per order id.
The two kinds (``EnrollmentDocument``, ``OrderDocument``) tell themselves apart by ``type``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from shared.enrollment.events import OUTBOX_DAYS, EnrollmentCreated
from shared.kernel import Email, InputModel, OutputModel, PatchModel, Reason, ShortText, TenantId, UserId
from shared.platform.documents import TENANT_THEN_ID_KEY, ContainerSpec, Order
from shared.platform.stored import StoredDocument

__all__ = [
    "BY_ID",
    "ENROLLMENTS",
    "ENROLLMENTS_CONTAINER",
    "EnrollRequest",
    "EnrollmentDocument",
    "EnrollmentPatch",
    "EnrollmentStatus",
    "EnrollmentView",
    "ImportReport",
    "ImportRow",
    "OrderDocument",
    "OrderStatus",
    "PaidOrder",
    "WebhookReceipt",
    "enrollment_id",
    "missing_prerequisites",
    "order_id",
    "with_enrollment_created",
]

ENROLLMENTS = "enrollments"
# Enrollment ids start with the course id, so ordering by id lists a roster by user and
# a learner's enrollments by course, without a composite index.
BY_ID = (Order("id"),)
# One enrollment per learner and course (and the orders paying for them): keyed by tenant then id.
ENROLLMENTS_CONTAINER = ContainerSpec(
    ENROLLMENTS,
    orderings=(BY_ID,),
    filters=("type", "userId", "courseId", "status"),
    partition_key=TENANT_THEN_ID_KEY,
)

EnrollmentStatus = Literal["active", "completed", "cancelled"]
EnrollmentSource = Literal["self", "assigned", "import", "purchase"]
RowOutcome = Literal["enrolled", "unchanged", "error"]
OrderStatus = Literal["paid", "pending", "failed", "refunded"]
OrderId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
CourseRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]


def enrollment_id(course_id: str, user_id: str) -> str:
    """The one id of a user's enrollment in a course (course ids never contain ':')."""
    return f"{course_id}:{user_id}"


def order_id(order: str) -> str:
    """The document id of a payment order; the '.' keeps it apart from every enrollment id,
    whose course part never contains one."""
    return f"order.{order}"


def missing_prerequisites(required: Iterable[str], completed: Iterable[str]) -> list[str]:
    """The required course ids not among ``completed``, in the order the course lists them."""
    done = set(completed)
    return [course for course in required if course not in done]


# --- the stored documents ------------------------------------------------------------------------


class EnrollmentDocument(StoredDocument):
    """A user's enrollment in a course (``enrollment_id``), pinned to a published version, with the
    ``EnrollmentCreated`` events its writes recorded (the relay publishes them from the change feed)."""

    KIND: ClassVar[str] = "enrollment"

    type: Literal["enrollment"] = "enrollment"
    courseId: str
    userId: str
    version: int
    status: EnrollmentStatus
    source: EnrollmentSource
    dueDate: str | None = None
    enrolledAt: str
    enrolledBy: str
    completedAt: str | None = None
    completedVersion: int | None = None
    updatedAt: str
    outbox: list[EnrollmentCreated] = Field(default_factory=list)
    writeSeq: int = 0


class OrderDocument(StoredDocument):
    """A handled payment order (``order_id``): kept as bookkeeping, and so that a replayed order is
    recognised."""

    KIND: ClassVar[str] = "order"

    type: Literal["order"] = "order"
    orderId: str
    courseId: str
    userId: str
    enrollmentId: str
    status: OrderStatus
    receivedAt: str


def with_enrollment_created(
    doc: EnrollmentDocument, previous: EnrollmentDocument | None, tenant_id: str, event_id: str, now: datetime
) -> EnrollmentDocument:
    """``doc`` (a new or reactivated enrollment) with its ``EnrollmentCreated`` recorded in the outbox,
    after the previous document's recent events, with the write sequence counting on from it."""
    seq = (previous.writeSeq if previous else 0) + 1
    event = EnrollmentCreated(
        id=event_id,
        tenantId=tenant_id,
        at=now,
        seq=seq,
        userId=doc.userId,
        courseId=doc.courseId,
        version=doc.version,
        source=doc.source,
    )
    horizon = now - timedelta(days=OUTBOX_DAYS)
    kept = [e for e in (previous.outbox if previous else []) if e.at >= horizon]
    return doc.model_copy(update={"outbox": [*kept, event], "writeSeq": seq})


# --- requests and answers --------------------------------------------------------------------------


class EnrollRequest(InputModel):
    """Empty to enroll yourself; staff name the ``userId`` they assign."""

    userId: UserId | None = Field(default=None, description="the user to enroll (Instructors and TenantAdmins)")
    dueDate: date | None = Field(default=None, description="when the assignment is due (staff only)")


class EnrollmentPatch(PatchModel):
    NULLABLE = frozenset({"dueDate"})

    version: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(
        default=None, description="a newer published version of the course to move the enrollment to"
    )
    dueDate: date | None = None
    status: Literal["active", "cancelled"] | None = Field(default=None, description="cancel, or reactivate")
    reason: Reason = Field(description="why the enrollment changes (kept in the audit log)")


class EnrollmentView(OutputModel):
    id: str
    courseId: str
    userId: str
    version: int = Field(description="the published course version the enrollment is pinned to")
    status: EnrollmentStatus
    source: EnrollmentSource
    dueDate: str | None = None
    enrolledAt: str
    enrolledBy: str
    completedAt: str | None = None
    completedVersion: int | None = None
    updatedAt: str


class ImportRow(OutputModel):
    row: int = Field(description="the record's number in the file; the header is row 1")
    email: str
    course: str
    outcome: RowOutcome
    reason: str | None = None
    userId: str | None = None


class ImportReport(OutputModel):
    enrolled: int
    unchanged: int
    errors: int
    rows: list[ImportRow]


class PaidOrder(InputModel):
    """A payment provider's order notification."""

    orderId: OrderId
    tenantId: TenantId
    courseId: CourseRef
    buyerEmail: Email
    buyerName: ShortText | None = Field(default=None, description="the name a new user account gets")
    status: OrderStatus


class WebhookReceipt(OutputModel):
    orderId: str
    duplicate: bool = Field(description="the order was handled before; nothing changed")
    ignored: bool = Field(default=False, description="the order is not paid; nothing changed")
    enrollment: EnrollmentView | None = None
