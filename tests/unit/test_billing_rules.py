"""The rules of usage billing: calendar months in UTC, facts counted once, meter batches applied
once, storage peaks, and the in-memory request meter that flushes only what a write acknowledged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.billing.model import (
    ACTIVE_LEARNERS,
    ENROLLMENTS,
    VIDEO_SECONDS,
    fact_digest,
    fact_shard_id,
    month_of,
    new_fact_shard,
    new_month_doc,
    parse_month,
    usage_of,
    with_fact,
    with_meter_batch,
    with_storage,
)
from shared.errors import InvalidInput
from shared.platform.metering import API_REQUESTS, UsageMeter

KEY = b"k" * 32
T0 = datetime(2026, 3, 31, 23, 0, tzinfo=UTC)


def test_a_moment_is_billed_to_its_calendar_month_in_utc() -> None:
    assert month_of(datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC)) == "2026-03"
    assert month_of(datetime(2026, 4, 1, 0, 0, tzinfo=UTC)) == "2026-04"
    # 01:30 on 1 April in Paris is still March in UTC; 20:00 on 31 December in New York is January.
    assert month_of(datetime(2026, 4, 1, 1, 30, tzinfo=timezone(timedelta(hours=2)))) == "2026-03"
    assert month_of(datetime(2026, 12, 31, 20, 0, tzinfo=timezone(timedelta(hours=-5)))) == "2027-01"
    assert month_of(datetime(2026, 2, 28, 12, 0)) == "2026-02"  # a naive time is taken as UTC


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "26-01", "2026/01", "1999-12", "", "2026-01x"])
def test_a_malformed_month_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_month(text)


def test_a_well_formed_month_is_accepted() -> None:
    assert parse_month("2026-01") == "2026-01"


def test_a_fact_digest_is_stable_keyed_and_never_the_user_id() -> None:
    digest = fact_digest(KEY, ACTIVE_LEARNERS, "2026-03", "acme", "lea@example.com")
    assert digest == fact_digest(KEY, ACTIVE_LEARNERS, "2026-03", "acme", "lea@example.com")
    assert digest != fact_digest(b"x" * 32, ACTIVE_LEARNERS, "2026-03", "acme", "lea@example.com")
    assert digest != fact_digest(KEY, ACTIVE_LEARNERS, "2026-04", "acme", "lea@example.com")  # months unlinkable
    assert digest != fact_digest(KEY, ACTIVE_LEARNERS, "2026-03", "other", "lea@example.com")
    assert "lea" not in digest and "example" not in digest


def test_a_fact_already_in_its_shard_changes_nothing() -> None:
    digest = fact_digest(KEY, ENROLLMENTS, "2026-03", "acme", "event-1")
    shard = with_fact(new_fact_shard("2026-03", ENROLLMENTS, digest), digest, 1)
    assert shard is not None and shard.id == fact_shard_id("2026-03", ENROLLMENTS, digest)
    assert with_fact(shard, digest, 1) is None


def test_usage_counts_facts_and_sums_video_seconds_into_minutes() -> None:
    shards = []
    for metric, facts in ((ACTIVE_LEARNERS, {"a": 1, "b": 1}), (ENROLLMENTS, {"e": 1}), (VIDEO_SECONDS, {"v": 90.0})):
        shard = new_fact_shard("2026-03", metric, "0000")
        shards.append(shard.model_copy(update={"entries": facts}))
    shards.append(new_fact_shard("2026-03", VIDEO_SECONDS, "ffff").model_copy(update={"entries": {"w": 30.5}}))
    usage = usage_of("2026-03", None, shards)
    assert (usage.activeLearners, usage.enrollments, usage.videoMinutes) == (2, 1, 2.01)
    assert (usage.apiRequests, usage.requestCharges, usage.storageBytes) == (0, 0.0, 0)


def test_a_meter_batch_is_applied_once_however_often_it_is_written() -> None:
    meter = UsageMeter(instance="proc-1")
    batch = meter.batch("acme", {API_REQUESTS: 5.0, "requestCharges": 12.5}, "2026-03")
    assert batch is not None
    doc = with_meter_batch(new_month_doc("2026-03"), batch)
    assert doc is not None and (doc.apiRequests, doc.requestCharges) == (5, 12.5)
    assert with_meter_batch(doc, batch) is None  # the retry of a write that had landed


def test_a_second_meter_batch_adds_what_grew_since_the_first() -> None:
    meter = UsageMeter(instance="proc-1")
    first = meter.batch("acme", {API_REQUESTS: 5.0}, "2026-03")
    assert first is not None
    meter.acknowledge(first)
    assert meter.batch("acme", {API_REQUESTS: 5.0}, "2026-03") is None  # nothing new
    second = meter.batch("acme", {API_REQUESTS: 8.0}, "2026-03")
    assert second is not None and second.deltas == {API_REQUESTS: 3.0} and second.seq > first.seq
    doc = with_meter_batch(with_meter_batch(new_month_doc("2026-03"), first) or new_month_doc("2026-03"), second)
    assert doc is not None and doc.apiRequests == 8


def test_a_batch_that_was_not_acknowledged_is_sent_again_unchanged() -> None:
    meter = UsageMeter()
    pending = meter.batch("acme", {API_REQUESTS: 5.0}, "2026-03")
    # The write failed; more requests came; the retry is the same batch, the growth waits its turn.
    assert meter.batch("acme", {API_REQUESTS: 9.0}, "2026-04") == pending
    assert pending is not None
    meter.acknowledge(pending)
    later = meter.batch("acme", {API_REQUESTS: 9.0}, "2026-04")
    assert later is not None and later.deltas == {API_REQUESTS: 4.0} and later.label == "2026-04"


def test_meters_of_two_processes_do_not_shadow_each_other() -> None:
    one, two = UsageMeter(instance="proc-1"), UsageMeter(instance="proc-2")
    a, b = one.batch("acme", {API_REQUESTS: 2.0}, "2026-03"), two.batch("acme", {API_REQUESTS: 3.0}, "2026-03")
    assert a is not None and b is not None and a.seq == b.seq
    doc = with_meter_batch(with_meter_batch(new_month_doc("2026-03"), a) or new_month_doc("2026-03"), b)
    assert doc is not None and doc.apiRequests == 5


def test_the_request_meter_asks_for_a_flush_once_per_interval() -> None:
    meter = UsageMeter(flush_seconds=60)
    due = [meter.count_request("acme", T0 + timedelta(seconds=s)) for s in (0, 10, 59, 60, 61, 100, 120)]
    assert due == [False, False, False, True, False, False, True]
    assert meter.requests() == {"acme": 7}


def test_storage_keeps_the_latest_measurement_and_the_months_peak() -> None:
    doc = with_storage(new_month_doc("2026-03"), 500, T0)
    doc = with_storage(doc, 200, T0 + timedelta(hours=1))
    assert (doc.storageBytes, doc.storagePeakBytes) == (200, 500)
    assert doc.storageMeasuredAt == (T0 + timedelta(hours=1)).isoformat()
