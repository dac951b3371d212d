"""Course search use cases: keep the index defined, and search a tenant's published courses.

Only the change feed writes to the index (``handlers.py``); this module only reads it. What
the index holds is what ``search_projection`` lets through, so a search can only ever find
published courses, and the search port adds the caller's tenant to every query.
"""

from __future__ import annotations

import threading
import weakref

from shared.discovery.model import (
    COURSE_INDEX,
    HIGHLIGHTED_FIELDS,
    INDEX,
    CourseQuery,
    CourseSearchResults,
    course_hit,
    search_filters,
)
from shared.platform.runtime import Platform
from shared.platform.search import SearchIndex
from shared.platform.tenancy import TenantContext

__all__ = ["ensure_course_index", "search_courses"]

# Index clients whose index is known to exist: once per process and adapter, not per call.
# Weak, so the many platforms tests build do not pin their adapters in memory.
_ensured: weakref.WeakSet[SearchIndex] = weakref.WeakSet()
_ensuring = threading.Lock()


def ensure_course_index(search: SearchIndex) -> None:
    """Create the course index from its definition in code, once per process (idempotent)."""
    if search in _ensured:
        return
    with _ensuring:
        if search not in _ensured:
            search.ensure_index(COURSE_INDEX)
            _ensured.add(search)


def search_courses(platform: Platform, ctx: TenantContext, query: CourseQuery) -> CourseSearchResults:
    """The caller's tenant's published courses that match the words and filters, best first."""
    ensure_course_index(platform.search)
    found = platform.search.search(
        INDEX,
        ctx.tenant_id,
        query.q,
        filters=search_filters(query),
        top=query.limit,
        skip=query.offset,
        highlight_fields=HIGHLIGHTED_FIELDS,
    )
    return CourseSearchResults(
        items=[course_hit(hit) for hit in found.hits], total=found.total, limit=query.limit, offset=query.offset
    )
