"""Stored documents as pydantic models: the one base every context's document kinds extend.

The document store port speaks dicts (JSON); contexts speak models. ``StoredDocument`` holds what
every document has: ``id``, ``tenantId`` (its partition, stamped by ``DictDocuments`` on every
write), the system properties ``_etag`` and ``_ts`` the store sets (read-only: never written back),
and the optional per-document ``ttl``.

Unknown fields are kept (``extra="allow"``) and written back as they were read. During a rolling
deploy an older instance may rewrite a document that a newer one wrote with a field it does not
know; dropping that field would lose data. Typos are still caught: mypy's pydantic plugin refuses
an unknown keyword when a model is built (``init_forbid_extra``), attribute access is checked as
usual, and ``DictDocuments`` refuses a query on a field the model does not declare.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Any, ClassVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

__all__ = ["SparseDocument", "StoredDocument", "check_field_path", "to_document", "without_unset_nulls"]


class StoredDocument(BaseModel):
    """A document of one kind, as a context reads and writes it."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, validate_default=False)

    # The document kinds sharing a container tell themselves apart by ``type``; a model that names
    # one here reads only documents of that kind (another kind under the same id is NotFound).
    KIND: ClassVar[str | None] = None

    id: str
    tenantId: str = ""
    etag: str | None = Field(default=None, alias="_etag")
    ts: int | None = Field(default=None, alias="_ts")
    ttl: int | None = None

    @model_serializer(mode="wrap")
    def _without_system_fields(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        body: dict[str, Any] = handler(self)
        for name in ("_etag", "_ts", "etag", "ts"):
            body.pop(name, None)
        if body.get("ttl") is None:
            body.pop("ttl", None)  # no ttl: the container's default (never expire)
        return body


def without_unset_nulls(model: BaseModel, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` without the null fields that were neither read nor set (their default, left out)."""
    fields = type(model).model_fields
    for key in [k for k, v in body.items() if v is None and k in fields and k not in model.model_fields_set]:
        body.pop(key)
    return body


class SparseDocument(StoredDocument):
    """A stored document whose optional fields are written only once they have a value (or were read
    as null), so documents keep the shape they had when code wrote them as dicts: a field left out,
    not a null (queries on a missing field, such as a purge marker, depend on it)."""

    @model_serializer(mode="wrap")
    def _without_system_fields(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return without_unset_nulls(self, StoredDocument._without_system_fields(self, handler))


def to_document(model: StoredDocument) -> dict[str, Any]:
    """The JSON document the store writes for ``model`` (aliases as field names, no system fields)."""
    return model.model_dump(mode="json", by_alias=True)


# Fields every stored document may be queried on, whatever its model declares.
_ALWAYS = frozenset({"id", "tenantId", "_ts", "ttl", "type"})


@functools.cache
def _fields(model: type[BaseModel]) -> dict[str, Any]:
    """The model's field names as stored (aliases where set), each with its annotation."""
    return {(info.alias or name): info.annotation for name, info in model.model_fields.items()}


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation may hold a value of (through Optional, unions, lists, dicts)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(get_args(annotation)[0])
    if origin in (Union, types.UnionType, list, tuple, set, frozenset, dict):
        args = get_args(annotation)
        if origin is dict:
            args = args[1:]
        return [m for arg in args for m in _models_in(arg)]
    return []


def _is_open(annotation: Any) -> bool:
    """Whether a field's value is free-form (a dict or Any), so paths below it cannot be checked."""
    if annotation is Any:
        return True
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _is_open(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_is_open(a) for a in get_args(annotation) if a is not type(None))
    return origin is dict or annotation is dict


def check_field_path(model: type[BaseModel], path: str) -> None:
    """Raise ``TypeError`` unless ``path`` (dotted) names a field of ``model``: a query on a field
    that does not exist is a programming error, found by the first test that runs the query."""
    head, _, rest = path.partition(".")
    fields = _fields(model)
    if head in _ALWAYS and not rest:
        return
    if head not in fields:
        raise TypeError(f"{model.__name__} has no field {head!r} (in the query path {path!r})")
    if not rest:
        return
    annotation = fields[head]
    if _is_open(annotation):
        return
    nested = _models_in(annotation)
    if not nested:
        raise TypeError(f"{model.__name__}.{head} has no fields (in the query path {path!r})")
    errors = []
    for candidate in nested:
        try:
            check_field_path(candidate, rest)
            return
        except TypeError as exc:
            errors.append(str(exc))
    raise TypeError("; ".join(errors))
