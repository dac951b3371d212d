"""Application Insights through OpenTelemetry, when the app runs where it is configured.

``configure_telemetry`` does nothing unless ``APPLICATIONINSIGHTS_CONNECTION_STRING`` is
set (Azure sets it; the embedded profile and tests do not). Spans and log records carry
the request's correlation id and tenant id.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Span, SpanProcessor

from shared.observability import ContextFilter, correlation_id, tenant_id

__all__ = ["ContextSpanProcessor", "configure_telemetry"]

CONNECTION_STRING = "APPLICATIONINSIGHTS_CONNECTION_STRING"


class ContextSpanProcessor(SpanProcessor):
    """Stamps every span that starts inside a request with its correlation and tenant ids."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        for attribute, var in (("lms.correlation_id", correlation_id), ("lms.tenant_id", tenant_id)):
            value = var.get()
            if value:
                span.set_attribute(attribute, value)


def configure_telemetry(environ: dict[str, str] | None = None) -> bool:
    """Send traces, logs and metrics to Application Insights if a connection string is set.
    Authenticates with the app's managed identity. Returns whether it was configured."""
    env = os.environ if environ is None else environ
    if not env.get(CONNECTION_STRING):
        return False
    from azure.monitor.opentelemetry import configure_azure_monitor

    from shared.platform._azure_identity import azure_credential

    options: dict[str, Any] = {"span_processors": [ContextSpanProcessor()]}
    if env.get("AZURE_CLIENT_ID") or env.get("APPLICATIONINSIGHTS_AUTHENTICATION_STRING"):
        options["credential"] = azure_credential(env)
    configure_azure_monitor(connection_string=env[CONNECTION_STRING], **options)
    for handler in logging.getLogger().handlers:
        handler.addFilter(ContextFilter())
    return True
