"""Keeps the course index in line with the catalog, fed by the change feed of its ``courses`` container.

The local worker's follower (embedded profile) and the Cosmos DB trigger of
``functions/discovery.py`` (Azure) both call these. The feed delivers each change at least once,
as the document stands now, so a handler only ever makes the index agree with the document it
is given: replaying a change writes the same search document, or deletes an absent key, again.
Failures raise, so the follower keeps its checkpoint and the Functions host retries the batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.catalog.model import COURSES, StoredCourse, search_projection
from shared.discovery.model import INDEX
from shared.discovery.service import ensure_course_index
from shared.platform.poison import handle_changes
from shared.platform.runtime import Platform

__all__ = ["COURSE_FEED", "index_course_change", "index_course_changes"]

# The name of this reader of the courses feed: the local follower's checkpoint and the trigger's lease prefix.
COURSE_FEED = "discovery-courses"


def index_course_change(platform: Platform, doc: Mapping[str, Any]) -> None:
    """Make the course index agree with one changed document of the catalog's courses container."""
    if doc.get("type") != StoredCourse.KIND:
        return  # archived versions share the container; the course document itself says what is findable
    course = StoredCourse.model_validate(doc)
    ensure_course_index(platform.search)
    projection = search_projection(course)
    if projection is None:
        # Drafts, unpublished and deleted courses: deleting an absent key is a no-op, so this is safe to replay.
        platform.search.delete(INDEX, course.tenantId, [course.id])
    else:
        platform.search.upsert(INDEX, [projection])


def index_course_changes(platform: Platform, docs: Iterable[Mapping[str, Any]]) -> int:
    """Index a batch of changes in feed order (a course's later change wins); return how many were read.
    A course the index refuses is set aside as poison, and the feed moves on."""
    return handle_changes(platform, COURSE_FEED, COURSES, docs, each=index_course_change)
