"""``python -m shared.worker`` as the transcoder job runs it (``--until-idle``: drain, then exit), with
the telemetry the Functions app has, and handlers that log under the id of what they handle."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from shared import worker
from shared.catalog.model import COURSES
from shared.media.model import TRANSCODE_QUEUE
from shared.observability import correlation_id
from shared.platform.bus import OutgoingMessage, ReceivedMessage
from shared.platform.documents import Document
from shared.platform.runtime import Platform
from shared.platform.topology import CERTIFICATES_QUEUE
from shared.telemetry import ContextSpanProcessor

TRANSCODE = ["--entity", TRANSCODE_QUEUE, "--until-idle"]


@pytest.fixture
def process(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``main`` on the test's platform, without the process-wide JSON log handler, and with the root
    handlers' filters as they were afterwards (telemetry adds one to each)."""
    monkeypatch.setattr(worker, "default_platform", lambda: platform)
    monkeypatch.setattr(worker, "configure_logging", lambda: None)
    for name in (
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "AZURE_CLIENT_ID",
    ):
        monkeypatch.delenv(name, raising=False)
    handlers = logging.getLogger().handlers
    filters = {handler: list(handler.filters) for handler in handlers}
    yield
    for handler, kept in filters.items():
        handler.filters[:] = kept


def queue_transcode(platform: Platform, message_id: str, body: bytes) -> None:
    platform.bus.send(TRANSCODE_QUEUE, [OutgoingMessage(body=body, message_id=message_id)])


@pytest.mark.usefixtures("process")
def test_an_execution_handles_every_queued_transcode_then_exits_with_success(platform: Platform) -> None:
    # Jobs whose asset is gone: the handler settles them without running ffmpeg.
    for n in range(3):
        queue_transcode(platform, f"transcode-gone-{n}", b'{"tenantId": "acme", "assetId": "gone-%d"}' % n)

    assert worker.main(TRANSCODE) == 0
    assert platform.bus.receive(TRANSCODE_QUEUE, max_messages=10) == []


@pytest.mark.usefixtures("process")
def test_an_execution_on_an_empty_queue_exits_at_once_with_success(platform: Platform) -> None:
    assert worker.main(TRANSCODE) == 0


@pytest.mark.usefixtures("process")
def test_a_transcode_that_fails_is_left_on_the_queue_for_the_next_execution(platform: Platform) -> None:
    queue_transcode(platform, "transcode-broken", b"not json")

    assert worker.main(TRANSCODE) == 0
    (again,) = platform.bus.receive(TRANSCODE_QUEUE, max_messages=10)
    assert again.message_id == "transcode-broken" and again.delivery_count == 2


@pytest.mark.usefixtures("process")
def test_an_entity_without_a_consumer_is_refused(platform: Platform, capsys: pytest.CaptureFixture[str]) -> None:
    assert worker.main(["--entity", "no-such-queue", "--until-idle"]) == 2
    assert "no handler consumes no-such-queue" in capsys.readouterr().err


@pytest.mark.usefixtures("process")
def test_with_an_application_insights_connection_string_the_worker_sends_telemetry_there(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    import azure.monitor.opentelemetry

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(azure.monitor.opentelemetry, "configure_azure_monitor", lambda **kw: calls.append(kw))
    monkeypatch.setenv(
        "APPLICATIONINSIGHTS_CONNECTION_STRING", "InstrumentationKey=00000000-0000-0000-0000-0000000000aa"
    )

    assert worker.main(TRANSCODE) == 0
    (call,) = calls
    assert call["connection_string"] == "InstrumentationKey=00000000-0000-0000-0000-0000000000aa"
    assert any(isinstance(p, ContextSpanProcessor) for p in call["span_processors"])


@pytest.mark.usefixtures("process")
def test_without_a_connection_string_the_worker_sends_no_telemetry(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    import azure.monitor.opentelemetry

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(azure.monitor.opentelemetry, "configure_azure_monitor", lambda **kw: calls.append(kw))

    assert worker.main(TRANSCODE) == 0
    assert calls == []


def test_a_message_handler_runs_under_the_message_correlation_id_or_else_its_id(platform: Platform) -> None:
    seen: list[str | None] = []

    def handler(_: Platform, message: ReceivedMessage) -> None:
        seen.append(correlation_id.get())

    platform.bus.send(
        CERTIFICATES_QUEUE,
        [
            OutgoingMessage(body=b"{}", message_id="m-1"),
            OutgoingMessage(body=b"{}", message_id="m-2", properties={"correlationId": "req-42"}),
        ],
    )
    assert worker.BusConsumer("probe", CERTIFICATES_QUEUE, handler).run_once(platform) == 2
    assert sorted(map(str, seen)) == ["m-1", "req-42"]
    assert correlation_id.get() is None


def test_a_change_feed_handler_runs_under_the_changed_document_id(platform: Platform) -> None:
    seen: list[str | None] = []

    def handler(_: Platform, doc: Document) -> None:
        seen.append(correlation_id.get())

    platform.documents.create(COURSES, "acme", {"id": "course-1", "tenantId": "acme"})
    assert worker.ChangeFeedFollower("probe-feed", COURSES, handler).run_once(platform) == 1
    assert seen == [f"{COURSES}/course-1"]
    assert correlation_id.get() is None
