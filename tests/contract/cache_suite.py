"""The contract of the Cache port, written only against the port.

Every adapter (embedded in-memory LRU, Redis) runs this suite by subclassing
``CacheContract`` in a ``test_*.py`` file and providing:

- ``cache``: the ``Cache`` under test, configured to spread TTLs by ``JITTER``;
- ``advance_clock``: a callable(seconds) that moves the adapter's time forward, or None
  when the adapter cannot control time (its expiry tests are then skipped).

Keys are fresh per test, so a shared Redis is safe.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from shared.platform.cache import Cache

AdvanceClock = Callable[[float], None] | None

JITTER = 0.1
TTL = 100.0
MARGIN = 0.01  # seconds either side of a jitter bound, clear of float rounding


def require(advance_clock: AdvanceClock) -> Callable[[float], None]:
    if advance_clock is None:
        pytest.skip("this adapter cannot move its clock")
    return advance_clock


class CacheContract:
    @pytest.fixture
    def key(self) -> Callable[[str], str]:
        prefix = f"contract:{uuid.uuid4().hex[:12]}:"
        return lambda name: prefix + name

    @pytest.mark.parametrize(
        "value",
        [
            {"course": "c-1", "tags": ["a", "b"], "nested": {"n": 1, "ok": True, "none": None}},
            ["x", 1, 2.5, False],
            "plain text ünï ✓",
            42,
            3.25,
            True,
            {},
            [],
        ],
        ids=["object", "array", "string", "int", "float", "bool", "empty-object", "empty-array"],
    )
    def test_json_values_round_trip(self, cache: Cache, key: Callable[[str], str], value: Any) -> None:
        cache.set(key("v"), value, TTL)
        assert cache.get(key("v")) == value

    def test_a_missing_key_reads_as_none(self, cache: Cache, key: Callable[[str], str]) -> None:
        assert cache.get(key("never-set")) is None

    def test_setting_a_key_again_replaces_its_value(self, cache: Cache, key: Callable[[str], str]) -> None:
        cache.set(key("k"), {"v": 1}, TTL)
        cache.set(key("k"), {"v": 2}, TTL)
        assert cache.get(key("k")) == {"v": 2}

    def test_changing_the_original_after_set_does_not_change_the_cached_value(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        original: dict[str, Any] = {"title": "before", "tags": ["a"]}
        cache.set(key("k"), original, TTL)
        original["title"] = "after"
        original["tags"].append("b")
        assert cache.get(key("k")) == {"title": "before", "tags": ["a"]}

    def test_changing_a_read_value_does_not_change_the_cached_value(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        cache.set(key("k"), {"tags": ["a"]}, TTL)
        read = cache.get(key("k"))
        read["tags"].append("b")
        assert cache.get(key("k")) == {"tags": ["a"]}

    @pytest.mark.parametrize("value", [object(), {"when": {1, 2}}, float("nan")], ids=["object", "set", "nan"])
    def test_a_value_that_is_not_json_is_refused(self, cache: Cache, key: Callable[[str], str], value: Any) -> None:
        with pytest.raises((TypeError, ValueError)):
            cache.set(key("k"), value, TTL)
        assert cache.get(key("k")) is None

    def test_a_deleted_key_reads_as_none_and_deleting_again_is_fine(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        cache.set(key("k"), "v", TTL)
        cache.set(key("other"), "kept", TTL)
        cache.delete(key("k"))
        cache.delete(key("k"))
        cache.delete(key("never-set"))
        assert cache.get(key("k")) is None
        assert cache.get(key("other")) == "kept"

    def test_an_entry_lives_at_least_its_ttl_less_the_jitter_and_at_most_plus_the_jitter(
        self, cache: Cache, key: Callable[[str], str], advance_clock: AdvanceClock
    ) -> None:
        advance = require(advance_clock)
        for i in range(50):
            cache.set(key(str(i)), i, TTL)
        advance(TTL * (1 - JITTER) - MARGIN)
        assert all(cache.get(key(str(i))) == i for i in range(50))
        advance(TTL * 2 * JITTER + 2 * MARGIN)
        assert all(cache.get(key(str(i))) is None for i in range(50))

    def test_entries_set_together_with_one_ttl_expire_at_different_times(
        self, cache: Cache, key: Callable[[str], str], advance_clock: AdvanceClock
    ) -> None:
        advance = require(advance_clock)
        for i in range(200):
            cache.set(key(str(i)), i, TTL)
        advance(TTL)
        alive = sum(cache.get(key(str(i))) is not None for i in range(200))
        assert 0 < alive < 200, f"{alive} of 200 entries alive exactly one TTL later: expiries are not spread"

    def test_setting_a_key_again_restarts_its_ttl(
        self, cache: Cache, key: Callable[[str], str], advance_clock: AdvanceClock
    ) -> None:
        advance = require(advance_clock)
        cache.set(key("k"), "old", TTL)
        advance(TTL * (1 - JITTER) - MARGIN)
        cache.set(key("k"), "new", TTL)
        advance(TTL * (1 - JITTER) - MARGIN)
        assert cache.get(key("k")) == "new"

    # --- token buckets (rate limits) --------------------------------------------------------------

    def test_a_new_bucket_is_full_and_then_says_how_long_until_the_next_token(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        bucket = key("bucket")
        assert [cache.take(bucket, 3, 0.5) for _ in range(3)] == [0.0, 0.0, 0.0]
        wait = cache.take(bucket, 3, 0.5)
        assert 1.0 < wait <= 2.0  # one token every 2 s, and a little of the next one may have come
        assert cache.take(bucket, 3, 0.5) > 0  # refused takes take nothing
        assert cache.take(key("another"), 3, 0.5) == 0.0  # buckets are apart

    def test_a_bucket_refills_at_its_rate_up_to_its_capacity(
        self, cache: Cache, key: Callable[[str], str], advance_clock: AdvanceClock
    ) -> None:
        advance = require(advance_clock)
        bucket = key("refill")
        for _ in range(2):
            assert cache.take(bucket, 2, 1.0) == 0.0
        assert cache.take(bucket, 2, 1.0) > 0
        advance(1.0)
        assert cache.take(bucket, 2, 1.0) == 0.0
        assert cache.take(bucket, 2, 1.0) > 0
        advance(60.0)  # long idle: full again, never more than its capacity
        assert [cache.take(bucket, 2, 1.0) for _ in range(3)][:2] == [0.0, 0.0]
        assert cache.take(bucket, 2, 1.0) > 0

    def test_concurrent_takes_never_hand_out_more_tokens_than_the_bucket_holds(
        self, cache: Cache, key: Callable[[str], str]
    ) -> None:
        import threading

        bucket, taken, lock = key("race"), [], threading.Lock()

        def take_some() -> None:
            for _ in range(10):
                if cache.take(bucket, 20, 0.001) == 0.0:
                    with lock:
                        taken.append(1)

        threads = [threading.Thread(target=take_some) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(taken) == 20
