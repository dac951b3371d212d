"""The search index on Azure AI Search (``azure-search-documents``), always scoped to a tenant.

Schema, built from the port's definition: the definition's key field is the index key and
holds ``document_key(tenantId, key)``, an unambiguous base64url encoding of both, so tenants
never collide on a key and a delete can only ever reach the caller's tenant. ``tenantId`` is a
filterable string; each filterable field is ``Collection(Edm.String)`` (a scalar is stored as a
one-item list, so "a list field matches if it contains the value" holds for every field);
a searchable-only field is ``Edm.String`` (lists joined). The whole document travels as JSON in
``sourceDocument`` and comes back unchanged, whatever the projected fields look like.

Every query's filter starts with ``tenantId eq '<tenant>'``; OData literals double their quotes.
User text never becomes query syntax: each word is trimmed of edge punctuation and every
character that is not a letter or digit is escaped with a backslash. A last word made of letters
and digits alone becomes ``(word | word*)``: the prefix finds "pyth", the whole word keeps BM25
ranking (prefix matches all score alike).
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from azure.core import MatchConditions
from azure.core.credentials import AzureKeyCredential, TokenCredential
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.search.documents import SearchClient
from azure.search.documents.indexes import SearchIndexClient
from azure.search.documents.indexes.models import SearchField
from azure.search.documents.indexes.models import SearchIndex as AzureIndex
from azure.search.documents.models import IndexingResult

from shared.errors import Conflict, InvalidInput, NotFound, Unavailable
from shared.platform._azure_errors import map_azure_errors
from shared.platform.search import FilterValue, SearchHit, SearchIndex, SearchIndexDefinition, SearchResults

__all__ = ["AzureSearchIndex", "document_key", "odata_literal", "search_clients", "simple_query"]

SERVICE = "Azure AI Search"
TENANT = "tenantId"
SOURCE = "sourceDocument"  # the caller's document as JSON; no definition may use this name
BATCH = 1000  # the service's limit of actions per indexing request
_INDEX_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,126}[a-z0-9])?")
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,127}")
_MAX_KEY = 1024
_MAX_WORDS = 32
_MAX_TOP = 1000
_ENSURE_ATTEMPTS = 3
_STRING, _STRINGS = "Edm.String", "Collection(Edm.String)"

SearchClientFor = Callable[[str], SearchClient]


def search_clients(
    endpoint: str, api_key: str | None, credential: TokenCredential | None, **options: Any
) -> tuple[SearchIndexClient, SearchClientFor]:
    """The index client and a per-index search client factory: key auth when ``api_key`` is set, else ``credential``."""
    auth: AzureKeyCredential | TokenCredential | None = AzureKeyCredential(api_key) if api_key else credential
    if auth is None:
        raise ValueError("Azure AI Search needs an api key or a token credential")
    return SearchIndexClient(endpoint, auth, **options), lambda name: SearchClient(endpoint, name, auth, **options)


def document_key(tenant_id: str, key: str) -> str:
    """The index key of a tenant's document: base64url (letters, digits, ``-_=``) of ``[tenant, key]`` as JSON."""
    raw = json.dumps([tenant_id, key], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def odata_literal(value: str) -> str:
    """An OData string literal: single quotes doubled, so no value can end the literal."""
    return "'" + value.replace("'", "''") + "'"


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN" or unicodedata.category(char) == "Co"


def simple_query(text: str) -> str | None:
    """A simple-syntax query for user text: every word required, the last a prefix. None when there is no word."""
    cleaned = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Cn") else c for c in text)
    words = []
    for raw in cleaned.split():
        start, end = 0, len(raw)
        while start < end and not _is_word_char(raw[start]):
            start += 1
        while end > start and not _is_word_char(raw[end - 1]):
            end -= 1
        if start < end:
            words.append(raw[start:end])
    if not words:
        return None
    words = words[:_MAX_WORDS]
    escaped = ["".join(c if _is_word_char(c) else "\\" + c for c in w) for w in words]
    if all(_is_word_char(c) for c in words[-1]):
        # Prefix matches score alike, so the whole word is asked for too: it ranks exact matches first.
        escaped[-1] = f"({escaped[-1]} | {escaped[-1]}*)"
    # A punctuated last word ("e-mail") goes through the analyzer whole, as a phrase, without a prefix.
    return " ".join(escaped)


def _check_definition(d: SearchIndexDefinition) -> None:
    if not _INDEX_NAME.fullmatch(d.name):
        raise InvalidInput("index names are lower-case letters, digits and inner dashes")
    fields = [*d.searchable, *d.filterable, d.key_field]
    if not all(isinstance(f, str) and _FIELD_NAME.fullmatch(f) for f in fields):
        raise InvalidInput("field names start with a letter and hold letters, digits and underscores")
    if not d.searchable or len({f.lower() for f in d.searchable}) != len(d.searchable):
        raise InvalidInput("an index needs distinct searchable fields")
    if {TENANT, SOURCE, d.key_field} & {*d.searchable, *d.filterable} or d.key_field in (TENANT, SOURCE):
        raise InvalidInput(f"{TENANT}, {SOURCE} and the key field cannot be searchable or filterable")


def _field(
    name: str, kind: str, *, key: bool = False, searchable: bool = False, filterable: bool = False
) -> SearchField:
    # Every attribute is explicit: the service turns unset ones on, and a searchable or filterable JSON
    # source would be matched by every query and limited to 32 KB.
    return SearchField(
        name=name,
        type=kind,
        key=key,
        searchable=searchable,
        filterable=filterable,
        sortable=key,
        facetable=False,
        retrievable=True,
    )


def _schema(d: SearchIndexDefinition) -> list[SearchField]:
    fields = [
        _field(d.key_field, _STRING, key=True, filterable=True),
        _field(TENANT, _STRING, filterable=True),
        _field(SOURCE, _STRING),
    ]
    for name in dict.fromkeys([*d.searchable, *d.filterable]):
        kind = _STRINGS if name in d.filterable else _STRING
        fields.append(_field(name, kind, searchable=name in d.searchable, filterable=kind == _STRINGS))
    return fields


def _shape(field: SearchField) -> tuple[Any, ...]:
    return (str(field.type), bool(field.key), bool(field.searchable), bool(field.filterable), bool(field.sortable))


def _grown_fields(existing: AzureIndex, wanted: list[SearchField]) -> list[SearchField] | None:
    """The index's fields plus the missing wanted ones; None when nothing is missing. Conflict when a
    field exists with another shape: Azure cannot change a field without rebuilding the index."""
    have = {f.name: f for f in existing.fields or []}
    changed = [w.name for w in wanted if w.name in have and _shape(have[w.name]) != _shape(w)]
    keys = [f.name for f in have.values() if f.key]
    if changed or keys != [wanted[0].name]:
        raise Conflict(f"search index {existing.name!r} has incompatible fields {changed or keys}; rebuild it")
    missing = [w for w in wanted if w.name not in have]
    return [*have.values(), *missing] if missing else None


def _definition_of(index: AzureIndex) -> SearchIndexDefinition:
    fields = [f for f in index.fields or [] if f.name not in (TENANT, SOURCE)]
    return SearchIndexDefinition(
        name=index.name,
        searchable=tuple(f.name for f in fields if f.searchable),
        filterable=tuple(f.name for f in fields if f.filterable and not f.key),
        key_field=next((f.name for f in fields if f.key), "id"),
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return " ".join(t for t in (_text(v) for v in value) if t)
    return str(value)


def _term(value: Any) -> str:
    """How a filterable value is stored and compared: strings as they are, numbers and booleans as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    raise InvalidInput("filterable fields take strings, numbers, booleans or lists of them")


def _terms(value: Any) -> list[str]:
    values = value if isinstance(value, list | tuple) else [value]
    return [_term(v) for v in values if v is not None]


def _filter(d: SearchIndexDefinition, tenant_id: str, filters: Mapping[str, FilterValue]) -> str | None:
    """The OData filter: the tenant clause first, then one clause per caller filter. None when a filter
    lists no value (nothing can match)."""
    clauses = [f"{TENANT} eq {odata_literal(tenant_id)}"]
    for field, value in filters.items():
        if field not in d.filterable:
            raise InvalidInput(f"{field!r} is not filterable")
        terms = list(dict.fromkeys(_terms(value)))
        if not terms:
            return None
        # The field name is one of the definition's validated names, never caller text.
        clauses.append(f"{field}/any(t: " + " or ".join(f"t eq {odata_literal(t)}" for t in terms) + ")")
    return " and ".join(clauses)


def _batches(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    return (items[i : i + BATCH] for i in range(0, len(items), BATCH))


def _raise_failures(results: Iterable[IndexingResult], keys: Mapping[str, str]) -> None:
    failed = [r for r in results if not r.succeeded]
    if not failed:
        return
    named = sorted(keys.get(r.key, r.key) for r in failed)
    detail = f"{SERVICE} refused {len(failed)} document(s): {', '.join(named[:10])}"
    # 400 and 404 are the document's own fault; 409, 422 and 503 pass if tried again.
    if any(r.status_code in (400, 404) for r in failed):
        raise InvalidInput(detail, extra={"keys": named})
    raise Unavailable(detail, extra={"keys": named})


class AzureSearchIndex(SearchIndex):
    def __init__(self, index_client: SearchIndexClient, search_client: SearchClientFor) -> None:
        """``index_client`` manages indexes; ``search_client(name)`` makes the client of one index."""
        self._indexes = index_client
        self._search_client = search_client
        self._clients: dict[str, SearchClient] = {}
        self._definitions: dict[str, SearchIndexDefinition] = {}

    def _client(self, index: str) -> SearchClient:
        if index not in self._clients:
            self._clients[index] = self._search_client(index)
        return self._clients[index]

    def _definition(self, index: str) -> SearchIndexDefinition:
        if index not in self._definitions:
            if not _INDEX_NAME.fullmatch(index):
                raise NotFound(f"no search index {index!r}")
            with map_azure_errors(SERVICE):
                self._definitions[index] = _definition_of(self._indexes.get_index(index))
        return self._definitions[index]

    def ensure_index(self, definition: SearchIndexDefinition) -> None:
        """Create the index if missing, add fields the definition gained; never drop or rebuild one."""
        _check_definition(definition)
        wanted = _schema(definition)
        with map_azure_errors(SERVICE):
            for _ in range(_ENSURE_ATTEMPTS):
                if self._create_or_grow(definition.name, wanted):
                    self._definitions[definition.name] = definition
                    return
        raise Conflict(f"search index {definition.name!r} kept changing while being updated")

    def _create_or_grow(self, name: str, wanted: list[SearchField]) -> bool:
        """One optimistic attempt; False when another writer changed the index meanwhile."""
        try:
            existing = self._indexes.get_index(name)
        except ResourceNotFoundError:
            try:
                self._indexes.create_or_update_index(
                    AzureIndex(name=name, fields=wanted), match_condition=MatchConditions.IfMissing
                )
            except ResourceExistsError:
                return False
            return True
        grown = _grown_fields(existing, wanted)
        if grown is not None:
            existing.fields = grown
            try:
                self._indexes.create_or_update_index(existing, match_condition=MatchConditions.IfNotModified)
            except ResourceModifiedError:
                return False
        return True

    def _prepared(self, d: SearchIndexDefinition, doc: Mapping[str, Any]) -> tuple[str, str, dict[str, Any]]:
        tenant, key = doc.get(TENANT), doc.get(d.key_field)
        if not isinstance(tenant, str) or not tenant or not isinstance(key, str) or not key:
            raise InvalidInput(f"search documents need a string {TENANT} and {d.key_field}")
        encoded = document_key(tenant, key)
        if len(encoded) > _MAX_KEY:
            raise InvalidInput(f"the search key {key!r} is too long")
        try:
            source = json.dumps(dict(doc), allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidInput("search documents must be JSON") from exc
        row: dict[str, Any] = {d.key_field: encoded, TENANT: tenant, SOURCE: source}
        for field in dict.fromkeys([*d.searchable, *d.filterable]):
            row[field] = _terms(doc.get(field)) if field in d.filterable else _text(doc.get(field))
        return encoded, key, row

    def upsert(self, index: str, documents: Sequence[Mapping[str, Any]]) -> None:
        """Add or replace documents in batches of 1,000; every document is checked before any is sent."""
        d = self._definition(index)
        prepared = [self._prepared(d, doc) for doc in documents]
        for batch in _batches(prepared):
            # upload replaces the whole document, as the port says; merge would keep fields the new one lacks.
            with map_azure_errors(SERVICE):
                results = self._client(index).upload_documents(documents=[row for _, _, row in batch])
            _raise_failures(results, {encoded: key for encoded, key, _ in batch})

    def delete(self, index: str, tenant_id: str, keys: Sequence[str]) -> None:
        """Remove documents of one tenant by key; the index key embeds the tenant, so no other tenant's document
        can be named."""
        d = self._definition(index)
        if not isinstance(tenant_id, str) or not tenant_id:
            raise InvalidInput("a tenant id is required")
        named = {document_key(tenant_id, k): k for k in keys if isinstance(k, str) and k}
        wanted = [encoded for encoded in named if len(encoded) <= _MAX_KEY]  # a longer key cannot exist
        for batch in _batches(wanted):
            with map_azure_errors(SERVICE):
                results = self._client(index).delete_documents(documents=[{d.key_field: e} for e in batch])
            _raise_failures(results, named)

    def search(
        self,
        index: str,
        tenant_id: str,
        text: str,
        *,
        filters: Mapping[str, FilterValue] | None = None,
        top: int = 10,
        skip: int = 0,
        highlight_fields: Sequence[str] = (),
    ) -> SearchResults:
        """The tenant's documents matching every word of ``text`` (the last as a prefix), best first, with the total."""
        d = self._definition(index)
        if not isinstance(tenant_id, str) or not tenant_id:
            raise InvalidInput("a tenant id is required")
        odata = _filter(d, tenant_id, filters or {})
        if odata is None:
            return SearchResults(hits=[], total=0)
        query = simple_query(text)
        wanted = [f for f in dict.fromkeys(highlight_fields) if f in d.searchable] if query else []
        options: dict[str, Any] = {
            "filter": odata,
            "search_mode": "all",
            "query_type": "simple",
            "include_total_count": True,
            "top": max(0, min(top, _MAX_TOP)),
            "skip": max(0, skip),
            "select": [TENANT, SOURCE],
            # Ties (every document when there is no word) fall back to the key: pages stay stable.
            "order_by": ["search.score() desc", f"{d.key_field} asc"],
        }
        if wanted:
            options |= {
                "highlight_fields": ",".join(wanted),
                "highlight_pre_tag": "<em>",
                "highlight_post_tag": "</em>",
            }
        with map_azure_errors(SERVICE):
            found = self._client(index).search(search_text=query or "*", **options)
            rows = list(itertools.islice(found, options["top"]))
            total = found.get_count()
        hits = [_hit(row, wanted) for row in rows if row.get(TENANT) == tenant_id]
        return SearchResults(hits=hits, total=total if total is not None else len(hits))

    def ping(self) -> None:
        """Raise ``Unavailable`` if the search service cannot be reached."""
        with map_azure_errors(SERVICE):
            self._indexes.get_service_statistics()


def _hit(row: Mapping[str, Any], wanted: Sequence[str]) -> SearchHit:
    source = row.get(SOURCE)
    if isinstance(source, str):
        document = json.loads(source)
    else:  # written by something else than this adapter: the retrievable fields are all there is
        document = {k: v for k, v in row.items() if not k.startswith("@search.") and k != SOURCE}
    marked = row.get("@search.highlights") or {}
    highlights = {f: list(marked[f]) for f in wanted if marked.get(f)}
    return SearchHit(document=document, score=float(row.get("@search.score") or 0.0), highlights=highlights)
