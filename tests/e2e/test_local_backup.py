"""The embedded data dir is backed up online: while documents, blobs and messages keep being
written, ``backup`` copies it; ``restore`` into a fresh data dir finds every write acknowledged
before the backup began, and the restored platform works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from shared.bootstrap import bootstrap
from shared.platform.bus import OutgoingMessage
from shared.platform.local_backup import MANIFEST, BackupError, backup, restore
from shared.platform.topology import CERTIFICATES_QUEUE
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
CONTAINER = "enrollments"


def test_a_backup_taken_under_writes_restores_every_acknowledged_write(tmp_path: Path) -> None:
    data = tmp_path / "data"
    platform = bootstrap(make_settings(data))
    acknowledged: list[int] = []
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            platform.documents.create(CONTAINER, "acme", {"id": f"doc-{n}", "tenantId": "acme", "n": n})
            platform.blobs.write("media", f"acme/blob-{n}.bin", bytes([n % 256]) * 4096)
            acknowledged.append(n)  # both writes returned: acknowledged
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(acknowledged) < 50:
            time.sleep(0.01)
        before = list(acknowledged)
        copied = backup(data, tmp_path / "backup")
        during = len(acknowledged) - len(before)
    finally:
        stop.set()
        thread.join()
    assert during > 0, "the writes went on during the backup"
    assert {"documents.sqlite3", "bus.sqlite3"} <= set(copied.databases)

    restored_dir = tmp_path / "restored"
    restore(tmp_path / "backup", restored_dir)
    restored = bootstrap(make_settings(restored_dir))
    for n in before:
        assert restored.documents.read(CONTAINER, "acme", f"doc-{n}")["n"] == n
        assert restored.blobs.read_bytes("media", f"acme/blob-{n}.bin") == bytes([n % 256]) * 4096
    # The restored platform keeps working, on the same keys (a token the old one signed still validates).
    restored.documents.create(CONTAINER, "acme", {"id": "after-restore", "tenantId": "acme"})
    assert platform.dev_issuer is not None and restored.dev_issuer is not None
    token = platform.dev_issuer.issue(user_id="lea", tenant_id="acme", roles=["Learner"], ttl_seconds=60)
    assert restored.tokens.validate(token).user_id == "lea"


def test_the_cli_backs_up_and_restores_and_refuses_what_it_must(tmp_path: Path) -> None:
    data = tmp_path / "data"
    platform = bootstrap(make_settings(data))
    platform.bus.send(CERTIFICATES_QUEUE, [OutgoingMessage.of_json({"x": 1}, message_id="m-1")])
    env = {**os.environ, "LMS_PROFILE": "embedded", "LMS_DATA_DIR": str(data)}

    def cli(*args: str, data_dir: Path = data) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "shared.cli", *args]
        return subprocess.run(
            command, cwd=ROOT, env={**env, "LMS_DATA_DIR": str(data_dir)}, capture_output=True, text=True
        )

    done = cli("backup", str(tmp_path / "b"))
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "b" / MANIFEST).read_text())["databases"]
    assert cli("backup", str(tmp_path / "b")).returncode == 2  # never into a folder holding something
    assert cli("restore", str(tmp_path / "b")).returncode == 2  # never over a data dir in use
    assert cli("restore", str(tmp_path), data_dir=tmp_path / "fresh").returncode == 2  # not a backup
    restored = cli("restore", str(tmp_path / "b"), data_dir=tmp_path / "fresh")
    assert restored.returncode == 0, restored.stderr
    again = bootstrap(make_settings(tmp_path / "fresh"))
    assert [m.message_id for m in again.bus.receive(CERTIFICATES_QUEUE)] == ["m-1"]


def test_a_manifest_naming_paths_outside_the_data_dir_is_refused(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / MANIFEST).write_text(json.dumps({"databases": [], "files": ["../../etc/passwd"]}))
    with pytest.raises(BackupError, match="not a path inside"):
        restore(tmp_path / "b", tmp_path / "data")
    assert not (tmp_path / "data").exists()
