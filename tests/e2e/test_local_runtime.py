"""`make run` as a user runs it: the embedded platform on a port, seeded, with tokens."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def local_runtime(data_dir: Path) -> Iterator[tuple[str, list[str]]]:
    port = _free_port()
    env = {**os.environ, "LMS_DATA_DIR": str(data_dir), "LMS_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "shared.localrun", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("API on"):
                break
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base, lines
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _token_after(lines: list[str], label: str) -> str:
    text = "".join(lines)
    match = re.search(rf"{label} \([^)]*\):\s+(\S+)", text)
    assert match, f"no {label} token printed"
    return match.group(1)


def test_the_local_runtime_serves_the_seeded_demo_tenant_with_printed_tokens(tmp_path: Path) -> None:
    with local_runtime(tmp_path / "data") as (base, lines):
        admin = {"Authorization": f"Bearer {_token_after(lines, 'TenantAdmin')}"}
        me = httpx.get(f"{base}/api/v1/me", headers=admin, timeout=5).json()
        assert (me["tenantId"], me["roles"], me["registered"]) == ("demo", ["TenantAdmin"], True)
        users = httpx.get(f"{base}/api/v1/users", headers=admin, timeout=5).json()["items"]
        assert {u["id"] for u in users} == {"admin", "instructor", "learner", "support"}
        assert httpx.get(f"{base}/api/ready", timeout=5).status_code == 200
        created = httpx.post(
            f"{base}/api/v1/users",
            json={"email": "kept@example.com", "displayName": "Kept"},
            headers=admin,
            timeout=5,
        )
        assert created.status_code == 201
        learner = {"Authorization": f"Bearer {_token_after(lines, 'Learner')}"}
        catalog = httpx.get(f"{base}/api/v1/courses", headers=learner, timeout=5).json()["items"]
        assert [c["id"] for c in catalog] == ["getting-started"]
        course = httpx.get(f"{base}/api/v1/courses/getting-started", headers=learner, timeout=5).json()
        kinds = [lesson["kind"] for lesson in course["outline"]["modules"][0]["lessons"]]
        assert (course["version"], kinds) == (1, ["video", "text", "quiz"])


def test_data_and_keys_survive_a_restart_and_seeding_is_idempotent(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with local_runtime(data) as (_, lines):
        old_token = _token_after(lines, "TenantAdmin")
    with local_runtime(data) as (base, _):
        admin = {"Authorization": f"Bearer {old_token}"}
        users = httpx.get(f"{base}/api/v1/users", headers=admin, timeout=5)
        assert users.status_code == 200  # the dev issuer kept its key
        assert len(users.json()["items"]) == 4  # seeding twice made no duplicates
        staff = httpx.get(f"{base}/api/v1/courses", headers=admin, timeout=5).json()["items"]
        assert [(c["id"], c["latestVersion"]) for c in staff] == [("getting-started", 1)]
