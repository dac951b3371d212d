"""The catalog context: draft courses, immutable published versions, learning paths."""

from shared.catalog.api import router
from shared.catalog.model import COURSES_CONTAINER, PATHS_CONTAINER
from shared.catalog.service import PERSONAL_DATA
from shared.platform.contexts import ContextSpec

__all__ = ["SPEC"]

SPEC = ContextSpec(
    "catalog", router=router, containers=(COURSES_CONTAINER, PATHS_CONTAINER), personal_data=PERSONAL_DATA
)
