"""Which outbox events of a progress document the relay publishes, what their messages look like,
and how the relay's memory of relayed writes stays bounded."""

from __future__ import annotations

import json
import threading
from typing import Any

from shared.learning.events import COURSE_COMPLETED, LESSON_COMPLETED
from shared.platform.events import event_message
from shared.platform.outbox import RelayedWrites, events_to_relay


def event(seq: int, kind: str = LESSON_COMPLETED, **overrides: Any) -> dict[str, Any]:
    base = {
        "id": f"e{seq}-{kind}",
        "type": kind,
        "at": "2030-01-01T00:00:00+00:00",
        "seq": seq,
        "tenantId": "t1",
        "userId": "lea",
        "courseId": "c1",
        "version": 1,
        "manual": False,
    }
    if kind == LESSON_COMPLETED:
        base["lessonId"] = f"lesson-{seq}"
    return {**base, **overrides}


def progress_doc(write_seq: int, *events: dict[str, Any]) -> dict[str, Any]:
    return {"id": "c1:lea", "tenantId": "t1", "writeSeq": write_seq, "outbox": list(events)}


def ids(events: list[dict[str, Any]]) -> list[str]:
    return [e["id"] for e in events]


def test_a_relay_that_knows_nothing_of_the_document_publishes_its_whole_outbox_in_recorded_order() -> None:
    doc = progress_doc(7, event(5), event(2), event(7, COURSE_COMPLETED))
    assert ids(events_to_relay(doc, None)) == ["e2-LessonCompleted", "e5-LessonCompleted", "e7-CourseCompleted"]


def test_only_events_recorded_after_the_last_relayed_write_are_published() -> None:
    doc = progress_doc(7, event(2), event(5), event(7, COURSE_COMPLETED))
    assert ids(events_to_relay(doc, 5)) == ["e7-CourseCompleted"]


def test_the_same_version_seen_again_publishes_nothing() -> None:
    doc = progress_doc(7, event(2), event(7, COURSE_COMPLETED))
    assert events_to_relay(doc, 7) == []


def test_events_of_versions_the_change_feed_skipped_are_still_published_from_the_latest_version() -> None:
    # The relay saw write 3; writes 4 and 5 were coalesced by the feed into the version at write 6.
    doc = progress_doc(6, event(1), event(4), event(5), event(6, COURSE_COMPLETED))
    assert ids(events_to_relay(doc, 3)) == ["e4-LessonCompleted", "e5-LessonCompleted", "e6-CourseCompleted"]


def test_a_document_written_anew_after_a_newer_one_was_relayed_publishes_its_whole_outbox() -> None:
    recreated = progress_doc(2, event(1), event(2, COURSE_COMPLETED))
    assert ids(events_to_relay(recreated, 9)) == ["e1-LessonCompleted", "e2-CourseCompleted"]


def test_a_document_without_an_outbox_publishes_nothing() -> None:
    assert events_to_relay({"id": "c1:lea", "tenantId": "t1", "writeSeq": 3}, None) == []
    assert events_to_relay({"id": "c1:lea", "tenantId": "t1", "writeSeq": 3, "outbox": []}, 1) == []


def test_an_event_message_carries_the_event_id_type_and_tenant_and_the_event_as_its_body() -> None:
    completed = event(4, COURSE_COMPLETED, tenantId="acme")
    message = event_message(completed)
    assert (message.message_id, message.subject) == ("e4-CourseCompleted", COURSE_COMPLETED)
    assert dict(message.properties) == {"tenantId": "acme", "type": COURSE_COMPLETED}
    assert json.loads(message.body) == completed
    assert message.scheduled_at is None


def test_the_relays_memory_forgets_the_least_recently_relayed_document_first() -> None:
    relayed = RelayedWrites(capacity=2)
    relayed.remember(("t1", "a"), 1)
    relayed.remember(("t1", "b"), 1)
    assert relayed.get(("t1", "a")) == 1  # a is now the most recent
    relayed.remember(("t1", "c"), 1)
    assert (relayed.get(("t1", "a")), relayed.get(("t1", "b")), relayed.get(("t1", "c"))) == (1, None, 1)
    assert len(relayed) == 2


def test_the_relays_memory_keys_documents_by_tenant_as_well_as_id() -> None:
    relayed = RelayedWrites()
    relayed.remember(("t1", "c1:lea"), 4)
    assert relayed.get(("t2", "c1:lea")) is None


def test_a_document_written_anew_lowers_what_the_relay_remembers_of_it() -> None:
    relayed = RelayedWrites()
    relayed.remember(("t1", "c1:lea"), 9)
    relayed.remember(("t1", "c1:lea"), 2)
    assert relayed.get(("t1", "c1:lea")) == 2


def test_the_relays_memory_stays_bounded_under_concurrent_relays() -> None:
    relayed = RelayedWrites(capacity=50)

    def relay_many(worker: int) -> None:
        for n in range(500):
            relayed.remember((f"t{worker}", f"doc{n}"), n)
            relayed.get((f"t{worker}", f"doc{n // 2}"))

    threads = [threading.Thread(target=relay_many, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(relayed) == 50
