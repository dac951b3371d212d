"""Pure catalog rules: outlines stay consistent, and only published content is findable."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.catalog.model import Outline, content_of, lesson_ids, search_projection


def lesson(lesson_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": lesson_id, "title": lesson_id.title(), "kind": "text", **extra}


def test_prerequisites_may_name_lessons_of_earlier_modules() -> None:
    outline = Outline.model_validate(
        {
            "modules": [
                {"id": "m1", "title": "One", "lessons": [lesson("a")]},
                {"id": "m2", "title": "Two", "lessons": [lesson("b", prerequisites=["a"])]},
            ]
        }
    )
    assert lesson_ids(outline.model_dump()) == ["a", "b"]


@pytest.mark.parametrize(
    "modules",
    [
        [{"id": "m", "title": "M", "lessons": [lesson("a", prerequisites=["a"])]}],
        [{"id": "m", "title": "M", "lessons": []}, {"id": "m", "title": "Again", "lessons": []}],
        [{"id": "m", "title": "M", "lessons": [lesson("a", prerequisites=["ghost"])]}],
    ],
    ids=["self-prerequisite", "duplicate-module", "unknown-prerequisite"],
)
def test_inconsistent_outlines_are_refused(modules: list[dict[str, Any]]) -> None:
    with pytest.raises(ValidationError):
        Outline.model_validate({"modules": modules})


def course_doc(**overrides: Any) -> dict[str, Any]:
    draft = {
        "title": "Draft title",
        "summary": "s",
        "description": "d",
        "language": "en",
        "tags": ["x"],
        "level": "beginner",
        "durationMinutes": None,
        "imageUrl": None,
        "price": None,
        "selfEnrollment": True,
        "prerequisites": [],
        "outline": {"modules": [{"id": "m", "title": "M", "lessons": [lesson("intro")]}]},
    }
    published = {**content_of(draft), "title": "Published title", "version": 3, "publishedAt": "t"}
    return {
        "id": "c1",
        "tenantId": "t1",
        "type": "course",
        "status": "published",
        "createdAt": "t",
        "updatedAt": "t",
        **draft,
        "published": published,
        **overrides,
    }


def test_the_search_document_holds_the_published_content_not_the_draft() -> None:
    projected = search_projection(course_doc())
    assert projected is not None
    assert (projected["title"], projected["version"], projected["lessonTitles"]) == ("Published title", 3, ["Intro"])
    assert projected["tenantId"] == "t1" and projected["free"] is True


@pytest.mark.parametrize(
    "overrides",
    [{"status": "draft", "published": None}, {"status": "unpublished"}, {"status": "deleted"}, {"type": "version"}],
    ids=["never-published", "unpublished", "deleted", "not-a-course"],
)
def test_nothing_unpublished_is_ever_findable(overrides: dict[str, Any]) -> None:
    assert search_projection(course_doc(**overrides)) is None
