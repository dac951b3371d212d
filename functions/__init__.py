"""Thin Azure trigger bindings (Service Bus, blob, Cosmos change feed, timer).

Each context with triggers has one blueprint module here, named by its spec in
``shared/bootstrap.py``'s ``CONTEXTS``; ``BLUEPRINTS`` gathers them and ``function_app.py``
registers them all. A trigger decodes its
message, calls one handler of its context, and lets failures raise so the
platform retries and dead-letters. HTTP routes never live in a blueprint (the
ASGI catch-all would shadow them).
"""

from __future__ import annotations

import importlib

import azure.functions as func

from shared.bootstrap import CONTEXTS

__all__ = ["BLUEPRINTS"]

# The platform's own trigger: the change feeds of tenants placed in dedicated databases.
PLATFORM_TRIGGERS = ("functions.placement",)

# Each context's blueprint, named by its spec (``triggers``), then the platform's.
BLUEPRINTS: list[func.Blueprint] = [
    importlib.import_module(module).bp
    for module in (*(module for spec in CONTEXTS for module in spec.triggers), *PLATFORM_TRIGGERS)
]
