"""`make run` feeds the course index: its worker follows the catalog's change feed, so the
seeded demo course becomes findable without anyone calling the index."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_local_runtime import _token_after, local_runtime

pytestmark = pytest.mark.slow


def test_the_local_worker_indexes_the_seeded_demo_course_for_search(tmp_path: Path) -> None:
    with local_runtime(tmp_path / "data") as (base, lines):
        learner = {"Authorization": f"Bearer {_token_after(lines, 'Learner')}"}
        deadline = time.monotonic() + 20
        while True:
            found = httpx.get(f"{base}/api/v1/search", params={"q": "handbook"}, headers=learner, timeout=5).json()
            if found["total"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert [item["id"] for item in found["items"]] == ["getting-started"]
        assert found["items"][0]["highlights"]["lessonTitles"] == ["The learner <em>handbook</em>"]
