"""The embedded search index: SQLite FTS5 with bm25 ranking, always scoped to a tenant.

Per index: an FTS5 table over the searchable fields (tenant and key stored unindexed)
and a table with each document's JSON and filterable values. User text never reaches
FTS5 syntax: every word is quoted, so no input can break or widen a query.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from shared.errors import InvalidInput, NotFound
from shared.platform._sqlite import SqliteDatabase
from shared.platform.search import FilterValue, SearchHit, SearchIndex, SearchIndexDefinition, SearchResults

__all__ = ["SqliteSearchIndex", "fts_query"]

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_WORD = re.compile(r"\w+", re.UNICODE)
_SCHEMA = "CREATE TABLE IF NOT EXISTS indexes (name TEXT PRIMARY KEY, definition TEXT NOT NULL);"


def fts_query(text: str) -> str | None:
    """All words must match; the last one as a prefix (search as you type). None: no words."""
    words = _WORD.findall(text)[:32]
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " AND ".join(quoted)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


class SqliteSearchIndex(SearchIndex):
    def __init__(self, path: str | Path) -> None:
        self._db = SqliteDatabase(path, _SCHEMA)

    def _definition(self, index: str) -> SearchIndexDefinition:
        row = self._db.connection().execute("SELECT definition FROM indexes WHERE name = ?", (index,)).fetchone()
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
        """Create the index tables if missing."""
        names = [definition.name, *definition.searchable, *definition.filterable, definition.key_field]
        if not all(_NAME.match(n) for n in names):
            raise InvalidInput("index and field names must be lower-case identifiers")
        columns = ", ".join(definition.searchable)
        raw = {
            "name": definition.name,
            "searchable": list(definition.searchable),
            "filterable": list(definition.filterable),
            "key_field": definition.key_field,
        }
        with self._db.write() as db:
            db.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS fts_{definition.name} USING fts5("
                f"tenant UNINDEXED, key UNINDEXED, {columns}, tokenize = 'unicode61 remove_diacritics 2')"
            )
            db.execute(
                f"CREATE TABLE IF NOT EXISTS docs_{definition.name} (tenant TEXT NOT NULL, key TEXT NOT NULL, "
                "document TEXT NOT NULL, filters TEXT NOT NULL, PRIMARY KEY (tenant, key))"
            )
            db.execute(
                "INSERT OR REPLACE INTO indexes (name, definition) VALUES (?, ?)",
                (definition.name, json.dumps(raw)),
            )

    def upsert(self, index: str, documents: Sequence[Mapping[str, Any]]) -> None:
        """Add or replace documents by (tenantId, key)."""
        d = self._definition(index)
        with self._db.write() as db:
            for doc in documents:
                tenant, key = doc.get("tenantId"), doc.get(d.key_field)
                if not isinstance(tenant, str) or not isinstance(key, str):
                    raise InvalidInput(f"search documents need string tenantId and {d.key_field}")
                self._remove(db, index, tenant, key)
                filters = {f: doc.get(f) for f in d.filterable}
                db.execute(
                    f"INSERT INTO docs_{index} (tenant, key, document, filters) VALUES (?, ?, ?, ?)",
                    (tenant, key, json.dumps(dict(doc)), json.dumps(filters)),
                )
                values = [_text(doc.get(f)) for f in d.searchable]
                marks = ", ".join("?" for _ in range(len(values) + 2))
                db.execute(f"INSERT INTO fts_{index} VALUES ({marks})", (tenant, key, *values))

    @staticmethod
    def _remove(db: sqlite3.Connection, index: str, tenant: str, key: str) -> None:
        db.execute(f"DELETE FROM fts_{index} WHERE tenant = ? AND key = ?", (tenant, key))
        db.execute(f"DELETE FROM docs_{index} WHERE tenant = ? AND key = ?", (tenant, key))

    def delete(self, index: str, tenant_id: str, keys: Sequence[str]) -> None:
        """Remove documents of one tenant by key."""
        self._definition(index)
        with self._db.write() as db:
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
        """The tenant's documents matching ``text``, best first."""
        d = self._definition(index)
        where, params = self._where(d, tenant_id, text, filters or {})
        highlights = [f for f in highlight_fields if f in d.searchable]
        marks = "".join(f", highlight(fts_{index}, {d.searchable.index(f) + 2}, '<em>', '</em>')" for f in highlights)
        ranked = f"bm25(fts_{index})" if fts_query(text) else "0"
        base = f"FROM fts_{index} f JOIN docs_{index} d ON d.tenant = f.tenant AND d.key = f.key WHERE {where}"
        db = self._db.connection()
        total = db.execute(f"SELECT count(*) {base}", params).fetchone()[0]
        rows = db.execute(
            f"SELECT d.document, {ranked}{marks} {base} ORDER BY {ranked}, d.key LIMIT ? OFFSET ?",
            [*params, max(1, min(top, 1000)), max(0, skip)],
        ).fetchall()
        hits = [
            SearchHit(
                document=json.loads(row[0]),
                score=-float(row[1]),
                highlights={f: [row[2 + i]] for i, f in enumerate(highlights) if "<em>" in (row[2 + i] or "")},
            )
            for row in rows
        ]
        return SearchResults(hits=hits, total=total)

    @staticmethod
    def _where(
        d: SearchIndexDefinition, tenant_id: str, text: str, filters: Mapping[str, FilterValue]
    ) -> tuple[str, list[Any]]:
        clauses = ["f.tenant = ?", "d.tenant = ?"]
        params: list[Any] = [tenant_id, tenant_id]
        match = fts_query(text)
        if match:
            clauses.append(f"fts_{d.name} MATCH ?")
            params.append(match)
        for field, value in filters.items():
            if field not in d.filterable:
                raise InvalidInput(f"{field!r} is not filterable")
            wanted = list(value) if isinstance(value, (list, tuple)) else [value]
            path = f"'$.{field}'"
            clauses.append(
                f"(json_extract(d.filters, {path}) IN ({', '.join('?' for _ in wanted)}) OR EXISTS ("
                f"SELECT 1 FROM json_each(d.filters, {path}) WHERE value IN ({', '.join('?' for _ in wanted)})))"
            )
            params += wanted + wanted
        return " AND ".join(clauses), params

    def ping(self) -> None:
        self._db.ping()
