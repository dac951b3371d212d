"""The domain events of learning activity, as they travel from a progress document's outbox to the bus.

A progress document (one per learner and course, container ``progress``) records its events in
``outbox`` in the same write that changes its state, so a state change and its event are never
apart. Each write increments ``writeSeq``; each event carries the ``seq`` of the write that
recorded it, and stays in the outbox for seven days, except ``CourseProgressChanged``: every write
records one (a snapshot of the learner's progress), and only the newest stays, so a busy learner's
outbox does not grow with their activity and a relay that skipped a version loses nothing but an
older snapshot. The relay reads the change feed, which
delivers the latest version of a document (perhaps skipping intermediate ones) at least once,
and publishes the events it has not relayed yet: ``events_to_relay`` decides which, from the
highest ``writeSeq`` it has seen of the document. Message ids are the event ids, so a repeat
within the bus's duplicate window is dropped and a later one is caught by idempotent consumers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.platform.bus import OutgoingMessage

__all__ = [
    "COURSE_COMPLETED",
    "COURSE_PROGRESS_CHANGED",
    "LESSON_COMPLETED",
    "PROGRESS",
    "CourseCompletedEvent",
    "event_message",
    "events_to_relay",
]

# The container of progress documents; the learning context's model and the relay both name it from here.
PROGRESS = "progress"

LESSON_COMPLETED = "LessonCompleted"
COURSE_COMPLETED = "CourseCompleted"
# A snapshot of a learner's progress in a course after a write (percent, states, time on task): the
# outbox keeps only the newest, since each one supersedes the ones before.
COURSE_PROGRESS_CHANGED = "CourseProgressChanged"


class CourseCompletedEvent(BaseModel):
    """What a consumer of ``CourseCompleted`` may rely on; the event carries more (``id``, ``seq``, ``manual``)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1)
    type: str
    tenantId: str = Field(min_length=1)
    userId: str = Field(min_length=1)
    courseId: str = Field(min_length=1)
    version: int = Field(ge=1)
    at: datetime


def _write_seq(doc: Mapping[str, Any]) -> int | None:
    seq = doc.get("writeSeq")
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


def events_to_relay(doc: Mapping[str, Any], last_seen_seq: int | None) -> list[dict[str, Any]]:
    """The outbox events of ``doc`` not yet relayed, in the order they were recorded, given the highest
    ``writeSeq`` of this document already relayed (None when unknown, as after a restart: all of them)."""
    outbox: list[dict[str, Any]] = list(doc.get("outbox") or [])
    write_seq = _write_seq(doc)
    # A version older than one already relayed is a replay, or the document was deleted and written
    # again from seq 1. The two look alike, and republishing is harmless while skipping is not.
    if last_seen_seq is None or write_seq is None or write_seq < last_seen_seq:
        fresh = outbox
    else:
        fresh = [event for event in outbox if event.get("seq", 0) > last_seen_seq]
    return sorted(fresh, key=lambda event: event.get("seq", 0))


def event_message(event: Mapping[str, Any]) -> OutgoingMessage:
    """The bus message of an event: its id as the message id (so repeats are dropped), its type as
    the subject, the event itself as the JSON body, and the tenant and type as properties for filters."""
    return OutgoingMessage.of_json(
        dict(event),
        message_id=str(event["id"]),
        subject=str(event["type"]),
        properties={"tenantId": str(event["tenantId"]), "type": str(event["type"])},
    )
