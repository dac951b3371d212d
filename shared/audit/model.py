"""Audit entries."""

from __future__ import annotations

from typing import Any

from shared.kernel import OutputModel

__all__ = ["AUDIT", "AuditEntry"]

AUDIT = "audit"


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
