"""The change feeds of tenants placed in dedicated Cosmos DB databases.

``LMS_COSMOS_PLACEMENT`` can put a tenant in a database of its own, but a Cosmos DB trigger binds
to one database by name, and the triggers of ``functions/`` watch the shared one
(``%LMS_COSMOS_DATABASE%``). ``follow_placed_feeds`` does for every dedicated database what those
triggers do for the shared one: it runs the local worker's change-feed followers, with the same
handlers (outbox relays of progress, attempts and enrollments, the course index), over that
database's feed alone, so a placed tenant's events reach the bus and its courses the index.

Each follower of each database keeps its own checkpoint (see ``ChangeFeedFollower``); the handlers
are idempotent and publish with event ids as message ids, so a run that fails halfway and starts
again from its checkpoint changes nothing twice.
"""

from __future__ import annotations

from dataclasses import replace

from shared.platform.jobs import ChangeFeedFollower
from shared.platform.runtime import Platform
from shared.settings import Settings
from shared.worker import change_feed_followers

__all__ = ["MAX_PAGES_PER_RUN", "dedicated_databases", "follow_placed_feeds", "placed_followers"]

# Pages of one feed a run follows at most: a backlog spreads over a few runs instead of one that never ends.
MAX_PAGES_PER_RUN = 50


def dedicated_databases(settings: Settings) -> list[str]:
    """The databases the placement map puts tenants in, without the shared one (its triggers follow it)."""
    return sorted(set(settings.cosmos_placement.values()) - {settings.cosmos_database})


def placed_followers(settings: Settings) -> list[ChangeFeedFollower]:
    """Every change-feed follower of the platform, once for each dedicated database."""
    return [
        replace(follower, placement=database)
        for database in dedicated_databases(settings)
        for follower in change_feed_followers()
    ]


def follow_placed_feeds(platform: Platform) -> int:
    """Relay the events and index the courses of tenants in dedicated databases; return the changes handled.

    Every feed gets its turn even when another fails (one database down must not hold back the rest);
    the failures are raised together afterwards, each noted with its feed, so the run counts as failed
    and the next one starts each failed feed again from its checkpoint.
    """
    handled, failures = 0, list[Exception]()
    for follower in placed_followers(platform.settings):
        try:
            handled += _catch_up(follower, platform)
        except Exception as exc:  # noqa: BLE001 - every one is raised again below, in the group
            exc.add_note(f"following {follower.name} in the database {follower.placement}")
            failures.append(exc)
    if failures:
        raise ExceptionGroup("change feeds of dedicated databases failed", failures)
    return handled


def _catch_up(follower: ChangeFeedFollower, platform: Platform) -> int:
    """Follow one feed until it has nothing new or the run's page budget is spent. (A short page is no
    sign of the end: Cosmos DB may return fewer changes than asked for while more are waiting.)"""
    handled = 0
    for _ in range(MAX_PAGES_PER_RUN):
        changes = follower.run_once(platform)
        if changes == 0:
            break
        handled += changes
    return handled
