"""Telemetry carries the request's correlation id and tenant id."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.observability import ContextFilter, correlation_id, tenant_id
from shared.telemetry import ContextSpanProcessor, configure_telemetry


def test_spans_started_in_a_request_carry_its_correlation_and_tenant_ids() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(ContextSpanProcessor())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    cid, tid = correlation_id.set("corr-1"), tenant_id.set("acme")
    try:
        with provider.get_tracer("test").start_as_current_span("cosmos read"):
            pass
    finally:
        correlation_id.reset(cid)
        tenant_id.reset(tid)
    with provider.get_tracer("test").start_as_current_span("outside"):
        pass
    inside, outside = exporter.get_finished_spans()
    assert inside.attributes == {"lms.correlation_id": "corr-1", "lms.tenant_id": "acme"}
    assert dict(outside.attributes or {}) == {}


def test_telemetry_stays_off_without_a_connection_string() -> None:
    assert configure_telemetry({}) is False


@pytest.fixture
def azure_monitor(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Records what ``configure_azure_monitor`` is called with (nothing is sent); the root log handlers'
    filters are put back afterwards."""
    import azure.monitor.opentelemetry

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(azure.monitor.opentelemetry, "configure_azure_monitor", lambda **kw: calls.append(kw))
    filters = {handler: list(handler.filters) for handler in logging.getLogger().handlers}
    yield calls
    for handler, kept in filters.items():
        handler.filters[:] = kept


CONNECTION = "InstrumentationKey=00000000-0000-0000-0000-0000000000aa;IngestionEndpoint=https://example.invalid/"


def test_with_a_connection_string_azure_monitor_gets_it_and_spans_get_the_request_ids(
    azure_monitor: list[dict[str, Any]],
) -> None:
    assert configure_telemetry({"APPLICATIONINSIGHTS_CONNECTION_STRING": CONNECTION}) is True

    (call,) = azure_monitor
    assert call["connection_string"] == CONNECTION
    assert "credential" not in call  # no identity configured: the connection string's key authenticates
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    for processor in call["span_processors"]:
        provider.add_span_processor(processor)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    cid, tid = correlation_id.set("corr-9"), tenant_id.set("globex")
    try:
        with provider.get_tracer("test").start_as_current_span("blob write"):
            pass
    finally:
        correlation_id.reset(cid)
        tenant_id.reset(tid)
    (span,) = exporter.get_finished_spans()
    assert span.attributes == {"lms.correlation_id": "corr-9", "lms.tenant_id": "globex"}


def test_with_a_managed_identity_telemetry_is_sent_with_its_credential(azure_monitor: list[dict[str, Any]]) -> None:
    from azure.identity import DefaultAzureCredential

    configure_telemetry({"APPLICATIONINSIGHTS_CONNECTION_STRING": CONNECTION, "AZURE_CLIENT_ID": "client-1"})

    (call,) = azure_monitor
    assert isinstance(call["credential"], DefaultAzureCredential)


def test_with_a_connection_string_log_records_get_the_request_ids(azure_monitor: list[dict[str, Any]]) -> None:
    root, handler = logging.getLogger(), logging.StreamHandler()
    root.addHandler(handler)
    try:
        configure_telemetry({"APPLICATIONINSIGHTS_CONNECTION_STRING": CONNECTION})
    finally:
        root.removeHandler(handler)

    record = logging.LogRecord("lms", logging.INFO, __file__, 1, "graded", None, None)
    token = correlation_id.set("corr-3")
    try:
        assert all(f.filter(record) for f in handler.filters if isinstance(f, logging.Filter))
    finally:
        correlation_id.reset(token)
    assert any(isinstance(f, ContextFilter) for f in handler.filters)
    assert record.correlationId == "corr-3"
