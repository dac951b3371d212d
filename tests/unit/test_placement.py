"""Which change feeds the dedicated databases have followed: every follower of the platform, once for each
dedicated database of the placement map, and never the shared database its triggers already watch."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.bootstrap import bootstrap
from shared.errors import InvalidInput
from shared.placement import follow_placed_feeds, placed_followers
from shared.settings import Settings
from shared.worker import change_feed_followers


def test_every_follower_runs_once_for_each_dedicated_database_and_never_for_the_shared_one() -> None:
    settings = Settings(
        cosmos_database="lms",
        cosmos_placement={"acme": "lms-big", "globex": "lms-big", "initech": "lms-other", "moved-back": "lms"},
    )
    followed = {(f.name, f.container, f.placement) for f in placed_followers(settings)}
    assert followed == {
        (f.name, f.container, database) for f in change_feed_followers() for database in ("lms-big", "lms-other")
    }


def test_with_no_tenant_placed_a_run_follows_nothing(tmp_path: Path) -> None:
    assert placed_followers(Settings()) == []
    assert follow_placed_feeds(bootstrap(Settings(data_dir=tmp_path))) == 0


def test_a_failing_feed_does_not_hold_back_the_others_and_the_run_fails(tmp_path: Path) -> None:
    # The embedded store has no dedicated database, so every feed of one refuses to be read.
    platform = bootstrap(Settings(data_dir=tmp_path, cosmos_placement={"acme": "lms-big"}))
    with pytest.raises(ExceptionGroup) as raised:
        follow_placed_feeds(platform)
    failures = raised.value.exceptions
    assert len(failures) == len(change_feed_followers())
    assert all(isinstance(failure, InvalidInput) for failure in failures)
    assert {f.name for f in change_feed_followers()} == {
        note.split()[1] for failure in failures for note in failure.__notes__
    }
