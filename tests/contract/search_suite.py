"""The contract of the SearchIndex port, written only against the port.

Every adapter (embedded SQLite FTS5, Azure AI Search) runs this suite by subclassing
``SearchIndexContract`` in a ``test_*.py`` file and providing:

- ``search``: the ``SearchIndex`` under test (``COURSES`` may already exist in it);
- ``advance_clock``: a callable(seconds) or None (search has no time-dependent tests).

Every test works in fresh tenants, so a shared index is safe. An adapter whose writes
become searchable only after a delay overrides ``indexed`` to wait for them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import InvalidInput, NotFound
from shared.platform.search import SearchIndex, SearchIndexDefinition, SearchResults
from tests.contract._hypothesis import SUITE_HEALTH_CHECKS

AdvanceClock = Callable[[float], None] | None

INDEX = "courses"
COURSES = SearchIndexDefinition(
    name=INDEX,
    searchable=("title", "summary", "tags"),
    filterable=("level", "tags", "language"),
)

# Text that is hostile to query languages: quotes, operators, wildcards, grouping, unicode.
NASTY = st.lists(
    st.one_of(
        st.sampled_from(list("\"'*()[]{}:^~-+!?&|\\/.,;@#%= \t\n")),
        st.sampled_from(["AND", "OR", "NOT", "NEAR", "NEAR/2", " ", "title:", "fts", "ünï", "日本語", "🎓"]),
        st.characters(codec="utf-8"),
    ),
    max_size=20,
).map("".join)


def new_tenant() -> str:
    return f"t-{uuid.uuid4().hex[:16]}"


def course(tenant: str, key: str, title: str, summary: str = "", **fields: Any) -> dict[str, Any]:
    return {"id": key, "tenantId": tenant, "title": title, "summary": summary, **fields}


def keys(results: SearchResults) -> list[str]:
    return [hit.document["id"] for hit in results.hits]


class SearchIndexContract:
    def indexed(self) -> None:
        """Wait until earlier writes are searchable (immediate for the embedded index)."""

    @pytest.fixture
    def index(self, search: SearchIndex) -> str:
        search.ensure_index(COURSES)
        return INDEX

    @pytest.fixture
    def tenant(self) -> str:
        return new_tenant()

    def upsert(self, search: SearchIndex, documents: Sequence[Mapping[str, Any]]) -> None:
        search.upsert(INDEX, documents)
        self.indexed()

    @pytest.fixture
    def catalogue(self, search: SearchIndex, index: str, tenant: str) -> str:
        self.upsert(
            search,
            [
                course(tenant, "py-1", "Python for beginners", "Variables and loops course", level="beginner",
                       tags=["python", "programming"], language="en"),
                course(tenant, "py-2", "Advanced Python", "Metaclasses and descriptors course", level="advanced",
                       tags=["python"], language="en"),
                course(tenant, "fr-1", "Cuisine française", "Recettes de base course", level="beginner",
                       tags=["cooking"], language="fr"),
                course(tenant, "ds-1", "Data science", "Pandas with Python notebooks course", level="intermediate",
                       tags=["data", "programming"], language="en"),
            ],
        )  # fmt: skip
        return tenant

    # --- index -----------------------------------------------------------------------------

    def test_ensure_index_is_idempotent_and_keeps_documents(self, search: SearchIndex, index: str, tenant: str) -> None:
        self.upsert(search, [course(tenant, "k1", "Kept across ensure_index")])
        search.ensure_index(COURSES)
        search.ensure_index(COURSES)
        self.indexed()
        assert keys(search.search(index, tenant, "kept")) == ["k1"]

    def test_searching_an_unknown_index_raises_not_found(self, search: SearchIndex, tenant: str) -> None:
        with pytest.raises(NotFound):
            search.search("nosuchindex", tenant, "anything")

    def test_writing_to_an_unknown_index_raises_not_found(self, search: SearchIndex, tenant: str) -> None:
        with pytest.raises(NotFound):
            search.upsert("nosuchindex", [course(tenant, "k", "Title")])
        with pytest.raises(NotFound):
            search.delete("nosuchindex", tenant, ["k"])

    @pytest.mark.parametrize("missing", ["id", "tenantId"])
    def test_a_document_without_its_key_or_tenant_is_invalid_input(
        self, search: SearchIndex, index: str, tenant: str, missing: str
    ) -> None:
        document = course(tenant, "k", "Keyless")
        del document[missing]
        with pytest.raises(InvalidInput):
            search.upsert(index, [document])

    # --- tenancy ------------------------------------------------------------------------------

    def test_a_tenant_never_sees_another_tenants_documents_with_identical_text(
        self, search: SearchIndex, index: str
    ) -> None:
        mine, theirs = new_tenant(), new_tenant()
        same = {"title": "Identical course", "summary": "Exactly the same words", "level": "beginner", "tags": ["x"]}
        self.upsert(search, [{"id": "same-key", "tenantId": t, **same} for t in (mine, theirs)])
        self.upsert(search, [course(theirs, "only-theirs", "Identical course too")])
        for tenant in (mine, theirs):
            for text in ("identical", "exactly same words", "ident"):
                results = search.search(index, tenant, text, filters={"level": "beginner"})
                assert all(hit.document["tenantId"] == tenant for hit in results.hits)
        assert search.search(index, mine, "identical").total == 1
        assert search.search(index, theirs, "identical").total == 2

    def test_deleting_in_one_tenant_leaves_the_same_key_in_another(self, search: SearchIndex, index: str) -> None:
        mine, theirs = new_tenant(), new_tenant()
        self.upsert(search, [course(t, "shared-key", "Shared title") for t in (mine, theirs)])
        search.delete(index, mine, ["shared-key"])
        self.indexed()
        assert keys(search.search(index, mine, "shared")) == []
        assert keys(search.search(index, theirs, "shared")) == ["shared-key"]

    @settings(max_examples=25, deadline=None, suppress_health_check=SUITE_HEALTH_CHECKS)
    @given(text=NASTY, words=st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta"]), min_size=1, max_size=3))
    def test_no_query_ever_returns_a_document_of_another_tenant(
        self, search: SearchIndex, index: str, text: str, words: list[str]
    ) -> None:
        mine, theirs = new_tenant(), new_tenant()
        title = " ".join(words)
        self.upsert(search, [course(theirs, "k", title, title), course(theirs, "k2", text, text)])
        self.upsert(search, [course(mine, "m", "unrelated words")])
        for query in (title, f"{text} {title}", words[-1][:2]):
            results = search.search(index, mine, query)
            assert all(hit.document["tenantId"] == mine for hit in results.hits)

    # --- matching -------------------------------------------------------------------------------

    def test_every_word_must_match(self, search: SearchIndex, index: str, catalogue: str) -> None:
        assert sorted(keys(search.search(index, catalogue, "python"))) == ["ds-1", "py-1", "py-2"]
        assert sorted(keys(search.search(index, catalogue, "python advanced"))) == ["py-2"]
        assert keys(search.search(index, catalogue, "python cuisine")) == []

    def test_words_match_in_any_searchable_field(self, search: SearchIndex, index: str, catalogue: str) -> None:
        assert keys(search.search(index, catalogue, "notebooks")) == ["ds-1"]  # summary
        assert keys(search.search(index, catalogue, "cooking")) == ["fr-1"]  # tags (a list)
        assert keys(search.search(index, catalogue, "intermediate")) == []  # level is filterable, not searchable

    def test_the_last_word_matches_as_a_prefix(self, search: SearchIndex, index: str, catalogue: str) -> None:
        assert sorted(keys(search.search(index, catalogue, "pyth"))) == ["ds-1", "py-1", "py-2"]
        assert keys(search.search(index, catalogue, "advanced pyt")) == ["py-2"]
        assert keys(search.search(index, catalogue, "pyth advanced")) == []  # only the last word is a prefix

    def test_matching_ignores_case(self, search: SearchIndex, index: str, catalogue: str) -> None:
        assert keys(search.search(index, catalogue, "METACLASSES")) == ["py-2"]

    def test_a_title_repeating_the_term_ranks_first(self, search: SearchIndex, index: str, tenant: str) -> None:
        fillers = [course(tenant, f"f{i}", f"Filler course {i}", "Nothing relevant here") for i in range(6)]
        self.upsert(
            search,
            [
                *fillers,
                course(tenant, "weak", "Cooking basics", "A short mention of sourdough among many other words"),
                course(tenant, "strong", "Sourdough sourdough sourdough", "Sourdough"),
            ],
        )
        results = search.search(index, tenant, "sourdough")
        assert keys(results) == ["strong", "weak"]
        assert results.hits[0].score > results.hits[1].score

    def test_a_text_without_words_lists_every_document_of_the_tenant(
        self, search: SearchIndex, index: str, catalogue: str
    ) -> None:
        for text in ("", "   ", "*", '"'):
            results = search.search(index, catalogue, text)
            assert results.total == 4
            assert sorted(keys(results)) == ["ds-1", "fr-1", "py-1", "py-2"]

    def test_a_text_without_words_pages_through_every_document_once_in_a_stable_order(
        self, search: SearchIndex, index: str, tenant: str
    ) -> None:
        self.upsert(search, [course(tenant, f"c{i}", f"Course {i}") for i in range(7)])
        first = [key for skip in (0, 3, 6) for key in keys(search.search(index, tenant, "", top=3, skip=skip))]
        again = [key for skip in (0, 3, 6) for key in keys(search.search(index, tenant, "", top=3, skip=skip))]
        assert sorted(first) == sorted(f"c{i}" for i in range(7))
        assert first == again

    def test_punctuation_inside_a_word_does_not_stop_it_matching(
        self, search: SearchIndex, index: str, tenant: str
    ) -> None:
        self.upsert(search, [course(tenant, "mail", "Writing e-mail well"), course(tenant, "other", "Writing")])
        assert keys(search.search(index, tenant, "e-mail")) == ["mail"]
        assert keys(search.search(index, tenant, '"writing" e-mail*')) == ["mail"]

    # --- filters ----------------------------------------------------------------------------------

    def test_a_filter_selects_by_equality(self, search: SearchIndex, index: str, catalogue: str) -> None:
        found = search.search(index, catalogue, "python", filters={"level": "beginner"})
        assert keys(found) == ["py-1"]
        english = search.search(index, catalogue, "course", filters={"language": "en"})
        assert sorted(keys(english)) == ["ds-1", "py-1", "py-2"]

    def test_a_filter_on_a_list_field_matches_when_the_list_contains_the_value(
        self, search: SearchIndex, index: str, catalogue: str
    ) -> None:
        found = search.search(index, catalogue, "course", filters={"tags": "programming"})
        assert sorted(keys(found)) == ["ds-1", "py-1"]

    def test_a_list_filter_value_matches_any_of_its_values(
        self, search: SearchIndex, index: str, catalogue: str
    ) -> None:
        found = search.search(index, catalogue, "course", filters={"level": ["advanced", "intermediate"]})
        assert sorted(keys(found)) == ["ds-1", "py-2"]
        found = search.search(index, catalogue, "course", filters={"tags": ["cooking", "data"]})
        assert sorted(keys(found)) == ["ds-1", "fr-1"]

    def test_filters_combine_with_each_other_and_the_text(
        self, search: SearchIndex, index: str, catalogue: str
    ) -> None:
        found = search.search(index, catalogue, "python", filters={"tags": "programming", "level": "intermediate"})
        assert keys(found) == ["ds-1"]
        assert found.total == 1

    def test_a_filter_on_a_field_that_is_not_filterable_is_invalid_input(
        self, search: SearchIndex, index: str, catalogue: str
    ) -> None:
        for field in ("title", "tenantId", "nonexistent"):
            with pytest.raises(InvalidInput):
                search.search(index, catalogue, "python", filters={field: "x"})

    # --- highlights and paging --------------------------------------------------------------------

    def test_highlights_wrap_the_matched_word_in_em(self, search: SearchIndex, index: str, catalogue: str) -> None:
        [hit] = search.search(index, catalogue, "metaclasses", highlight_fields=("summary", "title")).hits
        assert any("<em>Metaclasses</em>" in fragment for fragment in hit.highlights["summary"])
        assert "title" not in hit.highlights  # nothing matched there

    def test_no_highlights_are_returned_unless_asked_for(self, search: SearchIndex, index: str, catalogue: str) -> None:
        [hit] = search.search(index, catalogue, "metaclasses").hits
        assert hit.highlights == {}

    def test_top_zero_counts_without_returning_documents(self, search: SearchIndex, index: str, catalogue: str) -> None:
        results = search.search(index, catalogue, "python", top=0)
        assert (results.hits, results.total) == ([], 3)

    def test_top_and_skip_page_through_every_match_once_with_the_total(
        self, search: SearchIndex, index: str, tenant: str
    ) -> None:
        self.upsert(search, [course(tenant, f"c{i}", f"Paged course number {i}") for i in range(7)])
        pages = [search.search(index, tenant, "paged", top=3, skip=skip) for skip in (0, 3, 6, 9)]
        assert [len(p.hits) for p in pages] == [3, 3, 1, 0]
        assert all(p.total == 7 for p in pages)
        found = [key for p in pages for key in keys(p)]
        assert sorted(found) == sorted(f"c{i}" for i in range(7))

    # --- writes -----------------------------------------------------------------------------------

    def test_an_upsert_replaces_the_document(self, search: SearchIndex, index: str, tenant: str) -> None:
        self.upsert(search, [course(tenant, "k", "Original wording", level="beginner")])
        self.upsert(search, [course(tenant, "k", "Revised phrasing", level="advanced")])
        assert keys(search.search(index, tenant, "original")) == []
        [hit] = search.search(index, tenant, "revised").hits
        assert hit.document["title"] == "Revised phrasing"
        assert keys(search.search(index, tenant, "revised", filters={"level": "beginner"})) == []
        assert search.search(index, tenant, "revised").total == 1

    def test_the_stored_document_comes_back_whole(self, search: SearchIndex, index: str, tenant: str) -> None:
        document = course(tenant, "k", "Whole document", "Summary", level="advanced", tags=["a", "b"], language="en")
        self.upsert(search, [document])
        [hit] = search.search(index, tenant, "whole").hits
        assert hit.document == document

    def test_delete_removes_documents_and_ignores_unknown_keys(
        self, search: SearchIndex, index: str, catalogue: str
    ) -> None:
        search.delete(index, catalogue, ["py-1", "no-such-key"])
        self.indexed()
        assert sorted(keys(search.search(index, catalogue, "python"))) == ["ds-1", "py-2"]

    # --- robustness -------------------------------------------------------------------------------

    @settings(max_examples=200, deadline=None, suppress_health_check=SUITE_HEALTH_CHECKS)
    @given(text=NASTY)
    def test_any_text_never_raises(self, search: SearchIndex, index: str, catalogue: str, text: str) -> None:
        results = search.search(index, catalogue, text, highlight_fields=("title", "summary", "tags"))
        assert results.total >= len(results.hits)
        assert all(hit.document["tenantId"] == catalogue for hit in results.hits)

    @settings(max_examples=200, deadline=None, suppress_health_check=SUITE_HEALTH_CHECKS)
    @given(before=NASTY, after=NASTY)
    def test_any_text_around_a_real_word_never_raises(
        self, search: SearchIndex, index: str, catalogue: str, before: str, after: str
    ) -> None:
        text = f"{before} python {after}"
        results = search.search(index, catalogue, text, highlight_fields=("title", "summary", "tags"))
        assert results.total >= len(results.hits)
        assert all(hit.document["tenantId"] == catalogue for hit in results.hits)
