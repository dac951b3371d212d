"""Writes documents until killed, printing each id only after its write returned.

Run by test_documents_crash.py, which SIGKILLs it mid-run. Two threads write at once
(each with its own connection), so the kill can land inside either one's transaction.
"""

from __future__ import annotations

import sys
import threading

from shared.platform._sqlite_documents import SqliteDocumentStore

CONTAINER = "items"
TENANT = "crash-tenant"


def write_forever(store: SqliteDocumentStore, worker: int, lock: threading.Lock) -> None:
    for i in range(10_000_000):
        doc_id = f"w{worker}-{i:07d}"
        doc = {"id": doc_id, "tenantId": TENANT, "n": i, "payload": "x" * 300}
        store.create(CONTAINER, TENANT, doc)
        if i % 3 == 0:  # also replace, so a kill can land in an update as well
            store.upsert(CONTAINER, TENANT, {**doc, "payload": "y" * 300, "updated": True})
        with lock:
            sys.stdout.write(doc_id + "\n")
            sys.stdout.flush()


def main(path: str) -> None:
    store = SqliteDocumentStore(path)
    lock = threading.Lock()
    threads = [threading.Thread(target=write_forever, args=(store, w, lock), daemon=True) for w in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main(sys.argv[1])
