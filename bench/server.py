"""The platform as ``make run`` starts it (``shared.localrun.serve``: demo seed, local worker, uvicorn
on 127.0.0.1), with its document store wrapped to count operations, for the real-socket benchmark.

``python -m bench.server --port P`` with ``LMS_DATA_DIR`` set to a fresh folder. On SIGUSR1 it
writes the operations counted so far to ``<data dir>/store-counts.json`` (the benchmark reads
the difference around each scenario). Not part of the product; ``bench.http`` starts it.
"""

from __future__ import annotations

import argparse
import json
import signal
from dataclasses import replace
from types import FrameType

from shared.billing.flusher import UsageFlusher
from shared.bootstrap import bootstrap
from shared.localrun import serve
from shared.observability import configure_logging
from shared.settings import Settings
from tests.counting import CountingDocumentStore

COUNTS_FILE = "store-counts.json"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.server")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = Settings()
    configure_logging(settings.log_level)
    platform = bootstrap(settings)
    counting = CountingDocumentStore(platform.documents)
    platform = replace(platform, documents=counting)
    UsageFlusher(platform).start()  # as default_platform() does

    def dump(signum: int, frame: FrameType | None) -> None:
        counts = [[op, container, n] for (op, container), n in counting.calls.items()]
        path = settings.data_dir / COUNTS_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(counts))
        tmp.replace(path)

    signal.signal(signal.SIGUSR1, dump)
    serve(platform, args.port)


if __name__ == "__main__":
    main()
