"""Translate the typed ``Query`` of the document port into Cosmos DB for NoSQL SQL.

Values are always ``@parameters``; field paths are validated by the port (letters,
digits, underscores, dots) and rendered as ``c["a"]["b"]``. The semantics match the
embedded adapter: a comparison across JSON types never matches (``ne`` is guarded by a
type test, because some engines answer ``"1" != 1`` with true), a missing field matches
nothing but ``exists False``, ``eq None`` matches an explicit null only, and ``contains``
only looks inside arrays.

Results are ordered by the query's ``order_by`` then ``c.id`` (then ``c.tenantId`` across
partitions, where ids repeat). ORDER BY on more than one path needs a composite index in
real Cosmos DB (and in the emulator) with exactly those paths and directions: each container's
policy comes from its ``ContainerSpec`` (``shared/platform/indexing.py``), which Bicep provisions
(and ``create_containers`` in development creates).

Paging in one logical partition uses Cosmos's native continuation. Across partitions the Python
SDK cannot resume an ORDER BY query from a continuation (it only supports them for
single-partition queries), so cross-partition pages, and a tenant's pages of a container keyed
by ``/tenantId`` then ``/id`` (a prefix query, which may span physical partitions), resume from
the last row's sort keys (keyset paging), following Cosmos's type order: undefined < null < booleans < numbers <
strings. Either way the token is ours: it carries a fingerprint of (database, container,
partition, filters, order) so a token of another query is refused as ``InvalidInput``.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
from collections.abc import Sequence
from typing import Any

from shared.errors import InvalidInput
from shared.platform.documents import PARTITION_FIELD, Document, Filter, Order, Query, decode_token, encode_token
from shared.platform.indexing import composite_index, sort_keys

__all__ = [
    "CosmosQuery",
    "composite_index",
    "feed_positions",
    "field_ref",
    "sort_keys",
]

Parameters = list[dict[str, Any]]
_COMPARE = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
# Cosmos orders values of different types by type; arrays and objects are not sortable keys.
_TYPE_RANK = ("IS_NULL", "IS_BOOL", "IS_NUMBER", "IS_STRING")
_MISSING = ["u"]  # how a token spells an undefined sort key (JSON has no undefined)


def field_ref(path: str) -> str:
    """``a.b`` as ``c["a"]["b"]`` (the port has validated the path)."""
    return "c" + "".join(f'["{part}"]' for part in path.split("."))


def _scalar(value: Any) -> str | int | float | bool | None:
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        raise InvalidInput("integers in filters must fit in 64 bits")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput("filters cannot compare with NaN or infinity")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise InvalidInput("filters compare with strings, numbers, booleans or null")


def _type_test(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "IS_BOOL"
    return "IS_STRING" if isinstance(value, str) else "IS_NUMBER"


class _Builder:
    """Collects ``@pN`` parameters while SQL text is assembled."""

    def __init__(self) -> None:
        self.parameters: Parameters = []
        self._names = itertools.count()

    def bind(self, value: Any) -> str:
        name = f"@p{next(self._names)}"
        self.parameters.append({"name": name, "value": value})
        return name

    def filter(self, f: Filter) -> str:
        ref = field_ref(f.field)
        if f.op in _COMPARE:
            value = _scalar(f.value)
            if value is None:
                if f.op != "eq":
                    raise InvalidInput("null can only be compared for equality; use 'exists' for presence")
                return f"IS_NULL({ref})"
            if f.op == "ne":
                return f"({_type_test(value)}({ref}) AND {ref} != {self.bind(value)})"
            return f"{ref} {_COMPARE[f.op]} {self.bind(value)}"
        if f.op == "in":
            return f"ARRAY_CONTAINS({self.bind([_scalar(v) for v in f.value])}, {ref})"
        if f.op == "contains":
            return f"(IS_ARRAY({ref}) AND ARRAY_CONTAINS({ref}, {self.bind(_scalar(f.value))}))"
        if f.op == "starts_with":
            if not isinstance(f.value, str):
                raise InvalidInput("starts_with takes a string")
            return f"STARTSWITH({ref}, {self.bind(f.value)})"
        if f.op == "exists":
            if not isinstance(f.value, bool):
                raise InvalidInput("exists takes True (present) or False (absent)")
            return f"{'' if f.value else 'NOT '}IS_DEFINED({ref})"
        raise InvalidInput(f"unknown filter operator {f.op!r}")

    def _rank(self, value: Any) -> int:
        """Position of a sort key's type in Cosmos's order; 0 is undefined."""
        if value == _MISSING:
            return 0
        if not isinstance(value, list) or len(value) != 2 or value[0] != "v":
            raise InvalidInput("the continuation token is not valid")
        return 1 + _TYPE_RANK.index("IS_NULL" if value[1] is None else _type_test(_sort_scalar(value[1])))

    def equal(self, ref: str, key: Any) -> str:
        rank = self._rank(key)
        if rank == 0:
            return f"NOT IS_DEFINED({ref})"
        return f"IS_NULL({ref})" if rank == 1 else f"{ref} = {self.bind(key[1])}"

    def after(self, ref: str, key: Any, descending: bool) -> str:
        """``ref`` sorts strictly after the key: a later value of its type, or a later type."""
        rank = self._rank(key)
        later_types = range(rank - 1) if descending else range(rank, len(_TYPE_RANK))
        terms = [f"{_TYPE_RANK[i]}({ref})" for i in later_types]
        if descending and rank > 0:
            terms.append(f"NOT IS_DEFINED({ref})")
        if rank > 1:  # null has one value; booleans, numbers and strings compare within the type
            terms.insert(0, f"{ref} {'<' if descending else '>'} {self.bind(key[1])}")
        return "(" + " OR ".join(terms) + ")" if terms else "false"

    def keyset(self, keys: Sequence[Order], last: Sequence[Any]) -> str:
        """Rows strictly after the previous page's last row, in the order of ``keys``."""
        clauses: list[str] = []
        equal_prefix: list[str] = []
        for order, key in zip(keys, last, strict=True):
            ref = field_ref(order.field)
            clauses.append(" AND ".join([*equal_prefix, self.after(ref, key, order.descending)]))
            equal_prefix.append(self.equal(ref, key))
        return "(" + " OR ".join(f"({c})" for c in clauses) + ")"


