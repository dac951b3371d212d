"""A transcoder killed mid-transcode: the next worker process takes the message back at once (the
dead process's lock on the embedded bus is released, not waited out) and finishes the same asset.
In Azure the same crash waits out a 60 s lock (renewed every 20 s while ffmpeg runs), not five
minutes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import bootstrap
from shared.media.model import MEDIA, TRANSCODE_QUEUE
from shared.platform.runtime import Platform
from shared.platform.topology import QUEUES
from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.conftest import make_settings
from tests.factories import published_course
from tests.media_clips import make_clip, needs_ffmpeg, upload_clip

pytestmark = needs_ffmpeg

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def platform(data_dir: Path) -> Platform:
    # The real clock: the worker processes keep time with it, and a lock's expiry is real time here.
    return bootstrap(make_settings(data_dir))


def _transcoder(data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LMS_PROFILE": "embedded", "LMS_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "shared.worker", "--entity", TRANSCODE_QUEUE, "--until-idle"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _status(client: TestClient, lesson: str, headers: dict[str, str]) -> str:
    return str(client.get(f"{lesson}/video", headers=headers).json()["status"])


def test_a_worker_killed_mid_transcode_is_replaced_at_once_and_the_asset_is_made_once(
    client: TestClient, platform: Platform, make_tenant, data_dir: Path, tmp_path: Path
) -> None:
    tenant = make_tenant()
    instructor = tenant.as_(Role.INSTRUCTOR)
    course = published_course(client, tenant)
    lesson = f"/api/v1/courses/{course['id']}/lessons/intro"
    clip = make_clip(tmp_path / "talk.mp4", seconds=40, width=1280, height=720)
    upload_clip(client, lesson, clip, instructor)
    # The function app's part: validate the upload and queue its transcode.
    LocalWorker(platform, [j for j in default_jobs() if getattr(j, "entity", None) != TRANSCODE_QUEUE]).run_until_idle()
    assert _status(client, lesson, instructor) == "queued"

    first = _transcoder(data_dir)
    deadline = time.monotonic() + 60
    while _status(client, lesson, instructor) != "processing":
        assert first.poll() is None, first.stderr.read().decode() if first.stderr else ""
        assert time.monotonic() < deadline, "the transcode never started"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)

    # The dead worker's lock is still live: only its release, not its expiry, lets the next one in.
    with sqlite3.connect(data_dir / "bus.sqlite3") as bus:
        (locked_until, delivered) = bus.execute(
            "SELECT locked_until, delivery_count FROM messages WHERE entity = ?", (TRANSCODE_QUEUE,)
        ).fetchone()
    assert delivered == 1 and locked_until > time.time() + QUEUES[TRANSCODE_QUEUE].lock_seconds / 3

    second = _transcoder(data_dir)
    _, errors = second.communicate(timeout=300)
    assert second.returncode == 0, errors.decode()
    video = client.get(f"{lesson}/video", headers=instructor).json()
    assert video["status"] == "ready", video
    with sqlite3.connect(data_dir / "documents.sqlite3") as documents:
        assets = documents.execute(
            "SELECT id FROM documents WHERE container = ? AND pk = ? AND id LIKE 'asset.%'", (MEDIA, tenant.id)
        ).fetchall()
    assert assets == [(f"asset.{video['assetId']}",)]  # one upload, one asset, made once
    assert platform.bus.receive(TRANSCODE_QUEUE) == []
