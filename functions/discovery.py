"""Discovery's trigger: the change feed of the catalog's courses container keeps the course index.

A batch that fails raises; the retry policy runs it again (with backoff, without a limit) before
the lease moves on, because a skipped change would leave a withdrawn course findable, or a new one
missing, until the course changes again. The handler is idempotent, so retries are harmless.
"""

from __future__ import annotations

import azure.functions as func

from functions._bindings import COSMOS_CONNECTION, COSMOS_DATABASE
from shared.bootstrap import default_platform
from shared.catalog.model import COURSES
from shared.discovery.handlers import COURSE_FEED, index_course_changes
from shared.platform.topology import LEASES

__all__ = ["bp"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


# -1: retry until it succeeds; the backoff grows from seconds to a quarter of an hour while the index is down.
@bp.retry("exponential_backoff", "-1", minimum_interval="00:00:05", maximum_interval="00:15:00")
@bp.cosmos_db_trigger(
    arg_name="changes",
    connection=COSMOS_CONNECTION,
    database_name=COSMOS_DATABASE,
    container_name=COURSES,
    lease_container_name=LEASES,
    # Bicep provisions the lease container; each reader of a feed keeps its own leases in it.
    create_lease_container_if_not_exists=False,
    lease_container_prefix=f"{COURSE_FEED}-",
)
def index_changed_courses(changes: func.DocumentList) -> None:
    """Bring the course index in line with a batch of changed course documents; a failure fails the batch."""
    index_course_changes(default_platform(), (change.to_dict() for change in changes))
