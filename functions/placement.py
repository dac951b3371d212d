"""The change feeds of dedicated databases: one Cosmos DB trigger for each feed of each database.

A Cosmos DB trigger binds to one database by name, and those of learning, assessment, enrollment and
discovery watch the shared one (``%LMS_COSMOS_DATABASE%``). For each dedicated database that
``LMS_COSMOS_PLACEMENT`` names, this module registers, when the host indexes the app, a trigger per
change-feed reader (the same followers the local worker runs, with the same handlers), whose leases
live in the shared database's lease container under a prefix of their own. The host indexes the
functions at start, and a change of an app setting restarts the app: placing a tenant in a new
database is a settings change, as before. With no tenant placed, nothing is registered, and nothing
wakes an instance up (a 10-second timer used to poll every database instead).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import azure.functions as func

from functions._bindings import COSMOS_CONNECTION, COSMOS_DATABASE
from shared.bootstrap import default_platform
from shared.placement import dedicated_databases
from shared.platform.jobs import ChangeFeedFollower
from shared.platform.poison import handle_changes
from shared.platform.topology import LEASES
from shared.settings import Settings
from shared.worker import change_feed_followers

__all__ = ["bp", "function_name", "lease_prefix"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


def function_name(follower: ChangeFeedFollower, database: str) -> str:
    """A function name the host accepts (letters, digits, underscores), one per feed and database."""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"follow_{follower.name}_in_{database}")


def lease_prefix(follower: ChangeFeedFollower, database: str) -> str:
    """The leases of this feed in this database, apart from the shared database's (``<feed>-``)."""
    return f"{follower.name}.{database}-"


def _handler(follower: ChangeFeedFollower, database: str) -> Callable[[func.DocumentList], None]:
    def follow(changes: func.DocumentList) -> None:
        docs = [change.to_dict() for change in changes]
        feed = f"{follower.name}.{database}"
        handle_changes(default_platform(), feed, follower.container, docs, lambda p, d: follower.handler(p, dict(d)))

    follow.__name__ = function_name(follower, database)
    follow.__doc__ = f"{follower.name}: the changes of {follower.container} in the dedicated database {database}."
    return follow


def register(blueprint: func.Blueprint, settings: Settings) -> list[str]:
    """Register a trigger for every feed of every dedicated database; return the function names."""
    names = []
    for database in dedicated_databases(settings):
        for follower in change_feed_followers():
            handler = _handler(follower, database)
            # -1: retry until it succeeds, as the shared database's triggers do (poison is set aside).
            blueprint.retry("exponential_backoff", "-1", minimum_interval="00:00:05", maximum_interval="00:15:00")(
                blueprint.cosmos_db_trigger(
                    arg_name="changes",
                    connection=COSMOS_CONNECTION,
                    database_name=database,
                    container_name=follower.container,
                    lease_database_name=COSMOS_DATABASE,
                    lease_container_name=LEASES,
                    create_lease_container_if_not_exists=False,
                    lease_container_prefix=lease_prefix(follower, database),
                )(handler)
            )
            names.append(handler.__name__)
    return names


register(bp, Settings())
