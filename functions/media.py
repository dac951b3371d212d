"""Media's trigger: a blob created in the uploads container (delivered by Event Grid, as Flex
Consumption requires) is validated and queued for transcoding.

The handler reads the blob again through the blob port in chunks and decides from its name; a file
that is not a video is marked failed without raising, while an infrastructure failure raises so the
trigger retries. The transcode queue itself is consumed by the transcoder container
(``python -m shared.worker --entity transcode``), not by this app.
"""

from __future__ import annotations

import azure.functions as func

from functions._bindings import STORAGE_CONNECTION
from shared.bootstrap import default_platform
from shared.media.handlers import on_upload
from shared.media.model import UPLOADS

__all__ = ["bp"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


@bp.blob_trigger(
    arg_name="blob", path=f"{UPLOADS}/{{name}}", connection=STORAGE_CONNECTION, source=func.BlobSource.EVENT_GRID
)
def validate_upload(blob: func.InputStream) -> None:
    """Hand a new upload's name to the media context, which validates it and queues its transcode."""
    name = str(blob.name or "").removeprefix(f"{UPLOADS}/")
    on_upload(default_platform(), name)
