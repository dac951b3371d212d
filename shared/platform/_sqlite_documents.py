"""The embedded document store: JSON documents in one SQLite file (WAL).

Each write takes the write lock (BEGIN IMMEDIATE), gets the next log sequence number
(LSN) from a counter that never goes back, and stores the document with a fresh ETag.
Because the LSN is taken and committed under the write lock, commits become visible in
LSN order, so the change feed (documents in LSN order) never skips a write; it sees each
document once in its latest version, like Cosmos DB's latest-version change feed.

Expired documents (``ttl``) are invisible at once and physically removed by
``purge_expired`` (the local worker calls it) and, a batch at a time, during writes.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed, Unavailable
from shared.platform._sqlite import SqliteDatabase
from shared.platform._sqlite_query import Translated
from shared.platform.clock import Clock, SystemClock
from shared.platform.documents import (
    SYSTEM_FIELDS,
    ChangePage,
    ContainerSpec,
    Document,
    DocumentStore,
    Page,
    Query,
    decode_token,
    encode_token,
    validate_container_name,
    validate_document,
    validate_field_path,
)
from shared.platform.indexing import DeclaredIndexes

__all__ = ["SqliteDocumentStore", "field_index_name"]


def field_index_name(container: str, field: str) -> str:
    """The SQLite index serving the queries of ``container`` that compare ``field``."""
    return f"documents_{container.replace('-', '_')}_by_{field.replace('.', '__')}"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    container TEXT NOT NULL,
    pk TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    etag TEXT NOT NULL,
    ts INTEGER NOT NULL,
    lsn INTEGER NOT NULL,
    expires_at REAL,
    PRIMARY KEY (container, pk, id)
);
CREATE INDEX IF NOT EXISTS documents_feed ON documents (container, lsn);
CREATE INDEX IF NOT EXISTS documents_expiry ON documents (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO sequence (name, value) VALUES ('lsn', 0);
"""
_VISIBLE = "(expires_at IS NULL OR expires_at > ?)"
_CURRENT = (
    "SELECT body, etag, ts FROM documents WHERE container = ? AND pk = ? AND id = ? "
    f"AND json_extract(body, '$.tenantId') = pk AND {_VISIBLE}"
)
_PURGE = (
    "DELETE FROM documents WHERE rowid IN (SELECT rowid FROM documents "
    "WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)"
)
_MAX_PAGE = 1000
# SQLite result codes (low byte) that a malformed query, not a sick database, produces.
_SQLITE_ERROR = 1

Row = tuple[str, str, int]


