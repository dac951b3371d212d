"""The shapes of the privacy context: a user's personal data export."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from shared.kernel import OutputModel

__all__ = ["UserExport"]


class UserExport(OutputModel):
    """Everything the platform holds about one user (GDPR Art. 15 and 20), as machine-readable JSON."""

    format: Literal["lms-personal-data/1"] = "lms-personal-data/1"
    tenantId: str
    userId: str
    exportedAt: str
    data: dict[str, dict[str, Any]] = Field(
        description="per context (profile, enrollment, learning, assessment, credentials, notifications, media, "
        "catalog, audit, ...): the documents that are the user's own in full, and `mentions`: the id, type and "
        "fields of other documents that name the user (a course they wrote, an essay they graded)"
    )