def _sort_scalar(value: Any) -> str | int | float | bool:
    if isinstance(value, (str, int, float, bool)):
        return value
    raise InvalidInput("the continuation token is not valid")


def feed_positions(token: str | None, feed: str, databases: Sequence[str]) -> dict[str, str | None]:
    """Each database's native change-feed position in a feed token (None: from the beginning)."""
    positions: dict[str, str | None] = dict.fromkeys(databases)
    if token is None:
        return positions
    payload = decode_token(token)
    saved = payload.get("p")
    if payload.get("f") != feed or not isinstance(saved, dict):
        raise InvalidInput("the continuation token is not valid")
    for database, position in saved.items():
        if position is not None and not isinstance(position, str):
            raise InvalidInput("the continuation token is not valid")
        if database in positions:  # a database no longer placed is dropped; a new one starts afresh
            positions[database] = position
    return positions


def _value_at(doc: Document, path: str) -> Any:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return ["v", node]


def _ranked(node: Any) -> tuple[int, Any]:
    """A sort key as (type rank in Cosmos DB's order, value): undefined, null, booleans, numbers, strings."""
    if node == _MISSING:
        return (0, 0)
    value = node[1]
    if value is None or not isinstance(value, (str, int, float, bool)):
        return (1, 0)  # objects and arrays are never sort keys here
    return (1 + _TYPE_RANK.index(_type_test(value)), value)


def merge_sorted(pages: Sequence[Sequence[Document]], keys: Sequence[Order]) -> list[Document]:
    """Documents of several ORDER BY ``keys`` pages merged into that one order, as Cosmos DB orders
    values of mixed types, so one logical query can run over several databases."""

    def compare(a: Document, b: Document) -> int:
        for key in keys:
            left, right = _ranked(_value_at(a, key.field)), _ranked(_value_at(b, key.field))
            if left != right:
                smaller = -1 if left < right else 1
                return -smaller if key.descending else smaller
        return 0

    return sorted((doc for page in pages for doc in page), key=functools.cmp_to_key(compare))


def fingerprint(*shape: Any) -> str:
    return hashlib.sha256(repr(shape).encode()).hexdigest()[:16]


class CosmosQuery:
    """The SQL text and parameters of one page of a query, and how to token the next page."""

    def __init__(
        self, database: str, container: str, partition_key: str | None, query: Query, *, keyset: bool = False
    ) -> None:
        self.query = query
        self.cross_partition = partition_key is None
        # Pages resume by their last row's sort keys across partitions, and in one tenant of a
        # hierarchically keyed container, whose prefix query may span physical partitions.
        self.keyset = self.cross_partition or keyset
        self.keys = sort_keys(query.order_by, self.cross_partition)
        self.fingerprint = fingerprint(database, container, partition_key, query.filters, query.order_by)
        self.native: str | None = None
        builder = _Builder()
        where = [builder.filter(f) for f in query.filters]
        if partition_key is not None:
            # The partition key header scopes the query; the predicate makes sure of it.
            where.insert(0, f"c.{PARTITION_FIELD} = @tenant")
            builder.parameters.insert(0, {"name": "@tenant", "value": partition_key})
        if query.continuation is not None:
            payload = decode_token(query.continuation)
            if payload.get("q") != self.fingerprint:
                raise InvalidInput("the continuation token belongs to another query")
            if self.keyset:
                last = payload.get("k")
                if not isinstance(last, list) or len(last) != len(self.keys):
                    raise InvalidInput("the continuation token is not valid")
                where.append(builder.keyset(self.keys, last))
            else:
                native = payload.get("c")
                if not isinstance(native, str) or not native:
                    raise InvalidInput("the continuation token is not valid")
                self.native = native
        order = ", ".join(f"{field_ref(k.field)} {'DESC' if k.descending else 'ASC'}" for k in self.keys)
        conditions = f" WHERE {' AND '.join(where)}" if where else ""
        self.text = f"SELECT * FROM c{conditions} ORDER BY {order}"  # noqa: S608 - values are parameters
        self.parameters = builder.parameters

    def native_token(self, native: str) -> str:
        """Our token around the native continuation of a single-partition page."""
        if self.keyset:
            raise ValueError("a keyset query's pages resume by keys, not by native continuations")
        return encode_token({"q": self.fingerprint, "c": native})

    def keyset_token(self, last: Document) -> str:
        """Our token holding the sort keys of a keyset page's last document."""
        return encode_token({"q": self.fingerprint, "k": [_value_at(last, k.field) for k in self.keys]})