def _encode(doc: Document) -> str:
    """The stored body: the document without its system properties, as compact JSON."""
    body = {k: v for k, v in doc.items() if k not in SYSTEM_FIELDS}
    try:
        return json.dumps(body, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidInput("the document is not JSON (or is nested too deeply)") from exc


def _document(body: str, etag: str, ts: int) -> Document:
    doc: Document = json.loads(body)
    doc["_etag"] = etag
    doc["_ts"] = ts
    return doc


def _expires_at(doc: Document, now: float) -> float | None:
    ttl = doc.get("ttl")
    return now + ttl if isinstance(ttl, int) and ttl > 0 else None


class SqliteDocumentStore(DocumentStore):
    """The document port over one SQLite file, one connection per thread.

    With ``containers`` (the platform's, as the composition root passes them) every query is checked
    against its container's declared indexing policy, as the Cosmos DB adapter checks it: a query the
    embedded profile runs would fail or scan in Cosmos DB if it used a path its container does not
    index (``shared/platform/indexing.py``). SQLite itself needs no declaration."""

    purge_every = 256  # writes between two opportunistic purges
    purge_batch = 500  # expired rows one opportunistic purge removes at most

    def __init__(
        self, path: str | Path, *, clock: Clock | None = None, containers: Sequence[ContainerSpec] | None = None
    ) -> None:
        try:
            self._db = SqliteDatabase(path, _SCHEMA)
        except sqlite3.Error as exc:
            raise Unavailable(f"the document database {Path(path).name} cannot be opened") from exc
        self._clock = clock or SystemClock()
        self._writes = itertools.count(1)
        self._indexes = DeclaredIndexes(containers)
        self._create_field_indexes(containers or ())

    def _create_field_indexes(self, containers: Sequence[ContainerSpec]) -> None:
        """A partial index per container and field its queries compare, ``(pk, field, id)`` over that
        container's rows only: a declared query reads the rows it matches in id order (every page
        is sorted by id last), not every row of its partition (a learner's attempts among all of a
        tenant's), and a write maintains only the indexes of its own container."""
        with self._guard(), self._db.write() as db:
            for spec in containers:
                validate_container_name(spec.name)
                for field in spec.filters:
                    if field in ("id", "_ts", "_etag"):
                        continue  # columns, under the primary key already
                    validate_field_path(field)
                    db.execute(
                        f"CREATE INDEX IF NOT EXISTS {field_index_name(spec.name, field)} "
                        f"ON documents (pk, json_extract(body, '$.{field}'), id) WHERE container = '{spec.name}'"
                    )

    def _now(self) -> float:
        return self._clock.now().timestamp()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """A database failure is the platform's Unavailable, never a raw sqlite3 error."""
        try:
            yield
        except sqlite3.Error as exc:
            raise Unavailable("the document database failed") from exc

    def _current(self, db: sqlite3.Connection, container: str, pk: str, doc_id: str) -> Row | None:
        row = db.execute(_CURRENT, (container, pk, doc_id, self._now())).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def _write(self, db: sqlite3.Connection, container: str, pk: str, doc: Document, body: str) -> Document:
        now = self._now()
        if next(self._writes) % self.purge_every == 0:
            db.execute(_PURGE, (now, self.purge_batch))
        lsn = db.execute("UPDATE sequence SET value = value + 1 WHERE name = 'lsn' RETURNING value").fetchone()[0]
        etag = f'"{uuid.uuid4().hex}"'
        # REPLACE also takes the place of an expired row, which counts as absent.
        db.execute(
            "INSERT OR REPLACE INTO documents (container, pk, id, body, etag, ts, lsn, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (container, pk, doc["id"], body, etag, int(now), lsn, _expires_at(doc, now)),
        )
        return _document(body, etag, int(now))

    def _checked(self, container: str, partition_key: str, doc: Document) -> str:
        validate_container_name(container)
        validate_document(doc, partition_key)
        return _encode(doc)

    def read(self, container: str, partition_key: str, doc_id: str) -> Document:
        """The document, or NotFound."""
        validate_container_name(container)
        with self._guard():
            current = self._current(self._db.connection(), container, partition_key, doc_id)
        if current is None:
            raise NotFound(f"document {doc_id!r} does not exist")
        return _document(*current)

    def create(self, container: str, partition_key: str, doc: Document) -> Document:
        """Insert a new document; Conflict if the id exists."""
        body = self._checked(container, partition_key, doc)
        with self._guard(), self._db.write() as db:
            if self._current(db, container, partition_key, doc["id"]) is not None:
                raise Conflict(f"a document with id {doc['id']!r} exists")
            return self._write(db, container, partition_key, doc, body)

    def upsert(self, container: str, partition_key: str, doc: Document, *, if_match: str | None = None) -> Document:
        """Insert or replace; with if_match the document must exist with that ETag."""
        body = self._checked(container, partition_key, doc)
        with self._guard(), self._db.write() as db:
            if if_match is not None:
                current = self._current(db, container, partition_key, doc["id"])
                if current is None or current[1] != if_match:
                    raise PreconditionFailed(f"document {doc['id']!r} has changed")
            return self._write(db, container, partition_key, doc, body)

    def replace(self, container: str, partition_key: str, doc: Document, *, if_match: str | None = None) -> Document:
        """Replace an existing document, optionally only over the given ETag."""
        body = self._checked(container, partition_key, doc)
        with self._guard(), self._db.write() as db:
            self._require(db, container, partition_key, doc["id"], if_match)
            return self._write(db, container, partition_key, doc, body)

    def delete(self, container: str, partition_key: str, doc_id: str, *, if_match: str | None = None) -> None:
        """Delete a document, optionally only over the given ETag."""
        validate_container_name(container)
        with self._guard(), self._db.write() as db:
            self._require(db, container, partition_key, doc_id, if_match)
            db.execute(
                "DELETE FROM documents WHERE container = ? AND pk = ? AND id = ?",
                (container, partition_key, doc_id),
            )

    def _require(self, db: sqlite3.Connection, container: str, pk: str, doc_id: str, if_match: str | None) -> None:
        """NotFound if the document is absent, PreconditionFailed if its ETag is not if_match."""
        current = self._current(db, container, pk, doc_id)
        if current is None:
            raise NotFound(f"document {doc_id!r} does not exist")
        if if_match is not None and current[1] != if_match:
            raise PreconditionFailed(f"document {doc_id!r} has changed")

    def query(self, container: str, query: Query, *, partition_key: str | None) -> Page:
        """One page of matching documents in (order_by, id) order."""
        validate_container_name(container)
        self._indexes.check(container, query, cross_partition=partition_key is None)
        plan = Translated(container, partition_key, query, self._now())
        rows = self._fetch(plan.sql, plan.params)
        items = [_document(r[0], r[1], r[2]) for r in rows[: query.limit]]
        more = len(rows) > query.limit
        return Page(items=items, continuation=plan.next_token(rows[query.limit - 1]) if more else None)

    def _fetch(self, sql: str, params: list[Any]) -> list[Any]:
        try:
            return self._db.connection().execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            # A plain SQL error here comes from the query's shape (too many terms, bad JSON value).
            if exc.sqlite_errorcode & 0xFF == _SQLITE_ERROR:
                raise InvalidInput("the query cannot be run") from exc
            raise Unavailable("the document database failed") from exc
        except sqlite3.Error as exc:
            raise Unavailable("the document database failed") from exc

    def read_changes(
        self, container: str, continuation: str | None = None, *, max_items: int = 100, placement: str | None = None
    ) -> ChangePage:
        """Documents written after the continuation, in write order, latest versions.

        The one SQLite file is the only database and places no tenant elsewhere, so a
        ``placement`` is refused (InvalidInput) rather than read as the whole feed: a reader
        of a dedicated database's feed here would be a misconfiguration, not a second relay.
        """
        if placement is not None:
            raise InvalidInput(f"the embedded document store has no database {placement!r}: it places no tenant")
        validate_container_name(container)
        after = self._feed_position(continuation)
        with self._guard():
            rows = (
                self._db.connection()
                .execute(
                    f"SELECT body, etag, ts, lsn FROM documents WHERE container = ? AND lsn > ? AND {_VISIBLE} "
                    "ORDER BY lsn LIMIT ?",
                    (container, after, self._now(), max(1, min(max_items, _MAX_PAGE))),
                )
                .fetchall()
            )
        last = rows[-1][3] if rows else after
        items = [_document(r[0], r[1], r[2]) for r in rows]
        return ChangePage(items=items, continuation=encode_token({"lsn": last}))

    @staticmethod
    def _feed_position(continuation: str | None) -> int:
        if continuation is None:
            return 0
        lsn = decode_token(continuation).get("lsn")
        if not isinstance(lsn, int) or isinstance(lsn, bool) or not 0 <= lsn < 2**63:
            raise InvalidInput("the continuation token is not valid")
        return lsn

    def purge_expired(self) -> int:
        """Physically remove expired documents; returns how many."""
        with self._guard(), self._db.write() as db:
            cursor = db.execute(
                "DELETE FROM documents WHERE expires_at IS NOT NULL AND expires_at <= ?", (self._now(),)
            )
            return cursor.rowcount

    def ping(self) -> None:
        """Raise Unavailable if the database file cannot be read."""
        # SELECT 1 would succeed without touching the file; read a real table instead.
        with self._guard():
            self._db.connection().execute("SELECT value FROM sequence WHERE name = 'lsn'").fetchone()

    def close(self) -> None:
        """Close this thread's connection."""
        self._db.close()
