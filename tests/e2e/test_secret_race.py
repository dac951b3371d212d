"""Secrets generated on first use: two new processes that need the same secret at the same moment
end up with one value between them (the document store's create decides who generates), and a
claim whose process died is taken over."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from shared.bootstrap import bootstrap
from shared.platform.clock import ManualClock
from shared.platform.secrets import CLAIMS_CONTAINER, CLAIMS_PARTITION, ensure_secret
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
# Generating is slow on purpose, and slower in the second process, so that without an arbiter the
# first would store and read its value before the second stored another one over it.
NEEDER = """
import secrets, sys, time
from shared.bootstrap import bootstrap
from shared.platform.generated_secrets import generated_secret
from shared.settings import Settings
platform = bootstrap(Settings())
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))  # start together
def slow():
    time.sleep(float(sys.argv[2]))
    return secrets.token_urlsafe(32)
print(generated_secret(platform, "race-key", slow), flush=True)
"""


def test_two_new_processes_agree_on_one_generated_secret(tmp_path: Path) -> None:
    import time

    data_dir = tmp_path / "data"
    bootstrap(make_settings(data_dir))  # the stores exist before both processes open them
    env = {**os.environ, "LMS_DATA_DIR": str(data_dir), "LMS_PROFILE": "embedded", "PYTHONPATH": str(ROOT)}
    start = str(time.time() + 2.0)
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", NEEDER, start, generating], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        for generating in ("0.2", "1.0")
    ]
    values = [run.communicate(timeout=60)[0].strip() for run in runs]
    assert all(run.returncode == 0 for run in runs)
    assert values[0] == values[1] and len(values[0]) > 20
    assert bootstrap(make_settings(data_dir)).secrets.get("race-key") == values[0]


def test_a_claim_whose_process_died_is_taken_over(tmp_path: Path, clock: ManualClock) -> None:
    platform = bootstrap(make_settings(tmp_path / "data"), clock=clock)
    dead = {"id": "secret-claim.orphan-key", "tenantId": CLAIMS_PARTITION, "at": clock.now().isoformat()}
    platform.documents.create(CLAIMS_CONTAINER, CLAIMS_PARTITION, dead)  # claimed, never stored
    clock.advance(timedelta(seconds=61).total_seconds())
    value = ensure_secret(platform.secrets, "orphan-key", lambda: "fresh", claims=platform.documents, clock=clock)
    assert value == "fresh" == platform.secrets.get("orphan-key")
