"""Log lines go through a queue to a writer thread, still carrying what the emitting request knew;
correlation ids are cheap and unique."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from shared.http.middleware import _CID, new_correlation_id

SCRIPT = textwrap.dedent(
    """
    import logging, threading
    from shared.observability import configure_logging, correlated, tenant_id
    configure_logging()
    configure_logging()  # idempotent: one handler, one line per record
    log = logging.getLogger("lms.test")
    with correlated("cid-1"):
        tenant_id.set("acme")
        log.info("hello %s", "world", extra={"path": "/api/x"})
        try:
            1 / 0
        except ZeroDivisionError:
            log.exception("boom")
    print(threading.current_thread().name, file=__import__("sys").stdout)
    """
)


def test_queued_log_lines_keep_the_request_context_message_extras_and_traceback() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True)
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert [line["message"] for line in lines] == ["hello world", "boom"]
    hello, boom = lines
    assert (hello["correlationId"], hello["tenantId"], hello["path"], hello["logger"]) == (
        "cid-1",
        "acme",
        "/api/x",
        "lms.test",
    )
    assert boom["correlationId"] == "cid-1"
    assert "ZeroDivisionError" in boom["exception"]


def test_generated_correlation_ids_are_unique_and_well_formed() -> None:
    ids = [new_correlation_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert all(_CID.match(cid) for cid in ids)
    assert len({cid[:12] for cid in ids}) == 1  # one process, one prefix; the number tells them apart
