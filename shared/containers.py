"""Every document container the platform uses, with the orderings its queries need.

Contexts declare their containers in their ``model.py`` and name them in their spec; this list gathers them for the
places that must know them all: the Cosmos adapter creating containers on an emulator,
and ``infra/cosmos-containers.json``, which the Bicep loads, so Azure gets the same
containers and composite indexes (a test keeps the file equal to this list).
"""

from __future__ import annotations

import json
from typing import Any

from shared.bootstrap import document_containers
from shared.platform._cosmos_query import indexing_policy
from shared.platform.documents import ContainerSpec

__all__ = ["DOCUMENT_CONTAINERS", "cosmos_containers", "cosmos_containers_json"]

DOCUMENT_CONTAINERS: tuple[ContainerSpec, ...] = document_containers()


def cosmos_containers() -> list[dict[str, Any]]:
    """Each container's name and Cosmos DB indexing policy, as the Bicep provisions them."""
    return [{"name": c.name, "indexingPolicy": indexing_policy(c.orderings)} for c in DOCUMENT_CONTAINERS]


def cosmos_containers_json() -> str:
    """``cosmos_containers()`` as the text of infra/cosmos-containers.json."""
    return json.dumps(cosmos_containers(), indent=2) + "\n"
