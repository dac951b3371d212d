"""Thin Azure trigger bindings (Service Bus, blob, Cosmos change feed, timer).

Each context with triggers adds one blueprint module here and lists it in
``BLUEPRINTS``; ``function_app.py`` registers them all. A trigger decodes its
message, calls one handler of its context, and lets failures raise so the
platform retries and dead-letters. HTTP routes never live in a blueprint (the
ASGI catch-all would shadow them).
"""

from __future__ import annotations

import azure.functions as func

from functions import (
    assessment,
    billing,
    credentials,
    discovery,
    enrollment,
    learning,
    media,
    notifications,
    placement,
    reporting,
    retention,
)

__all__ = ["BLUEPRINTS"]

BLUEPRINTS: list[func.Blueprint] = [
    discovery.bp,
    enrollment.bp,
    learning.bp,
    assessment.bp,
    media.bp,
    notifications.bp,
    credentials.bp,
    reporting.bp,
    billing.bp,
    placement.bp,
    retention.bp,
]
