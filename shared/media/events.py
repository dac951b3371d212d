"""The domain event of media: ``VideoTranscoded``, sent once per asset when its HLS ladder is ready.

The transcoder sends it to the ``events`` topic itself (an asset is not a document written in a
request, so it needs no outbox): its id comes from the asset's, and its time is when the asset became
ready, so a repeated job sends the same event and the bus or the consumers drop it. Billing meters the
video minutes from it.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from shared.platform.events import Event

__all__ = ["VIDEO_TRANSCODED", "VideoTranscoded"]

VIDEO_TRANSCODED = "VideoTranscoded"


class VideoTranscoded(Event):
    """A video lesson's upload became a ready HLS ladder of ``durationSeconds`` of video."""

    TYPE: ClassVar[str] = VIDEO_TRANSCODED
    type: Literal["VideoTranscoded"] = "VideoTranscoded"
    courseId: str = Field(min_length=1)
    lessonId: str = Field(min_length=1)
    assetId: str = Field(min_length=1)
    durationSeconds: float = Field(ge=0, allow_inf_nan=False)
