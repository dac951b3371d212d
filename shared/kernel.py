"""Model pieces every context shares: strict input models, id patterns, paging."""

from __future__ import annotations

import re
import typing
import unicodedata
from typing import Annotated, Any, ClassVar, Generic, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

__all__ = [
    "EMAIL_PATTERN",
    "MULTILINE",
    "RESOURCE_ID_PATTERN",
    "TENANT_ID_PATTERN",
    "USER_ID_PATTERN",
    "Email",
    "HttpsUrl",
    "InputModel",
    "MultiLine",
    "OutputModel",
    "Paged",
    "PatchModel",
    "Reason",
    "ResourceId",
    "ShortText",
    "TenantId",
    "UserId",
    "without_controls",
]

TENANT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$"
USER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$"
RESOURCE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,63}$"

T = TypeVar("T")


class MultiLine:
    """Marks a text type whose values may hold tabs and line breaks (``Annotated[str, MULTILINE]``)."""

    def __repr__(self) -> str:
        return "MULTILINE"


MULTILINE = MultiLine()

# C0 controls, DEL and C1 controls. A multi-line text may hold tab, line feed and carriage return.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_controls(text: str) -> str:
    """``text`` with every control character but tab and line breaks replaced by a space (for text
    the platform derives from files, such as a caption's cues, rather than refuses)."""
    return _CONTROL_MULTILINE.sub(" ", text)


# A pattern made only of literal characters and positive classes of them cannot match a control
# character; one with a negated class, a class escape (\s, \S, \W, \x...) or "." outside a class might.
_OPEN_ESCAPE = re.compile(r"\[\^|\\[SWDsxupPN]")
_POSITIVE_CLASS = re.compile(r"\[[^\]]*\]")


def _closed(constraints: StringConstraints) -> bool:
    pattern = str(constraints.pattern) if constraints.pattern is not None else None
    if pattern is None or _OPEN_ESCAPE.search(pattern):
        return False
    return "." not in _POSITIVE_CLASS.sub("", pattern.replace("\\.", ""))


def _marks(annotation: Any) -> tuple[bool, bool, bool]:
    """(may hold free text, multi-line, holds a model) for a field's annotation, looking through
    unions, lists, dicts and ``Annotated``. A string whose pattern admits only characters it names
    (the id patterns) is not free text."""
    if annotation is str:
        return True, False, False
    if annotation is Any:
        return False, False, True  # parsed by a model of its own later (a batch's events, one by one)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return False, False, True
    if get_origin(annotation) is Annotated:
        base, metadata = annotation.__origin__, annotation.__metadata__
        text, multiline, nested = _marks(base)
        if base is str and any(isinstance(m, StringConstraints) and _closed(m) for m in metadata):
            text = False
        return text, multiline or any(isinstance(m, MultiLine) for m in metadata), nested
    if get_origin(annotation) is typing.Literal:
        return False, False, False
    text, multiline, nested = False, False, False
    for arg in get_args(annotation):
        if arg is Ellipsis:
            continue
        inner = _marks(arg)
        text, multiline, nested = text or inner[0], multiline or inner[1], nested or inner[2]
    return text, multiline, nested


def _clean_text(value: str, multiline: bool, field: str) -> str:
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    if found:
        kind = "a control character" if multiline else "a control character or line break"
        raise ValueError(f"{field} contains {kind} (U+{ord(found.group()):04X}), which no text here may hold")
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)


def _clean(value: Any, multiline: bool, nested: bool, field: str) -> Any:
    """The value with every text it holds checked and in NFC; objects a nested model validates are
    left to that model (which knows its own multi-line fields)."""
    if isinstance(value, str):
        return _clean_text(value, multiline, field)
    if isinstance(value, list):
        return [_clean(v, multiline, nested, field) for v in value]
    if isinstance(value, dict) and not nested:
        return {_clean(k, False, nested, field): _clean(v, multiline, nested, field) for k, v in value.items()}
    return value


class InputModel(BaseModel):
    """Request bodies: unknown fields are refused, strings trimmed, and NaN or infinity refused in
    every float (Python's JSON parser accepts them, and ``max(0.0, nan)`` is 0.0: a NaN position
    would pass every range check and count as watched from the start).

    Every text of a request is one kind of text: NUL and the other C0 and C1 control characters are
    refused (tab and line breaks too, except in a field whose type is marked ``MULTILINE``), and it
    is stored in Unicode NFC, so the same title typed on two keyboards is the same title. Lengths
    are bounded by each field's type (and the whole body by the request size limit)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)
    # The fields (by name and alias) that may hold free text: (multi-line, holds a nested model).
    _TEXT_FIELDS: ClassVar[dict[str, tuple[bool, bool]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        hints = typing.get_type_hints(cls, include_extras=True)
        fields: dict[str, tuple[bool, bool]] = {}
        for name, info in cls.model_fields.items():
            text, multiline, nested = _marks(hints.get(name, info.annotation))
            if text:
                fields[name] = (multiline, nested)
                if info.alias:
                    fields[info.alias] = (multiline, nested)
        cls._TEXT_FIELDS = fields

    @model_validator(mode="before")
    @classmethod
    def _one_kind_of_text(cls, data: Any) -> Any:
        fields = cls._TEXT_FIELDS
        if not fields or not isinstance(data, dict):
            return data
        cleaned: dict[str, Any] | None = None
        for key in fields.keys() & data.keys():
            value = data[key]
            multiline, nested = fields[key]
            clean = _clean(value, multiline, nested, key)
            if clean is not value and clean != value:
                cleaned = cleaned or dict(data)
                cleaned[key] = clean
        return data if cleaned is None else cleaned


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
Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000), MULTILINE]
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s]{1,2040}$", max_length=2048)]
Email = Annotated[str, StringConstraints(pattern=EMAIL_PATTERN, max_length=254, to_lower=True)]
TenantId = Annotated[str, StringConstraints(pattern=TENANT_ID_PATTERN)]
UserId = Annotated[str, StringConstraints(pattern=USER_ID_PATTERN)]
ResourceId = Annotated[str, StringConstraints(pattern=RESOURCE_ID_PATTERN)]
