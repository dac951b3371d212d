"""Audit entries."""

from __future__ import annotations

from typing import Any

from shared.kernel import OutputModel
from shared.platform.documents import ContainerSpec, Order

__all__ = ["AUDIT", "AUDIT_CONTAINER", "NEWEST_FIRST", "AuditEntry"]

AUDIT = "audit"
NEWEST_FIRST = (Order("at", descending=True), Order("id", descending=True))
AUDIT_CONTAINER = ContainerSpec(AUDIT, orderings=(NEWEST_FIRST,))


class AuditEntry(OutputModel):
    id: str
    at: str
    actorId: str
    actorRoles: list[str]
    action: str
    subjectType: str
    subjectId: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str | None = None
    correlationId: str | None = None
