"""The bus entities the platform uses. infra/ provisions the same names in Azure."""

from __future__ import annotations

from shared.platform.bus import BusTopology, EntityOptions

__all__ = [
    "ATTEMPT_DEADLINES_QUEUE",
    "BLOB_CONTAINERS",
    "BUS_TOPOLOGY",
    "CERTIFICATES_QUEUE",
    "EVENTS_TOPIC",
    "EVENT_SUBSCRIPTIONS",
    "LEASES",
    "QUEUES",
]

EVENTS_TOPIC = "events"
# One subscription per consuming context; each must have a consumer, or it fills with events until they expire.
# (Discovery indexes courses from the Cosmos change feed, not from events, so it has none.)
EVENT_SUBSCRIPTIONS = ("reporting", "notifications", "billing", "enrollment", "learning")
# CourseCompleted is also sent here, for the certificate issuer.
CERTIFICATES_QUEUE = "certificates"
# One message per timed attempt, scheduled for its deadline: the attempt is graded then, as it stands.
ATTEMPT_DEADLINES_QUEUE = "attempt-deadlines"
# Transcoding holds a message for minutes, so it is retried fewer times.
QUEUES = {
    CERTIFICATES_QUEUE: EntityOptions(lock_seconds=60, max_delivery_count=10),
    ATTEMPT_DEADLINES_QUEUE: EntityOptions(lock_seconds=60, max_delivery_count=10),
    # A short lock, renewed every 20 s while ffmpeg runs (shared/media/__init__.py): a transcode whose
    # worker died is delivered again within a minute (at once on the embedded bus, see _sqlite_bus.py).
    "transcode": EntityOptions(lock_seconds=60, max_delivery_count=3),
}

BUS_TOPOLOGY = BusTopology(
    queues=QUEUES,
    topics={EVENTS_TOPIC: {name: EntityOptions() for name in EVENT_SUBSCRIPTIONS}},
)

# The document container where change-feed followers keep their checkpoints.
LEASES = "leases"

# Blob containers: content teams' uploads, transcoded HLS media, issued certificates.
BLOB_CONTAINERS = ("uploads", "media", "certificates")
