"""Audit entries."""

from __future__ import annotations

from typing import Any

from shared.kernel import OutputModel
from shared.platform.documents import TENANT_THEN_ID_KEY, ContainerSpec, Order
from shared.platform.stored import StoredDocument

__all__ = ["AUDIT", "AUDIT_CONTAINER", "NEWEST_FIRST", "AuditEntry", "AuditRecord"]

AUDIT = "audit"
NEWEST_FIRST = (Order("at", descending=True), Order("id", descending=True))
# The audit log grows with every audited action: keyed by tenant then id.
AUDIT_CONTAINER = ContainerSpec(
    AUDIT,
    orderings=(NEWEST_FIRST,),
    filters=("action", "subjectType", "subjectId", "at"),
    partition_key=TENANT_THEN_ID_KEY,
)


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


class AuditRecord(StoredDocument):
    """An entry as stored in the ``audit`` container (no ``type``: the container holds entries only).
    ``before`` and ``after`` are free-form: whatever the audited change was."""

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

    def entry(self) -> AuditEntry:
        return AuditEntry.model_validate(self.model_dump())
