"""Enrollment's triggers: its subscription of the events topic marks enrollments completed, and the
change feed of the enrollments container relays the EnrollmentCreated events of their outboxes.

A message that fails raises, so Service Bus delivers it again and dead-letters it after the
subscription's maximum delivery count; the handler is idempotent, so redeliveries are harmless.
A change-feed batch that fails is retried (with backoff, without a limit) before the lease moves on,
since a skipped change could hold the only version an event is relayed from; republishing is
harmless (message ids are event ids).
"""

from __future__ import annotations

import azure.functions as func

from functions._bindings import COSMOS_CONNECTION, COSMOS_DATABASE
from shared.bootstrap import default_platform
from shared.enrollment.model import ENROLLMENTS
from shared.enrollment.relay import ENROLLMENTS_FEED, relay_enrollment_changes
from shared.platform.topology import LEASES

__all__ = ["bp"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


# -1: retry until it succeeds; the backoff grows from seconds to a quarter of an hour while the bus is down.
@bp.retry("exponential_backoff", "-1", minimum_interval="00:00:05", maximum_interval="00:15:00")
@bp.cosmos_db_trigger(
    arg_name="changes",
    connection=COSMOS_CONNECTION,
    database_name=COSMOS_DATABASE,
    container_name=ENROLLMENTS,
    lease_container_name=LEASES,
    create_lease_container_if_not_exists=False,
    lease_container_prefix=f"{ENROLLMENTS_FEED}-",
)
def relay_enrollment_events(changes: func.DocumentList) -> None:
    """Publish the outbox events of a batch of changed enrollments; a failure fails the batch."""
    relay_enrollment_changes(default_platform(), (change.to_dict() for change in changes))
