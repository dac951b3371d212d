"""Domain events as contracts: one pydantic model per event type, owned by the context that produces it.

A producer defines each of its events once, in its ``events.py``, as a subclass of ``Event`` naming
its ``type``; every consumer imports that model and parses with it (``decode``), so a field renamed
by the producer breaks the consumer's type check and tests, not production. ``eventVersion`` is the
version of the contract: a producer that changes an event incompatibly publishes a new version, and
consumers that know only an older one refuse it loudly (it dead-letters) instead of misreading it.

Events travel on the ``events`` topic with the event id as the message id (repeats are dropped by
the bus's duplicate detection, later ones by idempotent consumers) and carry ids and numbers only,
never a name or an email.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from shared.platform.bus import OutgoingMessage
from shared.platform.runtime import Platform

__all__ = ["Event", "EventHandlers", "decode", "event_id", "event_message"]


class Event(BaseModel):
    """What every event carries. Subclasses set ``TYPE`` and declare ``type`` as that literal."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    TYPE: ClassVar[str]
    # The contract's version; consumers refuse a version newer than the model they were built with.
    VERSION: ClassVar[int] = 1

    id: str = Field(min_length=1)
    type: str
    eventVersion: int = Field(default=1, ge=1)
    tenantId: str = Field(min_length=1)
    at: datetime

    @field_serializer("at")
    def _iso_time(self, at: datetime) -> str:
        # As producers stamp times (datetime.isoformat): outboxes compare them as strings.
        return at.isoformat()

    def body(self) -> dict[str, Any]:
        """The event as the JSON body of its message."""
        return self.model_dump(mode="json", by_alias=True)


E = TypeVar("E", bound=Event)


def decode(model: type[E], body: Mapping[str, Any]) -> E:
    """Parse an event body with the producer's model (``ValidationError`` if it breaks the contract)."""
    event = model.model_validate(body)
    if event.eventVersion > model.VERSION:
        raise ValueError(f"{model.TYPE} version {event.eventVersion} is newer than this consumer knows")
    return event


def event_message(event: Event | Mapping[str, Any]) -> OutgoingMessage:
    """The bus message of an event: its id as the message id (so repeats are dropped), its type as
    the subject, the event itself as the JSON body, and the tenant and type as properties for filters."""
    body = event.body() if isinstance(event, Event) else dict(event)
    kind = str(body["type"])
    return OutgoingMessage.of_json(
        body,
        message_id=str(body["id"]),
        subject=kind,
        properties={"tenantId": str(body["tenantId"]), "type": kind},
    )


class EventHandlers:
    """A consumer's handlers by event model: ``dispatch`` decodes a body with the model of its type
    and calls that model's handler; an event of a type the consumer does not handle passes."""

    def __init__(self) -> None:
        self._handlers: dict[str, tuple[type[Event], Callable[[Platform, Any], None]]] = {}

    def on(self, model: type[E], handler: Callable[[Platform, E], None]) -> EventHandlers:
        if model.TYPE in self._handlers:
            raise ValueError(f"{model.TYPE} already has a handler")
        self._handlers[model.TYPE] = (model, handler)
        return self

    @property
    def models(self) -> tuple[type[Event], ...]:
        """The event models this consumer parses with."""
        return tuple(model for model, _ in self._handlers.values())

    def dispatch(self, platform: Platform, body: Mapping[str, Any]) -> None:
        found = self._handlers.get(str(body.get("type")))
        if found is None:
            return
        model, handler = found
        handler(platform, decode(model, body))


def event_id(kind: str, tenant: str, user: str, course: str, version: int, fact: str | None = None) -> str:
    """The same id for the same fact, however often it is recorded: the bus and every consumer drop
    the repeats, so there is one CourseCompleted per enrollment and version."""
    key = "|".join([kind, tenant, user, course, str(version), fact or ""])
    return hashlib.sha256(key.encode()).hexdigest()[:32]
