"""The embedded store survives a crash: a writer killed with SIGKILL mid-run loses no
acknowledged write (WAL with synchronous=NORMAL) and leaves an intact, writable file."""

from __future__ import annotations

import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from shared.platform._sqlite_documents import SqliteDocumentStore
from tests.contract._crash_writer import CONTAINER, TENANT

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_SECONDS = 20  # generous for a slow CI box; a healthy run takes well under two seconds


def pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    """Read the child's stdout on a thread, so the test can wait with a timeout."""
    for line in stream:
        lines.put(line.strip())
    lines.put(None)


def run_and_kill(path: Path, kill_after: int, stderr: IO[str]) -> list[str]:
    """Start the writer, SIGKILL it after ``kill_after`` acknowledgements; every id it
    printed, including any printed just before the kill, is returned."""
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.contract._crash_writer", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    assert writer.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=pump, args=(writer.stdout, lines), daemon=True)
    reader.start()
    acknowledged: list[str] = []
    deadline = time.monotonic() + DEADLINE_SECONDS
    try:
        while len(acknowledged) < kill_after:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, "the writer stopped before it was killed"
            acknowledged.append(line)
        writer.send_signal(signal.SIGKILL)
        assert writer.wait(timeout=10) == -signal.SIGKILL
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait(timeout=10)
    reader.join(timeout=10)
    while (line := lines.get_nowait()) is not None:
        acknowledged.append(line)
    return acknowledged


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [60, 400])
def test_every_acknowledged_write_survives_a_killed_writer(tmp_path: Path, kill_after: int) -> None:
    path = tmp_path / "documents.sqlite3"
    with (tmp_path / "writer.stderr").open("w") as stderr:
        acknowledged = run_and_kill(path, kill_after, stderr)
    assert len(acknowledged) >= kill_after, (tmp_path / "writer.stderr").read_text()

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = SqliteDocumentStore(path)
    for doc_id in acknowledged:
        stored = store.read(CONTAINER, TENANT, doc_id)
        n = int(doc_id.split("-")[1])
        assert stored["n"] == n
        assert stored.get("updated", False) == (n % 3 == 0)  # the acknowledged upsert is there too
    store.create(CONTAINER, TENANT, {"id": "after-crash", "tenantId": TENANT})  # still writable
    store.close()
