"""The local worker of the embedded profile: what Azure's triggers do, in one thread.

It runs every context's jobs (``shared/platform/jobs.py``), as their specs declare them: bus
consumers, change-feed followers and periodic upkeep, plus the document store's purge of expired
documents. The same handler functions are what the ``functions/`` blueprints call in Azure.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Callable, Sequence

from shared.bootstrap import CONTEXTS, default_platform
from shared.observability import configure_logging
from shared.platform.jobs import BusConsumer, ChangeFeedFollower, Job, Upkeep
from shared.platform.runtime import Platform
from shared.telemetry import configure_telemetry

__all__ = ["LocalWorker", "bus_consumers", "change_feed_followers", "default_jobs"]

log = logging.getLogger("lms.worker")


def _purge_expired(platform: Platform) -> int:
    purge: Callable[[], int] | None = getattr(platform.documents, "purge_expired", None)
    return purge() if purge else 0


def bus_consumers() -> list[BusConsumer]:
    """Every context's bus consumers (the Service Bus triggers of Azure)."""
    return [consumer for spec in CONTEXTS for consumer in spec.consumers]


def change_feed_followers() -> list[ChangeFeedFollower]:
    """Every context's change-feed followers (the Cosmos DB triggers of Azure); each name is its checkpoint."""
    return [follower for spec in CONTEXTS for follower in spec.feeds]


def default_jobs() -> list[Job]:
    """Every job the embedded profile runs: the contexts' consumers, followers and upkeep, and the
    document store's own (expired documents are purged; Cosmos DB does that itself)."""
    return [
        *bus_consumers(),
        *change_feed_followers(),
        Upkeep("purge-expired-documents", _purge_expired),
        *(task for spec in CONTEXTS for task in spec.upkeep()),
    ]


class LocalWorker:
    def __init__(self, platform: Platform, jobs: list[Job], *, idle_seconds: float = 0.5) -> None:
        self._platform = platform
        self._jobs = jobs
        self._idle = idle_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_until_idle(self, max_rounds: int = 1000) -> int:
        """Run every job until a round handles nothing (used by tests); return items handled."""
        total = 0
        for _ in range(max_rounds):
            handled = sum(self._run_job(job) for job in self._jobs)
            total += handled
            if handled == 0:
                break
        return total

    def _run_job(self, job: Job) -> int:
        try:
            return job.run_once(self._platform)
        except Exception:
            log.exception("job failed, will retry", extra={"job": job.name})
            return 0

    def _loop(self) -> None:
        while not self._stop.is_set():
            handled = sum(self._run_job(job) for job in self._jobs)
            if handled == 0:
                self._stop.wait(self._idle)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="lms-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_forever(self) -> None:
        """Run in the calling thread until interrupted (the transcoder container's loop)."""
        try:
            self._loop()
        except KeyboardInterrupt:
            self._stop.set()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m shared.worker --entity transcode [--until-idle]``: consume bus entities in this
    process, forever or (``--until-idle``, an execution of the transcoder job) until nothing is left."""
    parser = argparse.ArgumentParser(prog="python -m shared.worker")
    parser.add_argument("--entity", action="append", required=True, help="queue or subscription path (repeatable)")
    parser.add_argument("--until-idle", action="store_true", help="exit 0 once a round receives nothing")
    args = parser.parse_args(argv)
    consumers = [c for c in bus_consumers() if c.entity in args.entity]
    missing = set(args.entity) - {c.entity for c in consumers}
    if missing:
        print(f"no handler consumes {', '.join(sorted(missing))}", file=sys.stderr)
        return 2
    configure_logging()
    configure_telemetry()  # as function_app.py does: only where APPLICATIONINSIGHTS_CONNECTION_STRING is set
    worker = LocalWorker(default_platform(), list(consumers))
    if args.until_idle:
        handled = worker.run_until_idle()
        log.info("nothing left to receive", extra={"entities": args.entity, "handled": handled})
        return 0
    worker.run_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
