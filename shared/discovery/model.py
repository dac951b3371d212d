"""Course search: the index definition, the query a learner asks, the hits they see. Pure: no I/O.

The index holds one search document per published course of every tenant, as
``shared.catalog.model.search_projection`` shapes it; the search port scopes every query to
the caller's tenant. Highlights come back as HTML: the course's text is escaped and only the
``<em>`` marks the index put around matched words survive, so a client may render them as is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.catalog.model import Language, Level, Tag
from shared.kernel import OutputModel
from shared.platform.search import FilterValue, SearchHit, SearchIndexDefinition

__all__ = [
    "COURSE_INDEX",
    "HIGHLIGHTED_FIELDS",
    "INDEX",
    "CourseHit",
    "CourseQuery",
    "CourseSearchResults",
    "course_hit",
    "highlight_html",
    "lesson_highlights",
    "search_filters",
]

INDEX = "courses"
COURSE_INDEX = SearchIndexDefinition(
    name=INDEX,
    searchable=("title", "summary", "description", "tags", "lessonTitles"),
    filterable=("tags", "level", "language"),
)
HIGHLIGHTED_FIELDS = ("title", "summary", "description", "lessonTitles")

MAX_QUERY_CHARS = 200
MAX_PAGE = 50
# Deep pages of a ranked list help nobody, and a large skip costs the search service.
MAX_OFFSET = 1000
# A highlight is an excerpt: a 20,000-character description must not travel whole in every hit.
HIGHLIGHT_CHARS = 240
HIGHLIGHT_LEAD = 60
ELLIPSIS = "…"

_MARK = re.compile(r"(</?em>)")


class CourseQuery(BaseModel):
    """What a learner asks the course search: words, filters and the page they want."""

    # Query strings carry extras clients add (cache busters, tracking); they are not an error here.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    q: Annotated[str, StringConstraints(max_length=MAX_QUERY_CHARS)] = Field(
        default="", description="words to find (all are required, the last may be a prefix); empty lists every course"
    )
    tags: list[Tag] = Field(default_factory=list, max_length=10, description="courses with any of these tags")
    level: Level | None = None
    language: Language | None = None
    limit: int = Field(default=10, ge=1, le=MAX_PAGE, description="page size")
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET, description="hits to skip (the first page is 0)")


class CourseHit(OutputModel):
    id: str
    title: str
    summary: str
    tags: list[str]
    level: str
    language: str
    score: float = Field(description="relevance: higher is better; comparable only within one result list")
    highlights: dict[str, list[str]] = Field(
        description="per field (title, summary, description, lessonTitles): HTML excerpts, the text escaped "
        "and each matched word wrapped in <em></em>; lessonTitles lists each matching lesson title"
    )


class CourseSearchResults(OutputModel):
    items: list[CourseHit]
    total: int = Field(description="every hit of the query, across all pages")
    limit: int
    offset: int


def search_filters(query: CourseQuery) -> dict[str, FilterValue]:
    """The index filters a query asks for; absent ones are left out (they filter nothing)."""
    filters: dict[str, FilterValue] = {}
    if query.tags:
        filters["tags"] = list(query.tags)
    if query.level is not None:
        filters["level"] = query.level
    if query.language is not None:
        filters["language"] = query.language
    return filters


def _segments(fragment: str) -> list[tuple[str, bool]]:
    """The fragment as (text, matched) runs, read from the index's <em> marks. A literal "<em>" in a
    course's own text reads as a mark too: harmless, as every other character is escaped."""
    runs: list[tuple[str, bool]] = []
    marked = False
    for part in _MARK.split(fragment):
        if part in ("<em>", "</em>"):
            marked = part == "<em>"
        elif part:
            runs.append((part, marked))
    return runs


def _window(runs: list[tuple[str, bool]], width: int) -> tuple[int, int]:
    """The character range to keep: from a little before the first match, ``width`` long."""
    position, first_match = 0, 0
    for text, marked in runs:
        if marked:
            first_match = position
            break
        position += len(text)
    length = sum(len(text) for text, _ in runs)
    start = max(0, min(first_match - HIGHLIGHT_LEAD, length - width))
    return start, start + width


def _clip(runs: list[tuple[str, bool]], start: int, end: int) -> list[tuple[str, bool]]:
    """The runs cut to the characters from ``start`` to ``end``."""
    kept, position = [], 0
    for text, marked in runs:
        part = text[max(0, start - position) : max(0, end - position)]
        position += len(text)
        if part:
            kept.append((part, marked))
    return kept


def _html(runs: list[tuple[str, bool]]) -> str:
    return "".join(f"<em>{html.escape(text)}</em>" if marked else html.escape(text) for text, marked in runs)


def highlight_html(fragment: str, width: int = HIGHLIGHT_CHARS) -> str:
    """An index highlight as safe HTML: text escaped, matches in <em>, cut to about ``width`` characters."""
    runs = _segments(fragment)
    start, end = _window(runs, width)
    length = sum(len(text) for text, _ in runs)
    return (ELLIPSIS if start > 0 else "") + _html(_clip(runs, start, end)) + (ELLIPSIS if end < length else "")


def lesson_highlights(fragment: str, titles: Sequence[str]) -> list[str]:
    """The lesson titles a highlight matched, each on its own as safe HTML.

    The index holds a course's lesson titles as one text, so a highlight runs them together;
    where the fragment's text is found in that text, it is cut back at the titles' boundaries."""
    runs = _segments(fragment)
    position = " ".join(titles).find("".join(text for text, _ in runs))
    if position < 0:  # the index changed the text: the highlight as it came
        return [highlight_html(fragment)]
    offset, matched = -position, []  # offset: where the current title starts, counted in the fragment
    for title in titles:
        piece = _clip(runs, offset, offset + len(title))
        offset += len(title) + 1
        if any(marked for _, marked in piece):
            matched.append(_html(piece))
    return matched or [highlight_html(fragment)]


def _field_highlights(field: str, fragments: Sequence[str], doc: Mapping[str, Any]) -> list[str]:
    if field != "lessonTitles":
        return [highlight_html(fragment) for fragment in fragments]
    titles = [str(title) for title in doc.get("lessonTitles") or []]
    return list(dict.fromkeys(title for fragment in fragments for title in lesson_highlights(fragment, titles)))


def course_hit(hit: SearchHit) -> CourseHit:
    """What a learner sees of one search hit."""
    doc: Mapping[str, Any] = hit.document
    highlights = {
        field: _field_highlights(field, fragments, doc)
        for field, fragments in hit.highlights.items()
        if field in HIGHLIGHTED_FIELDS and fragments
    }
    return CourseHit(
        id=doc["id"],
        title=doc["title"],
        summary=doc["summary"],
        tags=list(doc["tags"]),
        level=doc["level"],
        language=doc["language"],
        score=hit.score,
        highlights=highlights,
    )
