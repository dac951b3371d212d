"""Telemetry carries the request's correlation id and tenant id."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.observability import correlation_id, tenant_id
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
