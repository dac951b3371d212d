"""An upload is probed where it lies: over a read URL, ffprobe reads a few range requests' worth of
a large file, not the file; the same checks refuse what is not an acceptable video."""

from __future__ import annotations

import re
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shared.media.transcode import BadMedia, probe
from tests.media_clips import make_clip, needs_ffmpeg

pytestmark = [
    needs_ffmpeg,
    pytest.mark.skipif(shutil.which("ffprobe") is None, reason="the URL probe runs ffprobe"),
]


CHUNK = 16 * 1024


class RangeServer(ThreadingHTTPServer):
    """Serves files of one folder with HTTP range requests (as Blob Storage does), counting bytes sent."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.sent = folder, 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), RangeHandler)


class RangeHandler(BaseHTTPRequestHandler):
    server: RangeServer

    def log_message(self, *_: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.server.folder / self.path.split("?")[0].lstrip("/")
        if not path.is_file():
            self.send_error(404)
            return
        data, size = path.read_bytes(), path.stat().st_size
        found = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        start, end = (int(found.group(1)), int(found.group(2) or size - 1)) if found else (0, size - 1)
        end = min(end, size - 1)
        body = data[start : end + 1]
        self.send_response(206 if found else 200)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(body)))
        if found:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        # Small writes into a small send buffer: what is counted is about what the reader took
        # before it closed the stream (ffprobe stops reading once it has what it needs).
        for offset in range(0, len(body), CHUNK):
            try:
                self.wfile.write(body[offset : offset + CHUNK])
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return
            with self.server.lock:
                self.server.sent += len(body[offset : offset + CHUNK])

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, CHUNK)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[RangeServer]:
    server = RangeServer(tmp_path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_large_upload_is_probed_over_its_url_reading_a_small_part_of_it(served: RangeServer) -> None:
    clip = make_clip(served.folder / "lecture.mp4", seconds=40, width=1280, height=720)
    size = clip.stat().st_size
    found = probe(f"http://127.0.0.1:{served.server_address[1]}/lecture.mp4?sig=x")
    assert (found.width, found.height, found.has_audio) == (1280, 720, True)
    assert found.duration == pytest.approx(40, abs=0.5)
    assert served.sent < size / 4, f"the probe read {served.sent} of {size} bytes"


def test_a_file_that_is_not_a_video_is_refused_over_its_url(served: RangeServer) -> None:
    (served.folder / "notes.mp4").write_bytes(b"these are not the frames you are looking for" * 1000)
    with pytest.raises(BadMedia):
        probe(f"http://127.0.0.1:{served.server_address[1]}/notes.mp4")
    with pytest.raises(BadMedia):
        probe(f"http://127.0.0.1:{served.server_address[1]}/missing.mp4")
