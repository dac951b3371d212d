"""A document store that counts the operations reaching the real one, for tests and
benchmarks that check how many reads or writes a use case costs (never how long)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from shared.platform.documents import ChangePage, Document, DocumentStore, Page, Query

READS = ("read", "query", "read_changes")
WRITES = ("create", "upsert", "replace", "delete")


class CountingDocumentStore(DocumentStore):
    def __init__(self, inner: DocumentStore) -> None:
        self.inner = inner
        self.calls: Counter[tuple[str, str]] = Counter()

    def count(self, operations: tuple[str, ...], container: str | None = None) -> int:
        """How many of ``operations`` were made (on ``container``, or on any)."""
        return sum(n for (op, c), n in self.calls.items() if op in operations and container in (None, c))

    def reset(self) -> None:
        self.calls.clear()

    def read(self, container: str, partition_key: str, doc_id: str) -> Document:
        self.calls["read", container] += 1
        return self.inner.read(container, partition_key, doc_id)

    def create(self, container: str, partition_key: str, doc: Document) -> Document:
        self.calls["create", container] += 1
        return self.inner.create(container, partition_key, doc)

    def upsert(self, container: str, partition_key: str, doc: Document, *, if_match: str | None = None) -> Document:
        self.calls["upsert", container] += 1
        return self.inner.upsert(container, partition_key, doc, if_match=if_match)

    def replace(self, container: str, partition_key: str, doc: Document, *, if_match: str | None = None) -> Document:
        self.calls["replace", container] += 1
        return self.inner.replace(container, partition_key, doc, if_match=if_match)

    def delete(self, container: str, partition_key: str, doc_id: str, *, if_match: str | None = None) -> None:
        self.calls["delete", container] += 1
        self.inner.delete(container, partition_key, doc_id, if_match=if_match)

    def query(self, container: str, query: Query, *, partition_key: str | None) -> Page:
        self.calls["query", container] += 1
        return self.inner.query(container, query, partition_key=partition_key)

    def read_changes(
        self, container: str, continuation: str | None = None, *, max_items: int = 100, placement: str | None = None
    ) -> ChangePage:
        self.calls["read_changes", container] += 1
        return self.inner.read_changes(container, continuation, max_items=max_items, placement=placement)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # adapter extras such as purge_expired
