"""Translate the typed ``Query`` of the document port into SQLite over JSON bodies.

Values are always bound parameters; field paths are validated by the port before they
reach here (letters, digits, underscores and dots only), so they are safe in SQL text.
Comparisons check the JSON type too, so ``"1"`` never equals ``1`` and ``true`` never
equals ``1`` (SQLite's json_extract returns 1 for true).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from shared.errors import InvalidInput
from shared.platform.documents import Filter, Order, Query

__all__ = ["Translated", "decode_token", "encode_token"]

Scalar = str | int | float | bool | None
_COMPARE = {"eq": "=", "ne": "=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _path(field: str) -> str:
    return f"'$.{field}'"


def _expr(field: str) -> str:
    return "id" if field == "id" else f"json_extract(body, {_path(field)})"


def _jtype(field: str) -> str:
    return "'text'" if field == "id" else f"json_type(body, {_path(field)})"


def _scalar(value: Any) -> Scalar:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise InvalidInput("filters compare with strings, numbers, booleans or null")


def _typed_compare(field: str, op: str, value: Any) -> tuple[str, list[Any]]:
    """``field op value`` where the stored JSON value has the same type as ``value``."""
    value = _scalar(value)
    sql_op = _COMPARE[op]
    if isinstance(value, bool):
        if sql_op != "=":
            raise InvalidInput("booleans can only be compared for equality")
        return f"{_jtype(field)} = '{'true' if value else 'false'}'", []
    if value is None:
        if sql_op != "=":
            raise InvalidInput("null can only be compared for equality")
        return f"({_jtype(field)} IS NULL OR {_jtype(field)} = 'null')", []
    kinds = "('text')" if isinstance(value, str) else "('integer', 'real')"
    return f"({_jtype(field)} IN {kinds} AND {_expr(field)} {sql_op} ?)", [value]


def _filter_sql(f: Filter) -> tuple[str, list[Any]]:
    if f.op in ("eq", "lt", "le", "gt", "ge"):
        return _typed_compare(f.field, f.op, f.value)
    if f.op == "ne":
        sql, params = _typed_compare(f.field, "eq", f.value)
        return f"({_jtype(f.field)} IS NOT NULL AND NOT {sql})", params
    if f.op == "in":
        if not f.value:
            return "0", []
        parts = [_typed_compare(f.field, "eq", v) for v in f.value]
        return "(" + " OR ".join(p for p, _ in parts) + ")", [x for _, ps in parts for x in ps]
    if f.op == "contains":
        value = _scalar(f.value)
        if isinstance(value, bool) or value is None:
            kind = {True: "true", False: "false", None: "null"}[value]
            return f"EXISTS (SELECT 1 FROM json_each(body, {_path(f.field)}) WHERE type = '{kind}')", []
        kinds = "('text')" if isinstance(value, str) else "('integer', 'real')"
        sql = f"EXISTS (SELECT 1 FROM json_each(body, {_path(f.field)}) WHERE type IN {kinds} AND value = ?)"
        return sql, [value]
    if f.op == "starts_with":
        if not isinstance(f.value, str):
            raise InvalidInput("starts_with takes a string")
        return f"({_jtype(f.field)} = 'text' AND substr({_expr(f.field)}, 1, ?) = ?)", [len(f.value), f.value]
    if f.op == "exists":
        return f"{_jtype(f.field)} IS {'NOT ' if f.value else ''}NULL", []
    raise InvalidInput(f"unknown filter operator {f.op!r}")


def _after(orders: Sequence[Order], last: Sequence[Any], last_id: str) -> tuple[str, list[Any]]:
    """Rows strictly after the last row of the previous page, in (order..., id) order."""
    clauses: list[str] = []
    params: list[Any] = []
    equal_prefix: list[str] = []
    equal_params: list[Any] = []
    for order, value in zip(orders, last, strict=True):
        expr = _expr(order.field)
        if value is None:
            after, after_params, equal = (
                ("0" if order.descending else f"{expr} IS NOT NULL"),
                [],
                f"{expr} IS NULL",
            )
            equal_p: list[Any] = []
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


def encode_token(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("the continuation token is not valid") from exc
    if not isinstance(payload, dict):
        raise InvalidInput("the continuation token is not valid")
    return payload


class Translated:
    """SQL for one page of a query, and how to make the next page's token."""

    def __init__(self, container: str, partition_key: str | None, query: Query, now: float) -> None:
        self.query = query
        self.fingerprint = fingerprint(container, partition_key, query)
        where = ["container = ?", "(expires_at IS NULL OR expires_at > ?)"]
        params: list[Any] = [container, now]
        if partition_key is not None:
            # Partition and tenant predicate together: a body whose tenantId differs never matches.
            where.append("pk = ? AND json_extract(body, '$.tenantId') = pk")
            params.append(partition_key)
        for f in query.filters:
            sql, ps = _filter_sql(f)
            where.append(sql)
            params += ps
        if query.continuation:
            last, last_id = self._position(query.continuation)
            sql, ps = _after(query.order_by, last, last_id)
            where.append(sql)
            params += ps
        order_columns = [_expr(o.field) for o in query.order_by]
        order_sql = ", ".join(
            [f"{c} {'DESC' if o.descending else 'ASC'}" for c, o in zip(order_columns, query.order_by, strict=True)]
            + ["id ASC"]
        )
        extra = "".join(f", {c}" for c in order_columns)
        self.sql = (
            f"SELECT body, etag, ts, id{extra} FROM documents WHERE {' AND '.join(where)} ORDER BY {order_sql} LIMIT ?"
        )
        self.params = [*params, query.limit + 1]

    def _position(self, token: str) -> tuple[list[Any], str]:
        payload = decode_token(token)
        last, last_id = payload.get("k"), payload.get("id")
        if payload.get("q") != self.fingerprint:
            raise InvalidInput("the continuation token belongs to another query")
        if not isinstance(last, list) or len(last) != len(self.query.order_by) or not isinstance(last_id, str):
            raise InvalidInput("the continuation token is not valid")
        return last, last_id

    def next_token(self, last_row: Sequence[Any]) -> str:
        return encode_token({"q": self.fingerprint, "k": list(last_row[4:]), "id": last_row[3]})
