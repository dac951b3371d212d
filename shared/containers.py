"""Every document container the platform uses, with the orderings its queries need.

Contexts declare their containers in their ``model.py``; this list gathers them for the
places that must know them all: the Cosmos adapter creating containers on an emulator,
and ``infra/cosmos-containers.json``, which the Bicep loads, so Azure gets the same
containers and composite indexes (a test keeps the file equal to this list).
"""

from __future__ import annotations

import json
from typing import Any

from shared.assessment.model import ATTEMPTS_CONTAINER, BANKS_CONTAINER
from shared.audit.model import AUDIT_CONTAINER
from shared.billing.model import USAGE_CONTAINER
from shared.catalog.model import COURSES_CONTAINER, PATHS_CONTAINER
from shared.credentials.model import CERTIFICATE_CODES_CONTAINER, CERTIFICATES_CONTAINER
from shared.enrollment.model import ENROLLMENTS_CONTAINER
from shared.learning.model import PROGRESS_CONTAINER
from shared.media.model import MEDIA_CONTAINER
from shared.notifications.model import NOTIFICATIONS_CONTAINER
from shared.platform._cosmos_query import indexing_policy
from shared.platform.documents import ContainerSpec
from shared.platform.topology import LEASES
from shared.question_drafts.model import QUESTION_DRAFTS_CONTAINER
from shared.reporting.model import REPORTS_CONTAINER
from shared.tenancy.model import TENANTS_CONTAINER, USERS_CONTAINER

__all__ = ["DOCUMENT_CONTAINERS", "cosmos_containers", "cosmos_containers_json"]

DOCUMENT_CONTAINERS: tuple[ContainerSpec, ...] = (
    TENANTS_CONTAINER,
    USERS_CONTAINER,
    AUDIT_CONTAINER,
    COURSES_CONTAINER,
    PATHS_CONTAINER,
    ENROLLMENTS_CONTAINER,
    PROGRESS_CONTAINER,
    MEDIA_CONTAINER,
    BANKS_CONTAINER,
    ATTEMPTS_CONTAINER,
    QUESTION_DRAFTS_CONTAINER,
    CERTIFICATES_CONTAINER,
    CERTIFICATE_CODES_CONTAINER,
    NOTIFICATIONS_CONTAINER,
    USAGE_CONTAINER,
    REPORTS_CONTAINER,
    ContainerSpec(LEASES),
)


def cosmos_containers() -> list[dict[str, Any]]:
    """Each container's name and Cosmos DB indexing policy, as the Bicep provisions them."""
    return [{"name": c.name, "indexingPolicy": indexing_policy(c.orderings)} for c in DOCUMENT_CONTAINERS]


def cosmos_containers_json() -> str:
    """``cosmos_containers()`` as the text of infra/cosmos-containers.json."""
    return json.dumps(cosmos_containers(), indent=2) + "\n"
