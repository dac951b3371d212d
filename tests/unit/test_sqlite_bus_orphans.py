"""The embedded bus takes back the messages of a process that died holding their locks, and only
those: a lock of this process or of another live one stays until it is settled or expires."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from shared.platform._sqlite_bus import SqliteMessageBus
from shared.platform.bus import BusTopology, EntityOptions, OutgoingMessage

TOPOLOGY = BusTopology(queues={"jobs": EntityOptions(lock_seconds=60, max_delivery_count=3)}, topics={})


def _owner_of(path: Path, message_id: str) -> str:
    with sqlite3.connect(path) as db:
        return str(db.execute("SELECT lock_owner FROM messages WHERE message_id = ?", (message_id,)).fetchone()[0])


def _set_owner(path: Path, message_id: str, owner: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE messages SET lock_owner = ? WHERE message_id = ?", (owner, message_id))


def test_a_dead_holders_lock_is_released_when_a_bus_opens_and_a_live_ones_is_not(tmp_path: Path) -> None:
    path = tmp_path / "bus.sqlite3"
    bus = SqliteMessageBus(path, TOPOLOGY)
    bus.send("jobs", [OutgoingMessage.of_json({"n": n}, message_id=f"m{n}") for n in range(3)])
    held = bus.receive("jobs", max_messages=3)
    assert len(held) == 3 and bus.receive("jobs") == []
    assert _owner_of(path, "m0").startswith(f"{os.getpid()}:")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        from shared.platform._sqlite_bus import _process_identity

        live = _process_identity(sleeper.pid)
        assert live is not None
        _set_owner(path, "m1", live)  # held by another process that still runs
        _set_owner(path, "m2", f"{sleeper.pid}:0")  # a recycled pid: the process that held it is gone
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
        _set_owner(path, "m0", f"{int(dead.stdout)}:1")  # a process that exited
        again = SqliteMessageBus(path, TOPOLOGY)  # a new worker process opens the bus
        redelivered = again.receive("jobs", max_messages=3)
        assert sorted(m.message_id for m in redelivered) == ["m0", "m2"]
        assert all(m.delivery_count == 2 for m in redelivered)  # the crash counted as a delivery
    finally:
        sleeper.kill()
        sleeper.wait()
    assert again.release_orphaned_locks() == 1  # m1's holder is gone now too
    assert [m.message_id for m in again.receive("jobs")] == ["m1"]
