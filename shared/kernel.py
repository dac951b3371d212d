"""Model pieces every context shares: strict input models, id patterns, paging."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

__all__ = [
    "EMAIL_PATTERN",
    "RESOURCE_ID_PATTERN",
    "TENANT_ID_PATTERN",
    "USER_ID_PATTERN",
    "Email",
    "HttpsUrl",
    "InputModel",
    "OutputModel",
    "Paged",
    "PatchModel",
    "Reason",
    "ResourceId",
    "ShortText",
    "TenantId",
    "UserId",
]

TENANT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$"
USER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$"
RESOURCE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,63}$"

T = TypeVar("T")


class InputModel(BaseModel):
    """Request bodies: unknown fields are refused, strings trimmed, and NaN or infinity refused in
    every float (Python's JSON parser accepts them, and ``max(0.0, nan)`` is 0.0: a NaN position
    would pass every range check and count as watched from the start)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class PatchModel(InputModel):
    """A partial update: absent fields stay as they are, and null is refused except for
    the fields in ``NULLABLE`` (where it clears the value)."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _no_null_for_required_values(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(k for k, v in data.items() if v is None and k in cls.model_fields and k not in cls.NULLABLE)
            if nulls:
                raise ValueError(f"these fields cannot be null: {', '.join(nulls)}")
        return data


class OutputModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Paged(OutputModel, Generic[T]):
    """One page of a list; pass ``continuation`` back to get the next page."""

    items: list[T]
    continuation: str | None = None


ShortText = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s]{1,2040}$", max_length=2048)]
Email = Annotated[str, StringConstraints(pattern=EMAIL_PATTERN, max_length=254, to_lower=True)]
TenantId = Annotated[str, StringConstraints(pattern=TENANT_ID_PATTERN)]
UserId = Annotated[str, StringConstraints(pattern=USER_ID_PATTERN)]
ResourceId = Annotated[str, StringConstraints(pattern=RESOURCE_ID_PATTERN)]
