"""The pure parts of course search: what a query may ask, which filters it becomes, and the
highlights a learner's app may render as HTML."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.discovery.model import (
    HIGHLIGHT_CHARS,
    CourseQuery,
    course_hit,
    highlight_html,
    lesson_highlights,
    search_filters,
)
from shared.platform.search import SearchHit


def test_highlights_escape_the_course_text_and_keep_only_the_match_marks() -> None:
    fragment = '<script>alert("x")</script> & <b>bold</b> <em>Python</em>'
    assert highlight_html(fragment) == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; <em>Python</em>"
    )


def test_a_short_highlight_comes_back_whole() -> None:
    assert highlight_html("Practical <em>Python</em> for <em>data</em> work") == (
        "Practical <em>Python</em> for <em>data</em> work"
    )


def test_a_long_highlight_is_cut_around_its_first_match_with_balanced_marks() -> None:
    fragment = "a" * 5000 + " <em>needle</em> " + "b" * 5000
    excerpt = highlight_html(fragment)
    assert excerpt.startswith("…a") and excerpt.endswith("b…")
    assert "<em>needle</em>" in excerpt
    assert len(excerpt) <= HIGHLIGHT_CHARS + len("<em></em>") + 2


def test_a_match_cut_by_the_excerpt_keeps_its_closing_mark() -> None:
    fragment = "x" * 100 + "<em>" + "y" * 1000 + "</em>"
    excerpt = highlight_html(fragment, width=80)
    assert excerpt.count("<em>") == excerpt.count("</em>") == 1
    assert excerpt.endswith("</em>…")


def test_a_match_near_the_end_of_a_long_text_still_fills_the_excerpt() -> None:
    excerpt = highlight_html("z" * 1000 + " <em>end</em>", width=100)
    assert excerpt.endswith("<em>end</em>")
    assert len(excerpt.replace("<em>", "").replace("</em>", "")) == 101  # the ellipsis and 100 characters


def test_filters_hold_only_what_the_query_names_with_tags_in_lower_case() -> None:
    query = CourseQuery.model_validate({"tags": ["Data", "ML"], "level": "advanced"})
    assert search_filters(query) == {"tags": ["data", "ml"], "level": "advanced"}
    assert search_filters(CourseQuery()) == {}


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 201},
        {"limit": 0},
        {"limit": 51},
        {"offset": -1},
        {"offset": 1001},
        {"level": "expert"},
        {"language": "english"},
        {"tags": [""]},
        {"tags": ["t"] * 11},
    ],
    ids=str,
)
def test_a_query_outside_what_search_serves_is_refused(params: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        CourseQuery.model_validate(params)


def test_parameters_search_does_not_know_are_ignored() -> None:
    assert CourseQuery.model_validate({"q": " python ", "_": "1700000000"}).q == "python"


def test_a_hit_shows_the_course_and_highlights_of_the_text_fields_only() -> None:
    document = {
        "id": "c1",
        "tenantId": "t1",
        "title": "Python",
        "summary": "Learn it",
        "description": "Long",
        "tags": ["python"],
        "lessonTitles": ["Intro"],
        "level": "beginner",
        "language": "en",
        "version": 2,
    }
    hit = course_hit(
        SearchHit(document=document, score=3.5, highlights={"title": ["<em>Python</em>"], "tags": ["<em>python</em>"]})
    )
    assert hit.model_dump() == {
        "id": "c1",
        "title": "Python",
        "summary": "Learn it",
        "tags": ["python"],
        "level": "beginner",
        "language": "en",
        "score": 3.5,
        "highlights": {"title": ["<em>Python</em>"]},
    }


def test_a_lesson_title_highlight_names_each_matching_lesson_on_its_own() -> None:
    titles = ["Welcome video", "The <learner> handbook", "Handbook quiz"]
    fragment = "Welcome video The <learner> <em>handbook</em> <em>Handbook</em> quiz"
    assert lesson_highlights(fragment, titles) == ["The &lt;learner&gt; <em>handbook</em>", "<em>Handbook</em> quiz"]


def test_a_lesson_title_excerpt_from_the_middle_of_the_titles_is_cut_at_their_boundaries() -> None:
    titles = ["Intro", "Decorators explained", "Generators"]
    assert lesson_highlights("<em>Decorators</em> explained Gener", titles) == ["<em>Decorators</em> explained"]


def test_a_lesson_title_highlight_that_does_not_match_the_titles_comes_back_as_it_is() -> None:
    assert lesson_highlights("something <em>else</em>", ["Intro"]) == ["something <em>else</em>"]
