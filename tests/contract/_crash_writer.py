"""Writes documents forever, printing each id only after its write returned (acknowledged).
Run by test_documents_crash.py, which kills it mid-run."""

from __future__ import annotations

import sys

from shared.platform._sqlite_documents import SqliteDocumentStore


def main(path: str) -> None:
    store = SqliteDocumentStore(path)
    for i in range(1_000_000):
        doc_id = f"doc-{i:07d}"
        store.create("items", "t", {"id": doc_id, "tenantId": "t", "payload": "x" * 200, "n": i})
        if i % 3 == 0:
            store.upsert("items", "t", {"id": doc_id, "tenantId": "t", "payload": "y" * 200, "n": i})
        sys.stdout.write(doc_id + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1])
