"""Enrollment's outbox relay: the ``EnrollmentCreated`` events recorded in enrollment documents go to
the ``events`` topic from the change feed of ``enrollments`` (the local worker's follower, the Cosmos DB
trigger of ``functions/enrollment.py`` in Azure). The relay is the platform's, with its own memory;
message ids are event ids, so a republished event is dropped or ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.enrollment.model import ENROLLMENTS
from shared.platform.outbox import OutboxRelay
from shared.platform.poison import handle_changes
from shared.platform.runtime import Platform

__all__ = ["ENROLLMENTS_FEED", "relay_enrollment_change", "relay_enrollment_changes"]

# This reader of the enrollments feed: the local follower's checkpoint and the trigger's lease prefix.
ENROLLMENTS_FEED = "enrollment-outbox-relay"

_relay = OutboxRelay(ENROLLMENTS_FEED)


def relay_enrollment_change(platform: Platform, doc: Mapping[str, Any]) -> None:
    """Publish the not yet relayed events of one changed enrollment document."""
    _relay(platform, doc)


def relay_enrollment_changes(platform: Platform, docs: Iterable[Mapping[str, Any]]) -> int:
    """Publish the new events of a batch of changed enrollments; return how many documents were read."""
    return handle_changes(platform, ENROLLMENTS_FEED, ENROLLMENTS, docs, each=_relay, batch=_relay.relay_batch)
