"""The Azure AI Search adapter at the SDK boundary: the real ``SearchClient`` and ``SearchIndexClient``
over a fake azure-core transport that records every request. There is no local Azure AI Search, so the
unchanged port contract runs against the in-memory service of ``fake_search_service`` (which evaluates
only the OData and query subset the adapter emits, and refuses anything else), and the tests below check
the wire itself: the tenant filter, escaping, schema updates, batching and error mapping."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import Conflict, InvalidInput, NotFound, RateLimited, Unavailable
from shared.platform._azure_search import AzureSearchIndex, document_key, search_clients, simple_query
from shared.platform.search import SearchIndexDefinition
from tests.contract.fake_search_service import FakeSearchTransport, Recorded, parse_filter, parse_query
from tests.contract.search_suite import COURSES, INDEX, NASTY, SearchIndexContract, course, keys, new_tenant

ENDPOINT = "https://lms-test.search.windows.net"
SEARCH_PATH = f"/indexes('{INDEX}')/docs/search.post.search"
INDEX_PATH = f"/indexes('{INDEX}')/docs/search.index"


def adapter(
    transport: FakeSearchTransport, api_key: str | None = "test-key", credential: Any = None
) -> AzureSearchIndex:
    # No retries: a canned 429 or 503 must reach the adapter at once.
    return AzureSearchIndex(*search_clients(ENDPOINT, api_key, credential, transport=transport, retry_total=0))


def sent(transport: FakeSearchTransport, method: str, path: str) -> list[Recorded]:
    return [r for r in transport.requests if r.method == method and r.path == path]


def service_error(status: int, headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
    return status, {"error": {"code": str(status), "message": "canned"}}, headers or {}


@pytest.fixture
def transport() -> FakeSearchTransport:
    return FakeSearchTransport()


@pytest.fixture
def search(transport: FakeSearchTransport) -> AzureSearchIndex:
    return adapter(transport)


class TestAzureSearchIndex(SearchIndexContract):
    """The port contract, unchanged, through the real SDK clients against the fake service."""


# --- the tenant filter --------------------------------------------------------------------------------

HOSTILE = st.one_of(NASTY, st.text(min_size=1), st.sampled_from(["x' or tenantId ne '", "') or (1 eq 1", "a'', 'b"]))


@settings(max_examples=150, deadline=None)
@given(tenant=HOSTILE.filter(bool), level=HOSTILE, tags=st.lists(HOSTILE, min_size=1, max_size=3), text=NASTY)
def test_every_search_filter_starts_with_the_tenant_and_carries_values_only_as_data(
    tenant: str, level: str, tags: list[str], text: str
) -> None:
    transport = FakeSearchTransport()
    search = adapter(transport)
    search.ensure_index(COURSES)
    search.search(INDEX, tenant, text, filters={"level": level, "tags": tags})
    search.search(INDEX, tenant, text)
    with_filters, without = (r.body["filter"] for r in sent(transport, "POST", SEARCH_PATH))
    assert with_filters.startswith("tenantId eq '")
    # The service's parser reads back exactly the values given: none of them became OData.
    assert parse_filter(with_filters) == [
        ("tenantId", [tenant]),
        ("level", [level]),
        ("tags", list(dict.fromkeys(tags))),
    ]
    assert parse_filter(without) == [("tenantId", [tenant])]


def test_a_hostile_tenant_id_finds_nothing_of_other_tenants(search: AzureSearchIndex) -> None:
    search.ensure_index(COURSES)
    victim = new_tenant()
    search.upsert(INDEX, [course(victim, "secret", "Secret course")])
    for attacker in (f"x' or tenantId eq '{victim}", f"{victim}' or '1' eq '1", "*", f"{victim}''"):
        assert search.search(INDEX, attacker, "secret").hits == []
        assert search.search(INDEX, attacker, "").total == 0
    assert keys(search.search(INDEX, victim, "secret")) == ["secret"]


def test_a_filter_listing_no_value_matches_nothing_without_asking_the_service(
    search: AzureSearchIndex, transport: FakeSearchTransport
) -> None:
    search.ensure_index(COURSES)
    results = search.search(INDEX, new_tenant(), "python", filters={"tags": []})
    assert (results.hits, results.total) == ([], 0)
    assert sent(transport, "POST", SEARCH_PATH) == []


# --- user text ------------------------------------------------------------------------------------------


@given(text=st.one_of(NASTY, st.text()))
def test_user_text_is_only_ever_escaped_words(text: str) -> None:
    query = simple_query(text)
    if query is None:
        return
    clauses = parse_query(query)  # raises on any unescaped operator
    assert 1 <= len(clauses) <= 32
    assert all(word.strip() and not prefix for clause in clauses[:-1] for word, prefix in clause)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ('* " ( ) | -', None),
        ("python", "(python | python*)"),
        ('C++ (beta) "x" -y', "C beta x (y | y*)"),
        ("don't OR title:x", r"don\'t OR title\:x"),
        ('"writing" e-mail*', r"writing e\-mail"),
        ("a&&b || !c~2 {d} [e] ^f /g/ h?", r"a\&\&b c\~2 d e f g (h | h*)"),
        ("a\\ b\\", "a (b | b*)"),
    ],
)
def test_query_syntax_in_user_text_is_escaped_or_dropped(text: str, expected: str | None) -> None:
    assert simple_query(text) == expected


def test_the_search_request_asks_for_every_word_with_the_escaped_text(
    search: AzureSearchIndex, transport: FakeSearchTransport
) -> None:
    search.ensure_index(COURSES)
    search.search(INDEX, new_tenant(), "advanced (py", top=5, skip=10, highlight_fields=("title", "level"))
    [request] = sent(transport, "POST", SEARCH_PATH)
    assert request.body["search"] == "advanced (py | py*)"
    assert (request.body["searchMode"], request.body["queryType"]) == ("all", "simple")
    assert (request.body["top"], request.body["skip"], request.body["count"]) == (5, 10, True)
    # level is not searchable: asking the service to highlight it would be refused.
    assert (request.body["highlight"], request.body["highlightPreTag"]) == ("title", "<em>")


# --- the index ------------------------------------------------------------------------------------------


def test_ensure_index_creates_once_and_then_sends_no_write(
    search: AzureSearchIndex, transport: FakeSearchTransport
) -> None:
    search.ensure_index(COURSES)
    search.ensure_index(COURSES)
    adapter(transport).ensure_index(COURSES)  # another process, same schema
    [create] = sent(transport, "PUT", f"/indexes('{INDEX}')")
    assert create.headers["If-None-Match"] == "*"
    fields = {f["name"]: f for f in create.body["fields"]}
    assert fields["id"]["key"] and fields["tenantId"]["filterable"] and not fields["sourceDocument"]["searchable"]
    assert (fields["title"]["type"], fields["tags"]["type"]) == ("Edm.String", "Collection(Edm.String)")


def test_a_grown_definition_adds_its_fields_and_keeps_the_documents(
    search: AzureSearchIndex, transport: FakeSearchTransport
) -> None:
    tenant = new_tenant()
    search.ensure_index(COURSES)
    search.upsert(INDEX, [course(tenant, "k", "Kept course")])
    grown = SearchIndexDefinition(name=INDEX, searchable=(*COURSES.searchable, "author"), filterable=COURSES.filterable)
    search.ensure_index(grown)
    create, update = sent(transport, "PUT", f"/indexes('{INDEX}')")
    assert update.headers["If-Match"]  # optimistic: a concurrent change is retried, not overwritten
    assert [f["name"] for f in update.body["fields"]] == [*(f["name"] for f in create.body["fields"]), "author"]
    assert not [r for r in transport.requests if r.method == "DELETE"]
    search.upsert(INDEX, [course(tenant, "a", "Authored", author="Ada Lovelace")])
    assert keys(search.search(INDEX, tenant, "lovelace")) == ["a"]
    assert keys(search.search(INDEX, tenant, "kept")) == ["k"]


def test_a_field_whose_shape_changed_is_a_conflict_not_a_rebuild(
    search: AzureSearchIndex, transport: FakeSearchTransport
) -> None:
    search.ensure_index(COURSES)
    changed = SearchIndexDefinition(name=INDEX, searchable=COURSES.searchable, filterable=("title",))
    with pytest.raises(Conflict, match="title"):
        search.ensure_index(changed)
    assert len(sent(transport, "PUT", f"/indexes('{INDEX}')")) == 1


def test_an_index_created_meanwhile_by_another_process_is_used_as_it_is(transport: FakeSearchTransport) -> None:
    adapter(transport).ensure_index(COURSES)
    transport.canned.append(service_error(404))  # this process looked before the other one created it
    late = adapter(transport)
    late.ensure_index(COURSES)
    refused, *rest = sent(transport, "PUT", f"/indexes('{INDEX}')")[1:]
    assert rest == []
    assert refused.headers["If-None-Match"] == "*"
    assert transport.service.indexes[INDEX].etag == 1


@pytest.mark.parametrize("name", ["tenantId", "sourceDocument", "id"])
def test_a_definition_using_a_reserved_field_is_invalid_input(search: AzureSearchIndex, name: str) -> None:
    with pytest.raises(InvalidInput):
        search.ensure_index(SearchIndexDefinition(name=INDEX, searchable=("title",), filterable=(name,)))


# --- writes ---------------------------------------------------------------------------------------------


def test_2500_documents_are_sent_in_three_batches(search: AzureSearchIndex, transport: FakeSearchTransport) -> None:
    tenant = new_tenant()
    search.ensure_index(COURSES)
    search.upsert(INDEX, [course(tenant, f"c{i}", f"Bulk course {i}") for i in range(2500)])
    assert [len(r.body["value"]) for r in sent(transport, "POST", INDEX_PATH)] == [1000, 1000, 500]
    assert search.search(INDEX, tenant, "bulk").total == 2500


def test_an_invalid_document_stops_the_upsert_before_anything_is_sent(
    search: AzureSearchIndex, transport: FakeSearchTransport
) -> None:
    tenant = new_tenant()
    search.ensure_index(COURSES)
    with pytest.raises(InvalidInput):
        search.upsert(INDEX, [course(tenant, f"c{i}", "Fine") for i in range(1500)] + [{"tenantId": tenant}])
    assert sent(transport, "POST", INDEX_PATH) == []


@pytest.mark.parametrize(("status", "error"), [(400, InvalidInput), (503, Unavailable), (422, Unavailable)])
def test_a_document_the_service_refused_surfaces_with_its_key(
    search: AzureSearchIndex, transport: FakeSearchTransport, status: int, error: type[Exception]
) -> None:
    tenant = new_tenant()
    search.ensure_index(COURSES)
    results = [
        {"key": document_key(tenant, "good"), "status": True, "statusCode": 201, "errorMessage": None},
        {"key": document_key(tenant, "bad-one"), "status": False, "statusCode": status, "errorMessage": "no"},
    ]
    transport.canned.append((207, {"value": results}, {}))
    with pytest.raises(error, match="bad-one") as caught:
        search.upsert(INDEX, [course(tenant, "good", "Good"), course(tenant, "bad-one", "Bad")])
    assert "good" not in str(caught.value).replace("bad-one", "")


def test_a_delete_cannot_remove_another_tenants_document(
    search: AzureSearchIndex, transport: FakeSearchTransport
) -> None:
    mine, theirs = new_tenant(), new_tenant()
    search.ensure_index(COURSES)
    search.upsert(INDEX, [course(t, "k", "Shared key course") for t in (mine, theirs)])
    # Neither their plain key nor their encoded index key reaches their document.
    search.delete(INDEX, mine, ["k", document_key(theirs, "k")])
    [delete] = sent(transport, "POST", INDEX_PATH)[1:]
    assert [a["id"] for a in delete.body["value"]] == [
        document_key(mine, "k"),
        document_key(mine, document_key(theirs, "k")),
    ]
    assert keys(search.search(INDEX, theirs, "shared")) == ["k"]
    assert keys(search.search(INDEX, mine, "shared")) == []


@given(
    tenant=st.text(min_size=1), key=st.text(min_size=1), other_tenant=st.text(min_size=1), other_key=st.text(min_size=1)
)
def test_index_keys_are_in_the_key_alphabet_and_never_collide_across_tenants(
    tenant: str, key: str, other_tenant: str, other_key: str
) -> None:
    encoded = document_key(tenant, key)
    assert encoded.replace("-", "").replace("_", "").replace("=", "").isalnum() and encoded.isascii()
    assert (encoded == document_key(other_tenant, other_key)) == ((tenant, key) == (other_tenant, other_key))


# --- results --------------------------------------------------------------------------------------------


def test_scores_and_highlights_come_from_the_service_and_foreign_rows_are_dropped(
    search: AzureSearchIndex, transport: FakeSearchTransport
) -> None:
    tenant = new_tenant()
    search.ensure_index(COURSES)
    mine = course(tenant, "k", "Metaclasses", "About metaclasses", tags=["python"])
    rows = [
        {"tenantId": tenant, "sourceDocument": json.dumps(mine), "@search.score": 3.25,
         "@search.highlights": {"title": ["<em>Metaclasses</em>"], "summary": ["About <em>metaclasses</em>"]}},
        {"tenantId": "someone-else", "sourceDocument": json.dumps(course("someone-else", "x", "Leak")),
         "@search.score": 9.0},
    ]  # fmt: skip
    transport.canned.append((200, {"@odata.count": 1, "value": rows}, {}))
    results = search.search(INDEX, tenant, "metaclasses", highlight_fields=("title",))
    [hit] = results.hits
    assert (hit.document, hit.score, results.total) == (mine, 3.25, 1)
    assert hit.highlights == {"title": ["<em>Metaclasses</em>"]}


# --- errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "headers", "error"),
    [
        (403, {}, Unavailable),
        (401, {}, Unavailable),
        (429, {"Retry-After": "7"}, RateLimited),
        (503, {}, Unavailable),
        (400, {}, InvalidInput),
        (404, {}, NotFound),
    ],
)
def test_service_errors_become_platform_errors(
    search: AzureSearchIndex,
    transport: FakeSearchTransport,
    status: int,
    headers: dict[str, str],
    error: type[Exception],
) -> None:
    search.ensure_index(COURSES)
    for call in (
        lambda: search.search(INDEX, new_tenant(), "python"),
        lambda: search.upsert(INDEX, [course(new_tenant(), "k", "Title")]),
        lambda: search.delete(INDEX, new_tenant(), ["k"]),
        search.ping,
    ):
        transport.canned.append(service_error(status, headers))
        with pytest.raises(error) as caught:
            call()
        if isinstance(caught.value, RateLimited):
            assert caught.value.retry_after_seconds == 7.0


def test_ping_succeeds_when_the_service_answers(search: AzureSearchIndex, transport: FakeSearchTransport) -> None:
    search.ping()
    assert [r.path for r in transport.requests] == ["/servicestats"]


# --- credentials ----------------------------------------------------------------------------------------


class StaticToken:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("managed-identity-token", 2**31)


@pytest.fixture
def searched_with() -> Iterator[Any]:
    def run(api_key: str | None, credential: Any) -> dict[str, str]:
        transport = FakeSearchTransport()
        adapter(transport, api_key, credential).ping()
        return transport.requests[0].headers

    yield run


def test_an_api_key_is_sent_as_the_api_key_header(searched_with: Any) -> None:
    headers = searched_with("secret-key", StaticToken())
    assert headers.get("api-key") == "secret-key"
    assert "Authorization" not in headers


def test_without_an_api_key_the_token_credential_is_used(searched_with: Any) -> None:
    headers = searched_with(None, StaticToken())
    assert headers["Authorization"] == "Bearer managed-identity-token"
    assert "api-key" not in headers


def test_without_a_key_or_a_credential_no_client_is_made() -> None:
    with pytest.raises(ValueError, match="api key or a token credential"):
        search_clients(ENDPOINT, None, None)
