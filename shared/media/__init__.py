"""Media: video lessons from upload to signed HLS playback, captions and transcripts."""

from shared.media.api import router
from shared.media.handlers import UploadWatcher, on_transcode_message
from shared.media.model import MEDIA_CONTAINER, TRANSCODE_QUEUE
from shared.media.service import PERSONAL_DATA
from shared.platform.contexts import ContextSpec
from shared.platform.jobs import BusConsumer, Upkeep
from shared.platform.topology import QUEUES

__all__ = ["SPEC"]


def _upkeep() -> tuple[Upkeep, ...]:
    return (Upkeep("media-upload-watcher", UploadWatcher()),)


SPEC = ContextSpec(
    "media",
    router=router,
    containers=(MEDIA_CONTAINER,),
    # One transcode at a time: each holds a CPU-heavy ffmpeg run for about as long as the video,
    # with its lock renewed while it runs.
    consumers=(
        BusConsumer(
            "media-transcode",
            TRANSCODE_QUEUE,
            on_transcode_message,
            batch=1,
            renew_every=QUEUES[TRANSCODE_QUEUE].lock_seconds / 3,
        ),
    ),
    upkeep=_upkeep,
    triggers=("functions.media",),
    personal_data=PERSONAL_DATA,
)
