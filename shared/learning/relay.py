"""Learning's outbox relay: the events recorded in progress documents go to the ``events`` topic from
the change feed of ``progress`` (the local worker's follower, the Cosmos DB trigger of
``functions/learning.py`` in Azure), and a ``CourseCompleted`` also to the ``certificates`` queue.
The relay itself is the platform's (``shared/platform/outbox.py``); this module names this reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.learning.events import COURSE_COMPLETED, PROGRESS
from shared.platform.outbox import OutboxRelay
from shared.platform.poison import handle_changes
from shared.platform.runtime import Platform
from shared.platform.topology import CERTIFICATES_QUEUE

__all__ = ["PROGRESS_FEED", "progress_relay", "relay_progress_change", "relay_progress_changes"]

# The name of this reader of the progress feed: the local follower's checkpoint and the trigger's lease prefix.
PROGRESS_FEED = "learning-outbox-relay"


def progress_relay() -> OutboxRelay:
    """A relay of progress documents with an empty memory (as a new process has)."""
    return OutboxRelay(PROGRESS_FEED, also_to={COURSE_COMPLETED: CERTIFICATES_QUEUE})


# The process's relay: the Functions host and the local worker keep it for the life of the process.
_relay = progress_relay()


def relay_progress_change(platform: Platform, doc: Mapping[str, Any]) -> None:
    """Publish the events recorded in one changed progress document that were not published yet."""
    _relay(platform, doc)


def relay_progress_changes(platform: Platform, docs: Iterable[Mapping[str, Any]]) -> int:
    """Publish the new events of a batch of changed progress documents; return how many documents were read."""
    return handle_changes(platform, PROGRESS_FEED, PROGRESS, docs, each=_relay, batch=_relay.relay_batch)
