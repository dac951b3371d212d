"""A document its feed's handler cannot take is set aside as poison, the feed moves on, and an
operator can list and replay it; a dependency's outage fails the batch instead (retried whole)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.errors import Unavailable
from shared.platform.documents import Document
from shared.platform.jobs import ChangeFeedFollower
from shared.platform.poison import ATTEMPTS, handle_changes, poisoned, replay
from shared.platform.runtime import Platform

FEED, CONTAINER = "test-feed", "items"


def put(platform: Platform, *ids: str, tenant: str = "t1", **fields: Any) -> None:
    for doc_id in ids:
        platform.documents.upsert(CONTAINER, tenant, {"id": doc_id, "tenantId": tenant, **fields})


class Handler:
    """Records what it handled; fails ``failing`` documents with ``error`` (``times`` times, or always)."""

    def __init__(self, failing: set[str], error: Exception, times: int | None = None) -> None:
        self.failing, self.error, self.times = failing, error, times
        self.handled: list[str] = []
        self.calls: dict[str, int] = {}

    def __call__(self, platform: Platform, doc: Document) -> None:
        self.calls[doc["id"]] = self.calls.get(doc["id"], 0) + 1
        if doc["id"] in self.failing and (self.times is None or self.calls[doc["id"]] <= self.times):
            raise self.error
        self.handled.append(doc["id"])


def test_a_poison_document_is_set_aside_and_the_feed_moves_past_it(platform: Platform) -> None:
    put(platform, "a", "bad", "c")
    handler = Handler({"bad"}, ValueError("the index refused the document: 400"))
    follower = ChangeFeedFollower(FEED, CONTAINER, handler)
    assert follower.run_once(platform) == 3
    assert handler.handled == ["a", "c"] and handler.calls["bad"] == ATTEMPTS
    (record,) = poisoned(platform)
    assert (record["feed"], record["container"], record["docTenant"], record["docId"]) == (FEED, CONTAINER, "t1", "bad")
    assert "400" in record["error"]
    assert follower.run_once(platform) == 0  # the checkpoint moved past it


def test_a_document_that_fails_once_is_retried_not_poisoned(platform: Platform) -> None:
    put(platform, "flaky")
    handler = Handler({"flaky"}, ValueError("once"), times=1)
    ChangeFeedFollower(FEED, CONTAINER, handler).run_once(platform)
    assert handler.handled == ["flaky"] and poisoned(platform) == []


def test_an_outage_fails_the_batch_and_keeps_the_checkpoint_with_nothing_set_aside(platform: Platform) -> None:
    put(platform, "a", "b")
    down = Handler({"a"}, Unavailable("the search service is down"))
    follower = ChangeFeedFollower(FEED, CONTAINER, down)
    with pytest.raises(Unavailable):
        follower.run_once(platform)
    assert poisoned(platform) == [] and down.calls == {"a": 1}
    up = Handler(set(), ValueError())
    assert ChangeFeedFollower(FEED, CONTAINER, up).run_once(platform) == 2  # the same changes, again
    assert up.handled == ["a", "b"]


def test_a_batch_that_fails_for_a_document_is_taken_one_by_one(platform: Platform) -> None:
    docs = [{"id": i, "tenantId": "t1"} for i in ("a", "bad", "c")]
    each = Handler({"bad"}, KeyError("outbox"))
    batches: list[int] = []

    def batch(_: Platform, changes: list[Any]) -> None:
        batches.append(len(changes))
        raise KeyError("one of these is malformed")

    assert handle_changes(platform, FEED, CONTAINER, docs, each=each, batch=batch) == 3
    assert batches == [3] and each.handled == ["a", "c"] and len(poisoned(platform)) == 1
    fine = Handler(set(), ValueError())
    assert handle_changes(platform, FEED, CONTAINER, docs, each=fine, batch=lambda p, c: None) == 3
    assert fine.handled == []  # the batch went through at once


def test_an_operator_replays_a_poison_document_once_its_cause_is_fixed(platform: Platform) -> None:
    put(platform, "bad")
    ChangeFeedFollower(FEED, CONTAINER, Handler({"bad"}, ValueError("no title"))).run_once(platform)
    (record,) = poisoned(platform)
    still = Handler({"bad"}, ValueError("still no title"))
    assert replay(platform, record["id"], {FEED: still}) is False
    assert "still no title" in poisoned(platform)[0]["error"]
    put(platform, "bad", title="fixed")
    fixed = Handler(set(), ValueError())
    assert replay(platform, record["id"], {FEED: fixed}) is True
    assert fixed.handled == ["bad"] and poisoned(platform) == []
