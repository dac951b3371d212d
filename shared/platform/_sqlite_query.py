"""Translate the typed ``Query`` of the document port into SQLite over JSON bodies.

Values are always bound parameters; field paths are validated by the port before they
reach here (letters, digits, underscores and dots only), so they are safe in SQL text.

Comparisons follow Cosmos DB for NoSQL, so both adapters answer a query alike: a
comparison across JSON types is undefined and never matches (``"1"`` never equals
``1``, ``true`` never equals ``1`` although json_extract returns 1 for true), a missing
field matches nothing but ``exists False``, and ``eq None`` matches an explicit null only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from shared.errors import InvalidInput
from shared.platform.documents import Filter, Order, Query, decode_token, encode_token, validate_container_name

__all__ = ["Translated"]

Scalar = str | int | float | bool | None
_COMPARE = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
# System properties live in columns, not in the stored body.
_COLUMNS = {"id": ("id", "'text'"), "_ts": ("ts", "'integer'"), "_etag": ("etag", "'text'")}


def _path(field: str) -> str:
    return f"'$.{field}'"


def _expr(field: str) -> str:
    column = _COLUMNS.get(field)
    return column[0] if column else f"json_extract(body, {_path(field)})"


def _jtype(field: str) -> str:
    column = _COLUMNS.get(field)
    return column[1] if column else f"json_type(body, {_path(field)})"


def _scalar(value: Any) -> Scalar:
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        raise InvalidInput("integers in filters must fit in 64 bits")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise InvalidInput("filters compare with strings, numbers, booleans or null")


def _kinds(value: Scalar) -> str:
    """The json_type names of values comparable with ``value`` (a SQL list)."""
    if isinstance(value, bool):
        return "('true', 'false')"
    if value is None:
        return "('null')"
    return "('text')" if isinstance(value, str) else "('integer', 'real')"


def _typed_compare(field: str, op: str, value: Any) -> tuple[str, list[Any]]:
    """``field op value`` where the stored JSON value has the same type as ``value``."""
    value = _scalar(value)
    if value is None:
        if op != "eq":
            raise InvalidInput("null can only be compared for equality; use 'exists' for presence")
        return f"{_jtype(field)} = 'null'", []
    # A bool binds as 1/0, which is what json_extract returns for true/false. The value
    # test comes first: it rejects most rows, so the type test rarely parses the body again.
    return f"({_expr(field)} {_COMPARE[op]} ? AND {_jtype(field)} IN {_kinds(value)})", [value]


def _in_sql(field: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """One ``IN (json_each(?))`` per JSON type, so a long list stays one bound parameter."""
    groups: dict[str, list[Scalar]] = {}
    for value in map(_scalar, values):
        groups.setdefault(_kinds(value), []).append(value)
    parts: list[str] = []
    params: list[Any] = []
    for kinds, members in groups.items():
        if kinds == "('null')":
            parts.append(f"{_jtype(field)} = 'null'")
            continue
        parts.append(f"({_expr(field)} IN (SELECT value FROM json_each(?)) AND {_jtype(field)} IN {kinds})")
        params.append(json.dumps(members))
    return ("(" + " OR ".join(parts) + ")" if parts else "0"), params


def _contains_sql(field: str, value: Any) -> tuple[str, list[Any]]:
    value = _scalar(value)
    if field in _COLUMNS:
        return "0", []
    # json_each over a scalar or an object yields rows too: only an array may contain.
    array = f"json_type(body, {_path(field)}) = 'array'"
    if value is None:
        return f"({array} AND EXISTS (SELECT 1 FROM json_each(body, {_path(field)}) WHERE type = 'null'))", []
    element = f"SELECT 1 FROM json_each(body, {_path(field)}) WHERE type IN {_kinds(value)} AND value = ?"
    return f"({array} AND EXISTS ({element}))", [value]


def _filter_sql(f: Filter) -> tuple[str, list[Any]]:
    if f.op in _COMPARE:
        return _typed_compare(f.field, f.op, f.value)
    if f.op == "in":
        return _in_sql(f.field, f.value)
    if f.op == "contains":
        return _contains_sql(f.field, f.value)
    if f.op == "starts_with":
        if not isinstance(f.value, str):
            raise InvalidInput("starts_with takes a string")
        # substr, not LIKE: the prefix's % and _ are plain characters.
        return f"(substr({_expr(f.field)}, 1, ?) = ? AND {_jtype(f.field)} = 'text')", [len(f.value), f.value]
    if f.op == "exists":
        if not isinstance(f.value, bool):
            raise InvalidInput("exists takes True (present) or False (absent)")
        return f"{_jtype(f.field)} IS {'NOT ' if f.value else ''}NULL", []
    raise InvalidInput(f"unknown filter operator {f.op!r}")


def _after(orders: Sequence[Order], last: Sequence[Any], last_id: str) -> tuple[str, list[Any]]:
    """Rows strictly after the last row of the previous page, in (order..., id) order.

    SQLite sorts NULL (a missing field) first ascending and last descending, and orders
    values of different types by type, in ORDER BY and in ``<``/``>`` alike.
    """
    clauses: list[str] = []
    params: list[Any] = []
    equal_prefix: list[str] = []
    equal_params: list[Any] = []
    for order, value in zip(orders, last, strict=True):
        expr = _expr(order.field)
        if value is None:
            after = "0" if order.descending else f"{expr} IS NOT NULL"
            after_params: list[Any] = []
            equal, equal_p = f"{expr} IS NULL", []
        else:
            after = f"({expr} < ? OR {expr} IS NULL)" if order.descending else f"{expr} > ?"
            after_params, equal, equal_p = [value], f"{expr} = ?", [value]
        clauses.append(" AND ".join([*equal_prefix, after]))
        params += equal_params + after_params
        equal_prefix.append(equal)
        equal_params = equal_params + equal_p
    clauses.append(" AND ".join([*equal_prefix, "id > ?"]))
    params += [*equal_params, last_id]
    return "(" + " OR ".join(f"({c})" for c in clauses) + ")", params


def fingerprint(container: str, partition_key: str | None, query: Query) -> str:
    shape = repr((container, partition_key, query.filters, query.order_by))
    return hashlib.sha256(shape.encode()).hexdigest()[:16]


def _order_sql(orders: Sequence[Order]) -> str:
    return ", ".join([f"{_expr(o.field)} {'DESC' if o.descending else 'ASC'}" for o in orders] + ["id ASC"])


class Translated:
    """SQL for one page of a query, and how to make the next page's token."""

    def __init__(self, container: str, partition_key: str | None, query: Query, now: float) -> None:
        self.query = query
        self.fingerprint = fingerprint(container, partition_key, query)
        # The container name is written into the SQL (a validated name: lowercase letters, digits and
        # dashes), so SQLite can use the container's own partial indexes of its declared fields.
        validate_container_name(container)
        where = [f"container = '{container}'"]
        params: list[Any] = []
        if partition_key is not None:
            where.append("pk = ?")
            params.append(partition_key)
        # The caller's filters first: SQLite tests terms in order, and they reject most rows
        # with one JSON parse; the tenant and expiry terms then run on the few candidates.
        for f in query.filters:
            sql, ps = _filter_sql(f)
            where.append(sql)
            params += ps
        if partition_key is not None:
            # Never pk alone: a row whose body names another tenant does not match its partition.
            where.append("json_extract(body, '$.tenantId') = pk")
        where.append("(expires_at IS NULL OR expires_at > ?)")
        params.append(now)
        if query.continuation is not None:
            sql, ps = _after(query.order_by, *self._position(query.continuation))
            where.append(sql)
            params += ps
        extra = "".join(f", {_expr(o.field)}" for o in query.order_by)
        self.sql = (
            f"SELECT body, etag, ts, id{extra} FROM documents WHERE {' AND '.join(where)} "
            f"ORDER BY {_order_sql(query.order_by)} LIMIT ?"
        )
        self.params = [*params, query.limit + 1]

    def _position(self, token: str) -> tuple[list[Any], str]:
        payload = decode_token(token)
        last, last_id = payload.get("k"), payload.get("id")
        if payload.get("q") != self.fingerprint:
            raise InvalidInput("the continuation token belongs to another query")
        if not isinstance(last, list) or len(last) != len(self.query.order_by) or not isinstance(last_id, str):
            raise InvalidInput("the continuation token is not valid")
        # Only what SQLite itself handed out may come back: a tampered token must not reach binding.
        if not all(v is None or (isinstance(v, (str, int, float)) and not isinstance(v, bool)) for v in last):
            raise InvalidInput("the continuation token is not valid")
        return last, last_id

    def next_token(self, last_row: Sequence[Any]) -> str:
        return encode_token({"q": self.fingerprint, "k": list(last_row[4:]), "id": last_row[3]})
