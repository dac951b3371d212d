"""The search index port: full-text search that is always scoped to one tenant.

``search`` takes the tenant id as a required argument and every adapter adds the
tenant filter itself; there is no way to search across tenants through this port.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SearchHit", "SearchIndex", "SearchIndexDefinition", "SearchResults"]

FilterValue = str | int | bool | Sequence[str]


@dataclass(frozen=True)
class SearchIndexDefinition:
    """Fields of an index. Every document has ``key_field`` and ``tenantId``;
    ``searchable`` fields are full-text (strings or lists of strings), ``filterable``
    fields take equality filters (a list-valued field matches if it contains the value)."""

    name: str
    searchable: tuple[str, ...]
    filterable: tuple[str, ...] = ()
    key_field: str = "id"


@dataclass(frozen=True)
class SearchHit:
    document: dict[str, Any]
    score: float
    highlights: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchResults:
    hits: list[SearchHit]
    total: int


class SearchIndex(ABC):
    @abstractmethod
    def ensure_index(self, definition: SearchIndexDefinition) -> None:
        """Create the index if missing (idempotent)."""

    @abstractmethod
    def upsert(self, index: str, documents: Sequence[Mapping[str, Any]]) -> None:
        """Add or replace documents (each carries its key and ``tenantId``)."""

    @abstractmethod
    def delete(self, index: str, tenant_id: str, keys: Sequence[str]) -> None:
        """Remove documents of one tenant by key; unknown keys are ignored."""

    @abstractmethod
    def search(
        self,
        index: str,
        tenant_id: str,
        text: str,
        *,
        filters: Mapping[str, FilterValue] | None = None,
        top: int = 10,
        skip: int = 0,
        highlight_fields: Sequence[str] = (),
    ) -> SearchResults:
        """Documents of ``tenant_id`` matching ``text`` (all words, any searchable field,
        prefix match on the last word), best first. Highlights wrap hits in <em></em>."""

    def ping(self) -> None:  # noqa: B027 - optional readiness hook
        """Raise ``Unavailable`` if the index cannot be reached."""
