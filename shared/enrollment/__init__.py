"""Enrollment: who takes which course on which pinned version; assignment, CSV import, purchases."""

from shared.enrollment.api import router
from shared.enrollment.model import ENROLLMENTS, ENROLLMENTS_CONTAINER
from shared.enrollment.relay import ENROLLMENTS_FEED, relay_enrollment_change
from shared.enrollment.service import PERSONAL_DATA
from shared.platform.contexts import ContextSpec
from shared.platform.jobs import ChangeFeedFollower

__all__ = ["SPEC"]

SPEC = ContextSpec(
    "enrollment",
    router=router,
    containers=(ENROLLMENTS_CONTAINER,),
    feeds=(ChangeFeedFollower(ENROLLMENTS_FEED, ENROLLMENTS, relay_enrollment_change),),
    triggers=("functions.enrollment",),
    personal_data=PERSONAL_DATA,
)
