"""Every document container the platform uses, as its queries declare it.

Contexts declare their containers in their ``model.py`` and name them in their spec; this list gathers them for the
places that must know them all: the document adapters (which check every query against its container's
declared indexes), the Cosmos adapter creating containers on an emulator, and ``infra/cosmos-containers.json``,
which the Bicep loads, so Azure gets the same containers, partition keys and indexing policies (a test keeps
the file equal to this list).
"""

from __future__ import annotations

import json
from typing import Any

from shared.bootstrap import document_containers
from shared.platform.documents import ContainerSpec
from shared.platform.indexing import indexing_policy

__all__ = ["DOCUMENT_CONTAINERS", "cosmos_containers", "cosmos_containers_json"]

DOCUMENT_CONTAINERS: tuple[ContainerSpec, ...] = document_containers()


def cosmos_containers() -> list[dict[str, Any]]:
    """Each container's name, partition key paths and Cosmos DB indexing policy, as the Bicep provisions them."""
    return [
        {
            "name": c.name,
            "partitionKeyPaths": [f"/{field}" for field in c.partition_key],
            "indexingPolicy": indexing_policy(c),
        }
        for c in DOCUMENT_CONTAINERS
    ]


def cosmos_containers_json() -> str:
    """``cosmos_containers()`` as the text of infra/cosmos-containers.json."""
    return json.dumps(cosmos_containers(), indent=2) + "\n"
