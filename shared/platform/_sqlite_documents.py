"""The embedded document store: JSON documents in one SQLite file (WAL).

Each write takes the write lock, gets the next log sequence number (LSN) and stores the
document with a fresh ETag; the change feed reads documents in LSN order, so it sees
each document once in its latest version, like Cosmos DB's latest-version change feed.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

from shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from shared.platform._sqlite import SqliteDatabase
from shared.platform._sqlite_query import Translated, decode_token, encode_token
from shared.platform.clock import Clock, SystemClock
from shared.platform.documents import (
    SYSTEM_FIELDS,
    ChangePage,
    Document,
    DocumentStore,
    Page,
    Query,
    validate_container_name,
    validate_document,
)

__all__ = ["SqliteDocumentStore"]

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


class SqliteDocumentStore(DocumentStore):
    def __init__(self, path: str | Path, *, clock: Clock | None = None) -> None:
        self._db = SqliteDatabase(path, _SCHEMA)
        self._clock = clock or SystemClock()

    def _now(self) -> float:
        return self._clock.now().timestamp()

    @staticmethod
    def _document(body: str, etag: str, ts: int) -> Document:
        doc: Document = json.loads(body)
        doc["_etag"] = etag
        doc["_ts"] = ts
        return doc

    def _current(self, db: sqlite3.Connection, container: str, pk: str, doc_id: str) -> tuple[str, str, int] | None:
        row = db.execute(
            f"SELECT body, etag, ts FROM documents WHERE container = ? AND pk = ? AND id = ? "
            f"AND json_extract(body, '$.tenantId') = pk AND {_VISIBLE}",
            (container, pk, doc_id, self._now()),
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def _write(self, db: sqlite3.Connection, container: str, pk: str, doc: Document) -> Document:
        body = {k: v for k, v in doc.items() if k not in SYSTEM_FIELDS}
        now = self._now()
        ttl = body.get("ttl")
        expires_at = now + ttl if isinstance(ttl, int) and ttl > 0 else None
        lsn = db.execute("UPDATE sequence SET value = value + 1 WHERE name = 'lsn' RETURNING value").fetchone()[0]
        etag = f'"{uuid.uuid4().hex}"'
        try:
            text = json.dumps(body, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidInput("the document is not JSON") from exc
        db.execute(
            "INSERT OR REPLACE INTO documents (container, pk, id, body, etag, ts, lsn, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (container, pk, body["id"], text, etag, int(now), lsn, expires_at),
        )
        return self._document(text, etag, int(now))

    def read(self, container: str, partition_key: str, doc_id: str) -> Document:
        """The document, or NotFound."""
        validate_container_name(container)
        current = self._current(self._db.connection(), container, partition_key, doc_id)
        if current is None:
            raise NotFound()
        return self._document(*current)

    def create(self, container: str, partition_key: str, doc: Document) -> Document:
        """Insert a new document; Conflict if the id exists."""
        validate_container_name(container)
        validate_document(doc, partition_key)
        with self._db.write() as db:
            if self._current(db, container, partition_key, doc["id"]) is not None:
                raise Conflict(f"a document with id {doc['id']!r} exists")
            return self._write(db, container, partition_key, doc)

    def upsert(self, container: str, partition_key: str, doc: Document, *, if_match: str | None = None) -> Document:
        """Insert or replace, optionally only over the given ETag."""
        validate_container_name(container)
        validate_document(doc, partition_key)
        with self._db.write() as db:
            if if_match is not None:
                current = self._current(db, container, partition_key, doc["id"])
                if current is None or current[1] != if_match:
                    raise PreconditionFailed()
            return self._write(db, container, partition_key, doc)

    def replace(self, container: str, partition_key: str, doc: Document, *, if_match: str | None = None) -> Document:
        """Replace an existing document, optionally only over the given ETag."""
        validate_container_name(container)
        validate_document(doc, partition_key)
        with self._db.write() as db:
            current = self._current(db, container, partition_key, doc["id"])
            if current is None:
                raise NotFound()
            if if_match is not None and current[1] != if_match:
                raise PreconditionFailed()
            return self._write(db, container, partition_key, doc)

    def delete(self, container: str, partition_key: str, doc_id: str, *, if_match: str | None = None) -> None:
        """Delete a document, optionally only over the given ETag."""
        validate_container_name(container)
        with self._db.write() as db:
            current = self._current(db, container, partition_key, doc_id)
            if current is None:
                raise NotFound()
            if if_match is not None and current[1] != if_match:
                raise PreconditionFailed()
            db.execute(
                "DELETE FROM documents WHERE container = ? AND pk = ? AND id = ?",
                (container, partition_key, doc_id),
            )

    def query(self, container: str, query: Query, *, partition_key: str | None) -> Page:
        """One page of matching documents in (order_by, id) order."""
        validate_container_name(container)
        plan = Translated(container, partition_key, query, self._now())
        try:
            rows = self._db.connection().execute(plan.sql, plan.params).fetchall()
        except sqlite3.OperationalError as exc:
            raise InvalidInput("the query cannot be run") from exc
        items = [self._document(r[0], r[1], r[2]) for r in rows[: query.limit]]
        more = len(rows) > query.limit
        return Page(items=items, continuation=plan.next_token(rows[query.limit - 1]) if more else None)

    def read_changes(self, container: str, continuation: str | None = None, *, max_items: int = 100) -> ChangePage:
        """Documents written after the continuation, in write order, latest versions."""
        validate_container_name(container)
        after = 0
        if continuation:
            lsn = decode_token(continuation).get("lsn")
            if not isinstance(lsn, int) or lsn < 0:
                raise InvalidInput("the continuation token is not valid")
            after = lsn
        rows = (
            self._db.connection()
            .execute(
                f"SELECT body, etag, ts, lsn FROM documents WHERE container = ? AND lsn > ? AND {_VISIBLE} "
                "ORDER BY lsn LIMIT ?",
                (container, after, self._now(), max(1, min(max_items, 1000))),
            )
            .fetchall()
        )
        last = rows[-1][3] if rows else after
        return ChangePage(
            items=[self._document(r[0], r[1], r[2]) for r in rows], continuation=encode_token({"lsn": last})
        )

    def purge_expired(self) -> int:
        """Physically remove expired documents; returns how many."""
        with self._db.write() as db:
            cursor = db.execute(
                "DELETE FROM documents WHERE expires_at IS NOT NULL AND expires_at <= ?", (self._now(),)
            )
            return cursor.rowcount

    def ping(self) -> None:
        self._db.ping()

    def close(self) -> None:
        self._db.close()
