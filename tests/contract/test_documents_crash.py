"""The embedded store survives a crash: a writer killed mid-run loses no acknowledged
write and leaves an intact file."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from shared.platform._sqlite_documents import SqliteDocumentStore

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("kill_after", [50, 400])
def test_every_acknowledged_write_survives_a_killed_writer(tmp_path: Path, kill_after: int) -> None:
    path = tmp_path / "documents.sqlite3"
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.contract._crash_writer", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    acknowledged: list[str] = []
    try:
        assert writer.stdout is not None
        for line in writer.stdout:
            acknowledged.append(line.strip())
            if len(acknowledged) >= kill_after:
                break
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert len(acknowledged) >= kill_after

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = SqliteDocumentStore(path)
    for doc_id in acknowledged:
        assert store.read("items", "t", doc_id)["id"] == doc_id
    store.create("items", "t", {"id": "after-crash", "tenantId": "t"})  # still writable
