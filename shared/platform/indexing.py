"""Each container's Cosmos DB indexing policy, derived from the queries its ``ContainerSpec`` declares,
and the check that keeps every query the code runs inside what was declared.

A write to Cosmos DB pays for every path it indexes, so a container indexes only what its queries
use: ``excludedPaths`` is ``/*`` (and ``/"_etag"/?``, as Cosmos DB's own default has it), and
``includedPaths`` lists

- a range path (``/a/b/?``) for each field a query compares (``ContainerSpec.filters``) or orders on
  (the fields of ``ContainerSpec.orderings``): ORDER BY on a path that is not range-indexed fails;
- an array path (``/tags/[]/?``) for each array a query tests with ``contains``
  (``ContainerSpec.arrays``): ``ARRAY_CONTAINS`` looks at the array's elements;
- the partition key's paths, which Cosmos DB does not index by itself (unless it is ``/id``).

``id`` and ``_ts`` are never listed: Cosmos DB always indexes them in consistent mode. Composite
indexes serve every ORDER BY on more than one key, as the adapters issue them: the query's
``order_by`` then ``id`` (then ``tenantId`` across partitions, where ids repeat).

``DeclaredIndexes.check`` refuses (``UndeclaredIndex``, a ``TypeError``: a programming error, like
a query on a field its model lacks) a query that filters or orders on anything its container's
policy does not index. Both document adapters run it on every query when they are given the
platform's containers (the composition root gives them), so every test that runs a query runs the
check too, on the embedded profile as on Cosmos DB.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from shared.platform.documents import PARTITION_FIELD, ContainerSpec, Order, Query

__all__ = [
    "ALWAYS_INDEXED",
    "DeclaredIndexes",
    "UndeclaredIndex",
    "array_path",
    "composite_index",
    "index_everything",
    "indexing_policy",
    "range_path",
    "sort_keys",
]

# Cosmos DB indexes these system properties whatever the policy says (and never lists them).
ALWAYS_INDEXED = frozenset({"id", "_ts"})
# Cosmos DB's own default excludes the ETag; with /* excluded it is excluded anyway, but stays said.
_EXCLUDED = [{"path": "/*"}, {"path": '/"_etag"/?'}]


class UndeclaredIndex(TypeError):
    """A query filters or orders on a path its container's indexing policy does not cover."""


def _json_path(field: str) -> str:
    return "/" + field.replace(".", "/")


def range_path(field: str) -> str:
    """The included path that range-indexes a scalar field: ``a.b`` is ``/a/b/?``."""
    return _json_path(field) + "/?"


def array_path(field: str) -> str:
    """The included path that indexes an array field's elements: ``tags`` is ``/tags/[]/?``."""
    return _json_path(field) + "/[]/?"


def sort_keys(order_by: Sequence[Order], cross_partition: bool) -> tuple[Order, ...]:
    """The full ORDER BY: the caller's order, then id (then tenantId across partitions)."""
    keys = list(order_by)
    fields = {o.field for o in keys}
    if "id" not in fields:
        keys.append(Order("id"))
    if cross_partition and PARTITION_FIELD not in fields:
        keys.append(Order(PARTITION_FIELD))
    return tuple(keys)


def composite_index(keys: Sequence[Order]) -> list[dict[str, str]]:
    """The indexing-policy composite index that serves ORDER BY ``keys``."""
    return [{"path": _json_path(k.field), "order": "descending" if k.descending else "ascending"} for k in keys]


def _composites(orderings: Iterable[Sequence[Order]]) -> list[list[dict[str, str]]]:
    """A composite index for each ordering in one partition and across partitions, and for the
    plain (id, tenantId) order of a cross-partition query without one."""
    indexes: list[list[dict[str, str]]] = []
    wanted = [sort_keys(o, cross) for o in orderings for cross in (False, True)] + [sort_keys((), True)]
    for keys in wanted:
        if len(keys) > 1 and composite_index(keys) not in indexes:
            indexes.append(composite_index(keys))
    return indexes


