"""Assessment's outbox relay: the ``QuizGraded`` events recorded in attempt documents go to the
``events`` topic from the change feed of ``attempts`` (the local worker's follower, the Cosmos DB
trigger of ``functions/assessment.py`` in Azure). The learning context counts them from its own
subscription. The relay is the platform's (``shared/platform/outbox.py``), with its own memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.platform.outbox import OutboxRelay
from shared.platform.runtime import Platform

__all__ = ["ATTEMPTS_FEED", "relay_attempt_change", "relay_attempt_changes"]

# This reader of the attempts feed: the local follower's checkpoint and the trigger's lease prefix.
ATTEMPTS_FEED = "assessment-outbox-relay"

_relay = OutboxRelay(ATTEMPTS_FEED)


def relay_attempt_change(platform: Platform, doc: Mapping[str, Any]) -> None:
    """Publish the not yet relayed events of one changed attempt document."""
    _relay(platform, doc)


def relay_attempt_changes(platform: Platform, docs: Iterable[Mapping[str, Any]]) -> int:
    """Publish the new events of a batch of changed attempts; return how many documents were read."""
    return _relay.relay_batch(platform, docs)
