"""Transcode benchmark: a generated 60-second 1080p clip through the HLS ladder.

Prints the wall time of each rendition (and of the poster) and the realtime factor: seconds of
video encoded per second of wall time, for each rendition and for the whole ladder.
``python -m bench.media [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from shared.media.model import ladder_for
from shared.media.transcode import ffmpeg_binary, poster, probe, transcode_rendition
from tests.media_clips import make_clip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.media")
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    binary = ffmpeg_binary()
    if binary is None:
        print("no ffmpeg: install it or imageio-ffmpeg", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="lms-bench-media-") as folder:
        work = Path(folder)
        source = make_clip(work / "source.mp4", seconds=args.seconds, width=1920, height=1080)
        found = probe(source)
        print(f"ffmpeg: {binary}\nsource: {found.width}x{found.height}, {found.duration:.1f} s, {found.video_codec}")
        total = 0.0
        for rung in ladder_for(found.height):
            done = transcode_rendition(source, found, rung, work / "out")
            total += done.seconds
            print(f"{rung.name:>6}: {done.seconds:6.2f} s wall, {found.duration / done.seconds:5.2f}x realtime")
        started = time.perf_counter()
        poster(source, found, work / "out" / "poster.jpg")
        total += time.perf_counter() - started
        print(f"poster: {time.perf_counter() - started:6.2f} s wall")
        print(f"ladder: {total:6.2f} s wall, {found.duration / total:5.2f}x realtime")
    return 0


if __name__ == "__main__":
    sys.exit(main())
