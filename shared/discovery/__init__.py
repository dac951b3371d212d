"""Discovery: full-text search over a tenant's published courses, fed by the catalog's change feed."""

from shared.catalog.model import COURSES
from shared.discovery.api import router
from shared.discovery.handlers import COURSE_FEED, index_course_change
from shared.platform.contexts import ContextSpec
from shared.platform.jobs import ChangeFeedFollower

__all__ = ["SPEC"]

SPEC = ContextSpec(
    "discovery",
    router=router,
    feeds=(ChangeFeedFollower(COURSE_FEED, COURSES, index_course_change),),
    triggers=("functions.discovery",),
)
