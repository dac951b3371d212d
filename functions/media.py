"""Media's trigger: a blob created in the uploads container (delivered by Event Grid, as Flex
Consumption requires) is validated and queued for transcoding.

The trigger binds a ``BlobClient`` (the SDK-type binding of ``azurefunctions-extensions-bindings-blob``),
not an ``InputStream``: with an ``InputStream`` the host reads the whole blob and sends it to the worker
before the function runs, so a multi-gigabyte upload would exhaust memory or the gRPC limit and retry
into the poison queue instead of failing cleanly on its size. Only the name is used: the handler reads
the blob's size first and then the bytes through the blob port in chunks. A file that is not a video
is marked failed without raising, while an infrastructure failure raises so the trigger retries.
The transcode queue itself is consumed by the transcoder (``python -m shared.worker --entity
transcode``), not by this app.
"""

from __future__ import annotations

import azure.functions as func
import azurefunctions.extensions.bindings.blob as blob_types

from functions._bindings import STORAGE_CONNECTION
from shared.bootstrap import default_platform
from shared.media.handlers import on_upload
from shared.media.model import UPLOADS

__all__ = ["bp"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


@bp.blob_trigger(
    arg_name="client", path=f"{UPLOADS}/{{name}}", connection=STORAGE_CONNECTION, source=func.BlobSource.EVENT_GRID
)
def validate_upload(client: blob_types.BlobClient) -> None:
    """Hand a new upload's name to the media context, which validates it and queues its transcode."""
    on_upload(default_platform(), str(client.blob_name))
