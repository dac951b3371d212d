"""Every process that counts usage flushes its own counts.

On Flex Consumption each non-HTTP function scales on instances of its own: a timer that flushes
"the" meter runs on an instance that never served the counted requests, the request units a trigger
instance spends are never flushed by anyone else, and what an instance counted since its last flush
dies with it at scale-in. So each process keeps a background flush of its own meter (requests and
request units) every ``FLUSH_EVERY_SECONDS``, and flushes once more when it shuts down (normal exit
or SIGTERM, which is how the host and Container Apps stop a process). A flush is idempotent (a meter
batch carries cumulative readings and its sequence), so overlapping with the request path's flush or
the local worker's upkeep counts nothing twice.
"""

from __future__ import annotations

import atexit
import logging
import signal
import threading
from types import FrameType
from typing import Any

from shared.billing.handlers import FLUSH_EVERY_SECONDS
from shared.billing.service import flush_usage_after_request
from shared.platform.runtime import Platform

__all__ = ["UsageFlusher"]

log = logging.getLogger("lms.billing")


class UsageFlusher:
    """A daemon thread flushing ``platform``'s usage meter every ``every`` seconds, and at exit."""

    def __init__(self, platform: Platform, every: float = FLUSH_EVERY_SECONDS) -> None:
        self._platform = platform
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="usage-flusher", daemon=True)

    def start(self) -> UsageFlusher:
        self._thread.start()
        atexit.register(self.stop)
        _flush_on_sigterm(self)
        return self

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            flush_usage_after_request(self._platform)

    def stop(self) -> None:
        """Stop the thread and flush what is left (safe to call more than once)."""
        if self._stop.is_set():
            return
        self._stop.set()
        flush_usage_after_request(self._platform)


def _flush_on_sigterm(flusher: UsageFlusher) -> None:
    """Flush before the process goes on SIGTERM, then do what was done before (the previous handler,
    or the default: exit). Only the main thread may set a handler; elsewhere atexit has to do."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)

    def on_sigterm(signum: int, frame: FrameType | None) -> Any:
        flusher.stop()
        if callable(previous):
            return previous(signum, frame)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.raise_signal(signal.SIGTERM)
        return None

    try:
        signal.signal(signal.SIGTERM, on_sigterm)
    except ValueError:  # not the main interpreter
        log.debug("no SIGTERM flush here; atexit flushes")
