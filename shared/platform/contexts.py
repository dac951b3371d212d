"""The manifest of a bounded context: everything the composition root wires for it, in one place.

Each context's ``__init__.py`` exports one ``ContextSpec``; ``shared/bootstrap.py`` lists the specs
once (``CONTEXTS``) and everything that must know every context is derived from that list: the HTTP
app's routers (and, on the embedded profile only, the embedded routers), the document containers
(and so ``infra/cosmos-containers.json``), the local worker's bus consumers, change-feed followers
and upkeep tasks, the Azure trigger blueprints of ``functions/``, and the contributors to GDPR
export, erasure and retention. A new context is one folder and one line in ``CONTEXTS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter

from shared.platform.documents import ContainerSpec
from shared.platform.jobs import BusConsumer, ChangeFeedFollower, Upkeep
from shared.platform.personal_data import PersonalData

__all__ = ["ContextSpec"]


@dataclass(frozen=True)
class ContextSpec:
    """What one context brings to the platform.

    ``embedded_router`` holds routes that exist only on the embedded profile (the dev sign-in): the
    app mounts it there and nowhere else, so on the azure profile its paths answer 404 and are absent
    from the OpenAPI document.
    ``upkeep`` builds the context's periodic tasks (fresh ones for each worker: a task may keep state,
    such as when it last ran). ``triggers`` names the modules of ``functions/`` holding the context's
    Azure trigger blueprints (``bp``): the blueprints sit above the application (they
    import it), so the spec names the module and only ``functions/__init__.py`` imports it."""

    name: str
    router: APIRouter | None = None
    embedded_router: APIRouter | None = None
    containers: tuple[ContainerSpec, ...] = ()
    consumers: tuple[BusConsumer, ...] = ()
    feeds: tuple[ChangeFeedFollower, ...] = ()
    upkeep: Callable[[], tuple[Upkeep, ...]] = tuple
    triggers: tuple[str, ...] = ()
    personal_data: PersonalData | None = None
