"""A small HTTP/1.1 load generator over real sockets (asyncio streams, keep-alive), for ``bench.real``.

Requests are prepared as bytes, so the client spends as little of the shared cores as it can:
it writes a request, reads the status line and headers, then ``Content-Length`` bytes of body.
Two drivers: ``closed_loop`` (N connections, each sends its next request when the previous
answer is in: the server's throughput) and ``open_loop`` (requests fired at their scheduled times
whatever the server does, latency counted from the schedule, so a server that falls behind shows
its backlog instead of hiding it).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Connection", "Result", "closed_loop", "open_loop", "request_bytes"]

MAX_OPEN_CONNECTIONS = 512


def request_bytes(method: str, path: str, *, token: str | None = None, body: Any = None, port: int = 0) -> bytes:
    """One HTTP/1.1 request, ready to write."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: application/json"]
    if token is not None:
        lines.append(f"Authorization: Bearer {token}")
    payload = b""
    if body is not None:
        payload = json.dumps(body, separators=(",", ":")).encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    elif method in ("POST", "PUT", "PATCH"):
        lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


class Connection:
    """One keep-alive connection; reopened after the server closes it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        if self._writer is None or self._reader is None:
            self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self._reader, self._writer
        try:
            writer.write(raw)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            length, close = 0, False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "connection" and value.strip().lower() == "close":
                    close = True
            body = await reader.readexactly(length) if length else b""
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            self.close()
            raise
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


@dataclass
class Result:
    """What one run of one scenario against one server measured."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    late_start_max: float = 0.0  # open loop: how late the last request left (the client's own backlog)

    def record(self, status: int | None, latency: float) -> None:
        self.latencies.append(latency)
        if status is None or status >= 400:
            self.errors += 1
        key = -1 if status is None else status
        self.statuses[key] = self.statuses.get(key, 0) + 1

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def quantile_ms(self, q: int) -> float:
        if len(self.latencies) < 2:
            return (self.latencies[0] * 1000) if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1000


async def closed_loop(port: int, connections: int, seconds: float, next_request: Callable[[int], bytes]) -> Result:
    """``connections`` clients, each sending ``next_request(i)`` back to back for ``seconds``."""
    result = Result()
    counter = iter(range(1 << 62))
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        conn = Connection(port)
        try:
            while time.perf_counter() < deadline:
                raw = next_request(next(counter))
                start = time.perf_counter()
                try:
                    status, _ = await conn.send(raw)
                except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                    status = None
                result.record(status, time.perf_counter() - start)
        finally:
            conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    return result


async def open_loop(
    port: int, schedule: Sequence[tuple[float, bytes]], *, on_response: Callable[[int, bytes], None] | None = None
) -> Result:
    """Send each ``(offset, request)`` at ``offset`` seconds from the start, on an idle connection
    (a new one when all are busy, up to ``MAX_OPEN_CONNECTIONS``); latency runs from the offset."""
    result = Result()
    idle: list[Connection] = []
    opened = 0
    slots = asyncio.Semaphore(MAX_OPEN_CONNECTIONS)
    loop = asyncio.get_running_loop()
    begin = loop.time()

    async def fire(offset: float, raw: bytes) -> None:
        nonlocal opened
        async with slots:
            if idle:
                conn = idle.pop()
            else:
                conn, opened = Connection(port), opened + 1
            try:
                status, body = await conn.send(raw)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                status, body = None, b""
            result.record(status, loop.time() - begin - offset)
            idle.append(conn)
        if on_response is not None and status is not None:
            on_response(status, body)

    tasks = []
    for offset, raw in schedule:
        delay = begin + offset - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            result.late_start_max = max(result.late_start_max, -delay)
        tasks.append(asyncio.create_task(fire(offset, raw)))
    await asyncio.gather(*tasks)
    result.seconds = loop.time() - begin
    for conn in idle:
        conn.close()
    return result
