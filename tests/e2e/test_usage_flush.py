"""Every process flushes the usage it counted: two processes on one store count requests of one
tenant; one exits normally, the other is stopped with SIGTERM mid-sleep (as a host scales in), and
the tenant's month holds the sum, with no flush timer anywhere."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from shared.billing import service as billing
from shared.bootstrap import bootstrap
from shared.platform.tenancy import TenantContext
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
COUNTER = """
import sys, time
from shared.bootstrap import default_platform
platform = default_platform()
for _ in range(int(sys.argv[1])):
    platform.usage_meter.count_request("acme", platform.clock.now())
print("counted", flush=True)
if sys.argv[2] == "wait":
    time.sleep(60)
"""


def _counter(data_dir: Path, count: int, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "LMS_DATA_DIR": str(data_dir), "LMS_PROFILE": "embedded", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", COUNTER, str(count), mode], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )


def test_two_processes_each_flush_their_own_counts_at_exit_and_on_sigterm(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    bootstrap(make_settings(data_dir))  # the store exists before both processes open it
    exiting = _counter(data_dir, 7, "exit")
    stopped = _counter(data_dir, 5, "wait")
    assert exiting.wait(timeout=60) == 0
    assert stopped.stdout is not None and stopped.stdout.readline().strip() == "counted"
    time.sleep(0.2)
    stopped.send_signal(signal.SIGTERM)
    assert stopped.wait(timeout=60) == -signal.SIGTERM  # it still dies of SIGTERM, after flushing
    platform = bootstrap(make_settings(data_dir))
    report = billing.usage_report(platform, TenantContext(tenant_id="acme", user_id="test", roles=frozenset()), None)
    assert report.usage.apiRequests == 12