def _scalar_fields(spec: ContainerSpec) -> list[str]:
    """The fields the container range-indexes, in declaration order, without those always indexed."""
    fields = [*spec.partition_key, *spec.filters, *(o.field for ordering in spec.orderings for o in ordering)]
    return [f for f in dict.fromkeys(fields) if f not in ALWAYS_INDEXED]


def indexing_policy(spec: ContainerSpec) -> dict[str, Any]:
    """The container's policy: exactly the paths its declared queries use, and their composite indexes."""
    included = [range_path(f) for f in _scalar_fields(spec)] + [array_path(f) for f in dict.fromkeys(spec.arrays)]
    return {
        "indexingMode": "consistent",
        "automatic": True,
        "includedPaths": [{"path": p} for p in included],
        "excludedPaths": list(_EXCLUDED),
        "compositeIndexes": _composites(spec.orderings),
    }


def index_everything(orderings: Sequence[Sequence[Order]]) -> dict[str, Any]:
    """Cosmos DB's default policy (every path) with composite indexes for ``orderings``: for containers
    no ``ContainerSpec`` declares (the adapter's contract tests make them up as they go)."""
    return {"indexingMode": "consistent", "includedPaths": [{"path": "/*"}], "compositeIndexes": _composites(orderings)}


class DeclaredIndexes:
    """What each declared container indexes, and the check every query passes.

    ``containers=None``: nothing is declared and nothing is checked (an adapter under its contract
    tests). Otherwise a query on a container not declared, or one that needs a path or composite
    index its container's policy lacks, raises ``UndeclaredIndex``."""

    def __init__(self, containers: Sequence[ContainerSpec] | None) -> None:
        self._declared = containers is not None
        self._specs = {c.name: c for c in containers or ()}
        self._ranges: dict[str, frozenset[str]] = {}
        self._arrays: dict[str, frozenset[str]] = {}
        self._composites: dict[str, list[list[dict[str, str]]]] = {}
        for spec in self._specs.values():
            policy = indexing_policy(spec)
            paths = {p["path"] for p in policy["includedPaths"]}
            self._ranges[spec.name] = frozenset(paths | {range_path(f) for f in ALWAYS_INDEXED})
            self._arrays[spec.name] = frozenset(p for p in paths if p.endswith("/[]/?"))
            self._composites[spec.name] = policy["compositeIndexes"]

    def spec(self, container: str) -> ContainerSpec | None:
        """The container's declaration, if it has one."""
        return self._specs.get(container)

    def check(self, container: str, query: Query, *, cross_partition: bool) -> None:
        """Raise ``UndeclaredIndex`` unless the container's policy serves every filter and the ORDER BY."""
        if not self._declared:
            return
        if container not in self._specs:
            raise UndeclaredIndex(f"the container {container!r} has no ContainerSpec; declare it in its context")
        for f in query.filters:
            path = array_path(f.field) if f.op == "contains" else range_path(f.field)
            indexed = self._arrays[container] if f.op == "contains" else self._ranges[container]
            if path not in indexed:
                where = "arrays" if f.op == "contains" else "filters"
                raise UndeclaredIndex(
                    f"a query on {container!r} filters on {f.field!r} ({f.op}), which its ContainerSpec does not "
                    f"index: add it to the spec's {where} (then regenerate infra/cosmos-containers.json)"
                )
        keys = sort_keys(query.order_by, cross_partition)
        if len(keys) == 1:
            if range_path(keys[0].field) not in self._ranges[container]:
                raise UndeclaredIndex(f"a query on {container!r} orders on {keys[0].field!r}, which is not indexed")
        elif composite_index(keys) not in self._composites[container]:
            order = ", ".join(f"{k.field} {'DESC' if k.descending else 'ASC'}" for k in keys)
            raise UndeclaredIndex(
                f"a query on {container!r} orders by ({order}), which no composite index serves: add its "
                "order_by to the spec's orderings (then regenerate infra/cosmos-containers.json)"
            )
