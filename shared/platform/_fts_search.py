"""The embedded search index: SQLite FTS5 with bm25 ranking, always scoped to a tenant.

Per index: a table ``docs_{index}`` with each document's JSON and filterable values,
keyed by (tenant, key), and an FTS5 table ``fts_{index}`` over the searchable fields
(tenant and key stored unindexed). User text never reaches FTS5 syntax: every word is
quoted, so no input can break, widen or slow down a query.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from shared.errors import InvalidInput, NotFound
from shared.platform._sqlite import SqliteDatabase
from shared.platform.search import FilterValue, SearchHit, SearchIndex, SearchIndexDefinition, SearchResults

__all__ = ["SqliteSearchIndex", "fts_query"]

# Azure AI Search's rules for index and field names, so definitions carry over unchanged.
_INDEX_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,126}[a-z0-9])?")
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,127}")
_LAYOUT = 2  # bumped when the FTS table's shape changes: ensure_index then rebuilds it
_MAX_WORDS = 32
_MAX_TOP = 1000
_SCHEMA = "CREATE TABLE IF NOT EXISTS indexes (name TEXT PRIMARY KEY, definition TEXT NOT NULL);"


def _is_token_char(char: str) -> bool:
    # The unicode61 tokenizer's default token characters: letters, numbers, private use.
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "Co"


def fts_query(text: str) -> str | None:
    """A safe FTS5 query for user text: every word quoted, all required, the last as a prefix.
    None when the text has no word."""
    # Control characters go (FTS5 reads a NUL as the end of the query); words without a token
    # character go too, as a quoted phrase with no token would match nothing.
    cleaned = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Cn") else c for c in text)
    words = [w for w in cleaned.split() if any(_is_token_char(c) for c in w)][:_MAX_WORDS]
    if not words:
        return None
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    quoted[-1] += "*"
    return " AND ".join(quoted)


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value)
    return "" if value is None else str(value)


def _check_definition(d: SearchIndexDefinition) -> None:
    if not _INDEX_NAME.fullmatch(d.name):
        raise InvalidInput("index names are lower-case letters, digits and inner dashes")
    fields = [*d.searchable, *d.filterable, d.key_field]
    if not all(isinstance(f, str) and _FIELD_NAME.fullmatch(f) for f in fields):
        raise InvalidInput("field names start with a letter and hold letters, digits and underscores")
    if not d.searchable or len({f.lower() for f in d.searchable}) != len(d.searchable):
        raise InvalidInput("an index needs distinct searchable fields")


def _raw(d: SearchIndexDefinition) -> str:
    raw = {
        "name": d.name,
        "searchable": list(d.searchable),
        "filterable": list(d.filterable),
        "key_field": d.key_field,
        "layout": _LAYOUT,
    }
    return json.dumps(raw, sort_keys=True)


class SqliteSearchIndex(SearchIndex):
    def __init__(self, path: str | Path) -> None:
        self._db = SqliteDatabase(path, _SCHEMA)

    def _definition(self, db: sqlite3.Connection, index: str) -> SearchIndexDefinition:
        row = db.execute("SELECT definition FROM indexes WHERE name = ?", (index,)).fetchone()
        if row is None:
            raise NotFound(f"no search index {index!r}")
        raw = json.loads(row[0])
        return SearchIndexDefinition(
            name=raw["name"],
            searchable=tuple(raw["searchable"]),
            filterable=tuple(raw["filterable"]),
            key_field=raw["key_field"],
        )

    def ensure_index(self, definition: SearchIndexDefinition) -> None:
        """Create the index if missing; rebuild its text index from the stored documents if its fields changed."""
        _check_definition(definition)
        d = definition
        with self._db.write() as db:
            row = db.execute("SELECT definition FROM indexes WHERE name = ?", (d.name,)).fetchone()
            if row is not None and row[0] == _raw(d):
                return
            columns = "".join(f", c{i}" for i in range(len(d.searchable)))
            db.execute(f'DROP TABLE IF EXISTS "fts_{d.name}"')
            db.execute(
                f'CREATE VIRTUAL TABLE "fts_{d.name}" USING fts5(tenant UNINDEXED, key UNINDEXED{columns}, '
                "tokenize = 'unicode61 remove_diacritics 2')"
            )
            db.execute(
                f'CREATE TABLE IF NOT EXISTS "docs_{d.name}" (tenant TEXT NOT NULL, key TEXT NOT NULL, '
                "document TEXT NOT NULL, filters TEXT NOT NULL, PRIMARY KEY (tenant, key))"
            )
            stored = db.execute(f'SELECT document FROM "docs_{d.name}"').fetchall()
            db.execute(f'DELETE FROM "docs_{d.name}"')
            for (document,) in stored:
                self._insert(db, d, json.loads(document))
            db.execute("INSERT OR REPLACE INTO indexes (name, definition) VALUES (?, ?)", (d.name, _raw(d)))

    def upsert(self, index: str, documents: Sequence[Mapping[str, Any]]) -> None:
        """Add or replace documents by (tenantId, key), all or none."""
        with self._db.write() as db:
            d = self._definition(db, index)
            for doc in documents:
                self._remove(db, index, doc.get("tenantId"), doc.get(d.key_field))
                self._insert(db, d, doc)

    @staticmethod
    def _insert(db: sqlite3.Connection, d: SearchIndexDefinition, doc: Mapping[str, Any]) -> None:
        tenant, key = doc.get("tenantId"), doc.get(d.key_field)
        if not isinstance(tenant, str) or not tenant or not isinstance(key, str) or not key:
            raise InvalidInput(f"search documents need a string tenantId and {d.key_field}")
        try:
            stored = json.dumps(dict(doc))
        except (TypeError, ValueError) as exc:
            raise InvalidInput("search documents must be JSON") from exc
        filters = json.dumps({f: doc.get(f) for f in d.filterable})
        db.execute(
            f'INSERT INTO "docs_{d.name}" (tenant, key, document, filters) VALUES (?, ?, ?, ?)',
            (tenant, key, stored, filters),
        )
        values = [_text(doc.get(f)) for f in d.searchable]
        marks = ", ".join("?" for _ in range(len(values) + 2))
        db.execute(f'INSERT INTO "fts_{d.name}" VALUES ({marks})', (tenant, key, *values))

    @staticmethod
    def _remove(db: sqlite3.Connection, index: str, tenant: Any, key: Any) -> None:
        db.execute(f'DELETE FROM "fts_{index}" WHERE tenant = ? AND key = ?', (tenant, key))
        db.execute(f'DELETE FROM "docs_{index}" WHERE tenant = ? AND key = ?', (tenant, key))

    def delete(self, index: str, tenant_id: str, keys: Sequence[str]) -> None:
        """Remove documents of one tenant by key; unknown keys are ignored."""
        with self._db.write() as db:
            self._definition(db, index)
            for key in keys:
                self._remove(db, index, tenant_id, key)

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
        """The tenant's documents matching every word of ``text``, best first, with the total count."""
        db = self._db.connection()
        d = self._definition(db, index)
        # The tenant clause comes first and is never optional: no argument can drop it.
        where, params = "d.tenant = ?", [tenant_id]
        for clause, values in _filter_clauses(d, filters or {}):
            where += f" AND {clause}"
            params += values
        page = [max(0, min(top, _MAX_TOP)), max(0, skip)]
        match = fts_query(text)
        if match is None:
            total = db.execute(f'SELECT count(*) FROM "docs_{index}" d WHERE {where}', params).fetchone()[0]
            rows = db.execute(
                f'SELECT d.document FROM "docs_{index}" d WHERE {where} ORDER BY d.key LIMIT ? OFFSET ?',
                [*params, *page],
            ).fetchall()
            # Azure scores a search without words 1.0 for every document; so does this.
            return SearchResults(hits=[SearchHit(document=json.loads(r[0]), score=1.0) for r in rows], total=total)
        return self._ranked(db, d, match, where, params, page, highlight_fields)

    def _ranked(
        self,
        db: sqlite3.Connection,
        d: SearchIndexDefinition,
        match: str,
        where: str,
        params: list[Any],
        page: list[int],
        highlight_fields: Sequence[str],
    ) -> SearchResults:
        fts = f'"fts_{d.name}"'
        source = f'{fts} f JOIN "docs_{d.name}" d ON d.tenant = f.tenant AND d.key = f.key'
        where = f"{fts} MATCH ? AND {where}"
        params = [match, *params]
        total = db.execute(f"SELECT count(*) FROM {source} WHERE {where}", params).fetchone()[0]
        wanted = [f for f in dict.fromkeys(highlight_fields) if f in d.searchable]
        # Per field: the text with each match wrapped, and the text itself, to tell if anything matched.
        columns = "".join(
            f", highlight({fts}, {d.searchable.index(f) + 2}, '<em>', '</em>'), f.c{d.searchable.index(f)}"
            for f in wanted
        )
        rows = db.execute(
            f"SELECT d.document, bm25({fts}){columns} FROM {source} WHERE {where} "
            f"ORDER BY bm25({fts}), d.key LIMIT ? OFFSET ?",
            [*params, *page],
        ).fetchall()
        hits = []
        for row in rows:
            marked = {f: row[2 + 2 * i] for i, f in enumerate(wanted) if row[2 + 2 * i] != row[3 + 2 * i]}
            # bm25 is lower-is-better and negative; the port's score is higher-is-better.
            hits.append(
                SearchHit(document=json.loads(row[0]), score=-row[1], highlights={f: [m] for f, m in marked.items()})
            )
        return SearchResults(hits=hits, total=total)

    def ping(self) -> None:
        """Raise ``Unavailable`` if the index file cannot be read."""
        self._db.ping()


def _filter_clauses(d: SearchIndexDefinition, filters: Mapping[str, FilterValue]) -> list[tuple[str, list[Any]]]:
    """One SQL clause per filter: equality, where a list-valued field matches if it contains a value,
    and a list of values matches any of them. Field names travel as bound JSON paths, never as SQL."""
    clauses = []
    for field, value in filters.items():
        if field not in d.filterable:
            raise InvalidInput(f"{field!r} is not filterable")
        wanted = list(value) if isinstance(value, list | tuple) else [value]
        if not all(isinstance(v, str | int | float) for v in wanted):
            raise InvalidInput(f"the filter on {field!r} takes strings, numbers or booleans")
        marks = ", ".join("?" for _ in wanted)
        # json_each yields a scalar itself, or each element of an array.
        clauses.append(
            (f"EXISTS (SELECT 1 FROM json_each(d.filters, ?) WHERE value IN ({marks}))", [f'$."{field}"', *wanted])
        )
    return clauses
