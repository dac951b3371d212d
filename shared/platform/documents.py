"""The document store port: JSON documents in containers partitioned by tenant.

Every container is partitioned by tenant: a document's ``tenantId`` is its partition, and every
operation names the partition it works in (how an adapter keys it, by ``/tenantId`` alone or by
``/tenantId`` then ``/id``, its ``ContainerSpec`` says; the port's callers never see the difference). Adapters
(SQLite embedded, Cosmos DB) translate the typed ``Query`` themselves; callers never
write SQL. Documents come back with the system properties ``_etag`` (changes on every
write) and ``_ts`` (epoch seconds of the last write). A positive ``ttl`` (seconds)
makes a document expire that long after its last write.

Errors: ``NotFound`` for a missing (or expired, or other-tenant) document,
``Conflict`` when ``create`` meets an existing id, ``PreconditionFailed`` when an
``if_match`` ETag is stale, ``InvalidInput`` for a malformed document or query.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Literal

from shared.errors import InvalidInput

__all__ = [
    "ID_KEY",
    "PARTITION_FIELD",
    "TENANT_KEY",
    "TENANT_THEN_ID_KEY",
    "ChangePage",
    "ContainerSpec",
    "Document",
    "DocumentStore",
    "Filter",
    "Order",
    "Page",
    "Query",
    "decode_token",
    "encode_token",
    "validate_container_name",
    "validate_document",
    "validate_field_path",
]

Document = dict[str, Any]
PARTITION_FIELD = "tenantId"
SYSTEM_FIELDS = ("_etag", "_ts")

FilterOp = Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "contains", "starts_with", "exists"]
FILTER_OPS: frozenset[str] = frozenset({"eq", "ne", "lt", "le", "gt", "ge", "in", "contains", "starts_with", "exists"})

_FIELD_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,7}$")
_CONTAINER = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
MAX_ID_LENGTH = 255


@dataclass(frozen=True)
class Filter:
    """``field op value``. ``contains``: an array field holds ``value``; ``in``: the
    field equals one of ``value`` (a list); ``exists``: the field is present (value True)
    or absent (value False)."""

    field: str
    op: FilterOp
    value: Any = None


@dataclass(frozen=True)
class Order:
    field: str
    descending: bool = False


TENANT_KEY: tuple[str, ...] = (PARTITION_FIELD,)
# A hierarchical key: the tenant, then the document itself, so a tenant's documents spread over as
# many logical partitions as they need (Cosmos DB caps one at 20 GB) while every point operation,
# which knows the tenant and the id, still names its full key, and queries name the tenant prefix.
TENANT_THEN_ID_KEY: tuple[str, ...] = (PARTITION_FIELD, "id")
# The Functions Cosmos DB triggers require their lease container partitioned by /id.
ID_KEY: tuple[str, ...] = ("id",)


@dataclass(frozen=True)
class ContainerSpec:
    """A document container, declared by the queries its context runs on it; its Cosmos DB indexing
    policy is generated from this (``shared/platform/indexing.py``) and indexes nothing else.

    ``filters``: the field paths its queries compare (``eq``, ``in``, ``lt``, ``exists``, ...);
    ``arrays``: the array fields its queries test with ``contains``; ``orderings``: the ``order_by``
    tuples its queries use (each gets a composite index, since Cosmos DB serves an ORDER BY on more
    than one key only from one made for it, and its fields a range index). ``tenantId`` and ``id``
    need no declaring. ``partition_key``: the key's paths, ``(tenantId,)`` or a hierarchy under the
    tenant (``TENANT_THEN_ID_KEY``); the Cosmos DB adapter builds every operation's key from it.
    ``metered: False`` keeps the request units spent on it out of the tenant's usage (the platform's
    own bookkeeping)."""

    name: str
    orderings: tuple[tuple[Order, ...], ...] = ()
    filters: tuple[str, ...] = ()
    arrays: tuple[str, ...] = ()
    metered: bool = True
    partition_key: tuple[str, ...] = TENANT_KEY

    def __post_init__(self) -> None:
        validate_container_name(self.name)
        for path in (*self.filters, *self.arrays, *(o.field for ordering in self.orderings for o in ordering)):
            validate_field_path(path)
        if self.partition_key not in (TENANT_KEY, TENANT_THEN_ID_KEY, ID_KEY):
            raise ValueError(f"{self.name}: the partition key is /tenantId, /tenantId then /id, or /id")


@dataclass(frozen=True)
class Query:
    """A typed query. Results are ordered by ``order_by`` then by ``id``; ``continuation``
    is the opaque token of the previous page."""

    filters: tuple[Filter, ...] = ()
    order_by: tuple[Order, ...] = ()
    limit: int = 50
    continuation: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= 1000:
            raise InvalidInput("limit must be between 1 and 1000")
        for f in self.filters:
            validate_field_path(f.field)
            if f.op not in FILTER_OPS:
                raise InvalidInput(f"unknown filter operator {f.op!r}")
            if f.op == "in" and not isinstance(f.value, (list, tuple)):
                raise InvalidInput("the 'in' operator takes a list")
        for o in self.order_by:
            validate_field_path(o.field)


@dataclass(frozen=True)
class Page:
    items: list[Document]
    continuation: str | None = None


@dataclass(frozen=True)
class ChangePage:
    """Documents changed since the continuation, oldest change first, each in its latest
    version. ``continuation`` resumes after the last item (or where it was, if empty)."""

    items: list[Document] = field(default_factory=list)
    continuation: str = ""


def validate_field_path(path: str) -> str:
    if not isinstance(path, str) or not _FIELD_PATH.match(path):
        raise InvalidInput(f"invalid field path {path!r}")
    return path


def validate_container_name(name: str) -> str:
    if not isinstance(name, str) or not _CONTAINER.match(name):
        raise InvalidInput(f"invalid container name {name!r}")
    return name


def validate_document(doc: Document, partition_key: str) -> None:
    """A document must have a string id and carry the partition it is written to."""
    doc_id = doc.get("id")
    if not isinstance(doc_id, str) or not doc_id or len(doc_id) > MAX_ID_LENGTH:
        raise InvalidInput("a document needs a string 'id' of 1 to 255 characters")
    if any(c in doc_id for c in "/\\?#"):
        raise InvalidInput("a document id may not contain / \\ ? or #")
    if doc.get(PARTITION_FIELD) != partition_key:
        raise InvalidInput(f"the document's {PARTITION_FIELD} does not match its partition")
    ttl = doc.get("ttl")
    if ttl is not None and (not isinstance(ttl, int) or isinstance(ttl, bool) or ttl == 0 or ttl < -1):
        raise InvalidInput("ttl must be a positive number of seconds, or -1 for never")


class DocumentStore(ABC):
    """Point operations, typed queries and a change feed over partitioned containers."""

    @abstractmethod
    def read(self, container: str, partition_key: str, doc_id: str) -> Document:
        """The document, or ``NotFound``."""

    @abstractmethod
    def create(self, container: str, partition_key: str, doc: Document) -> Document:
        """Insert a new document; ``Conflict`` if the id exists in the partition."""

    @abstractmethod
    def upsert(self, container: str, partition_key: str, doc: Document, *, if_match: str | None = None) -> Document:
        """Insert or replace; with ``if_match`` the existing document must have that ETag."""

    @abstractmethod
    def replace(self, container: str, partition_key: str, doc: Document, *, if_match: str | None = None) -> Document:
        """Replace an existing document (``NotFound`` if absent), optionally only if its
        ETag is ``if_match`` (``PreconditionFailed`` otherwise)."""

    @abstractmethod
    def delete(self, container: str, partition_key: str, doc_id: str, *, if_match: str | None = None) -> None:
        """Delete a document; ``NotFound`` if absent, ``PreconditionFailed`` on a stale ETag."""

    @abstractmethod
    def query(self, container: str, query: Query, *, partition_key: str | None) -> Page:
        """One page of matching documents. ``partition_key=None`` is a cross-partition
        query, reserved for named platform-admin operations."""

    @abstractmethod
    def read_changes(
        self, container: str, continuation: str | None = None, *, max_items: int = 100, placement: str | None = None
    ) -> ChangePage:
        """The change feed of a container: documents created or updated after
        ``continuation`` (from the beginning when None), in write order. By default it
        follows every tenant wherever it is placed; ``placement`` names one database of
        the placement map (the shared one or a dedicated one) to follow that alone, for a
        reader that, like a Cosmos DB trigger, watches one database at a time."""

    def ping(self) -> None:  # noqa: B027 - optional readiness hook, a no-op by default
        """Raise ``Unavailable`` if the store cannot be reached."""

    def request_charges(self) -> dict[str, float]:
        """The request units each tenant's operations cost since the store was built (cumulative,
        for usage billing). A backend that charges nothing, as the embedded one, reports none."""
        return {}


# --- continuation tokens -------------------------------------------------------------------------
# Every adapter hands out continuations as opaque URL-safe strings: its own position, as JSON in
# base64url. A token a client altered is refused as invalid input, never a server error.


def encode_token(payload: dict[str, Any]) -> str:
    """An adapter's position as an opaque continuation token."""
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any]:
    """The position a continuation token holds; ``InvalidInput`` when it is not one of ours."""
    if not isinstance(token, str):
        raise InvalidInput("the continuation token is not valid")
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("the continuation token is not valid") from exc
    if not isinstance(payload, dict):
        raise InvalidInput("the continuation token is not valid")
    return payload
