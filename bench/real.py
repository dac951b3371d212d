"""Benchmarks over real sockets: the platform as ``make run`` starts it, beside a bare FastAPI app.

Starts, each in its own process on a free 127.0.0.1 port, the platform (``bench.server``: what
``make run`` runs, on a fresh data folder with the demo tenant seeded, its worker in-process) and a
bare FastAPI + uvicorn app answering the same JSON (``bench.bare``). Seeds the demo tenant over
HTTP (40 published courses, 4 video courses with 50 enrolled learners, an exam of 20 questions
drawn from 40 with 1,000 enrolled learners), then drives both with the asyncio load generator of
``bench.load``, bare and platform alternated, and prints per scenario req/s, p50, p99, errors, the
ratio to bare, and the document-store operations per request:

- ``catalog``: the learner catalog list (cached), 64 connections, closed loop
- ``me``: ``GET /me`` of the demo learner, 64 connections, closed loop
- ``progress``: progress batches of 10-60 events from 50 learners, 32 connections, closed loop
- ``mix``: the launch-day mix, open loop, 700 catalog + 35 progress requests a second
  (latency counted from each request's scheduled time, so a backlog shows)
- ``quiz``: 500 quiz starts within 1 s (open loop), on a store with no attempts and again after
  10,000 attempts of other learners and another quiz are stored (platform only)

Numbers, never assertions. ``make bench`` runs it; ``python -m bench.real --full`` runs the mix
for the full 60 s, ``--only catalog,me`` picks scenarios, ``--rounds 2`` alternates twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.load import Connection, Result, closed_loop, open_loop, request_bytes
from bench.server import COUNTS_FILE
from shared.learning.events import PROGRESS
from shared.localrun import DEMO_TENANT
from shared.platform._sqlite_documents import SqliteDocumentStore
from shared.platform.identity import DevIssuer
from shared.roles import Role
from shared.settings import Settings
from tests.counting import READS, WRITES

SCENARIOS = ("catalog", "me", "progress", "mix", "quiz")
CATALOG_COURSES = 40
PROGRESS_COURSES = 4
PROGRESS_LEARNERS = 50
VIDEO_SECONDS = 1_800
QUIZ_LEARNERS = 500  # per burst
QUESTIONS, DRAW = 40, 20
EXAM_COURSE, EXAM, OTHER_EXAM = "exam-course", "final-exam", "mid-term"
STORED_ATTEMPTS = 10_000
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    data_dir: Path | None = None

    def counts(self) -> dict[tuple[str, str], int]:
        """The platform's store operations so far (SIGUSR1 makes bench.server write them)."""
        if self.data_dir is None:
            return {}
        path = self.data_dir / COUNTS_FILE
        before = path.stat().st_mtime_ns if path.exists() else 0
        self.process.send_signal(signal.SIGUSR1)
        for _ in range(200):
            if path.exists() and path.stat().st_mtime_ns != before:
                with contextlib.suppress(ValueError):
                    return {(op, c): n for op, c, n in json.loads(path.read_text())}
            time.sleep(0.01)
        return {}

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(name: str, args: list[str], env: dict[str, str], log: Path, data_dir: Path | None = None) -> Server:
    port = free_port()
    out = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", *args, "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
    )
    server = Server(name, port, process, data_dir)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}; see {log}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return server
        time.sleep(0.3)
    server.stop()
    raise SystemExit(f"{name} did not answer within 180 s; see {log}")


class Seeder:
    """Seeds the demo tenant through the platform's API, as its instructor and learners would."""

    def __init__(self, port: int, issuer: DevIssuer) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.port = port
        self.issuer = issuer
        self.http = httpx.Client(base_url=self.base, timeout=60)
        self.author = self.bearer("instructor", Role.INSTRUCTOR)

    def token(self, user: str, role: Role = Role.LEARNER) -> str:
        return self.issuer.issue(user_id=user, tenant_id=DEMO_TENANT, roles=[role], ttl_seconds=4 * 3600)

    def bearer(self, user: str, role: Role = Role.LEARNER) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user, role)}"}

    def call(self, method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        response = self.http.request(method, url, json=body, headers=headers or self.author)
        if response.status_code >= 400:
            raise SystemExit(f"seeding {method} {url}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None

    def course(self, course_id: str, lessons: list[dict[str, Any]], **extra: Any) -> None:
        self.call("POST", "/api/v1/courses", {"id": course_id, "title": course_id.title(), **extra})
        outline = {"modules": [{"id": "m", "title": "M", "lessons": lessons}]}
        self.call("PUT", f"/api/v1/courses/{course_id}/outline", outline)

    def publish(self, course_id: str) -> None:
        self.call("POST", f"/api/v1/courses/{course_id}/publish")

    def enroll(self, users: list[str], course: str) -> None:
        """Self-enrollments, 16 at a time over the load generator's connections."""
        requests = [request_bytes("POST", f"/api/v1/courses/{course}/enrollments", token=self.token(u)) for u in users]
        result = asyncio.run(run_all(self.port, requests, 16))
        if result.errors:
            raise SystemExit(f"enrolling in {course}: {result.statuses}")


async def run_all(port: int, requests: list[bytes], connections: int) -> Result:
    """Each request once, over ``connections`` connections."""
    result, queue = Result(), list(reversed(requests))

    async def client() -> None:
        conn = Connection(port)
        while queue:
            raw, begin = queue.pop(), time.perf_counter()
            try:
                status, _ = await conn.send(raw)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                status = None
            result.record(status, time.perf_counter() - begin)
        conn.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    return result


def seed(seeder: Seeder) -> dict[str, Any]:
    text = [{"id": f"l{n}", "title": f"Lesson {n}", "kind": "text", "text": "Body"} for n in range(12)]
    for n in range(CATALOG_COURSES):
        course = f"course-{n:02d}"
        seeder.course(course, text, summary="A course " * 10, tags=["bench", f"t{n % 5}"])
        seeder.publish(course)
    videos = [
        {"id": f"v{n}", "title": f"Video {n}", "kind": "video", "durationSeconds": VIDEO_SECONDS} for n in range(6)
    ]
    progress_courses = [f"video-course-{n}" for n in range(PROGRESS_COURSES)]
    for course in progress_courses:
        seeder.course(course, videos)
        seeder.publish(course)
    for n, course in enumerate(progress_courses):
        # Each learner is enrolled in two courses: their own and the next (a batch touches both).
        users = [f"p{i}" for i in range(PROGRESS_LEARNERS) if i % PROGRESS_COURSES in (n, (n - 1) % PROGRESS_COURSES)]
        seeder.enroll(users, course)
    bank = seeder.call("POST", "/api/v1/question-banks", {"title": "Exam bank"})["id"]
    for n in range(QUESTIONS):
        options = [{"id": o, "text": f"{o} {n}"} for o in "abcd"]
        question = {"type": "single_choice", "prompt": f"Q{n}?", "options": options, "correct": ["a"]}
        seeder.call("POST", f"/api/v1/question-banks/{bank}/questions", question)
    exams = [{"id": quiz, "title": quiz, "kind": "quiz"} for quiz in (EXAM, OTHER_EXAM)]
    seeder.course(EXAM_COURSE, exams)
    seeder.publish(EXAM_COURSE)
    settings = {"pools": [{"bankId": bank, "count": DRAW}], "timeLimitSeconds": 3600, "attemptsAllowed": 1}
    for quiz in (EXAM, OTHER_EXAM):
        seeder.call("PUT", f"/api/v1/courses/{EXAM_COURSE}/lessons/{quiz}/quiz", settings)
    seeder.enroll([f"q{i}" for i in range(2 * QUIZ_LEARNERS)], EXAM_COURSE)
    return {"progress_courses": progress_courses}


class Workload:
    """The requests of each scenario, as bytes, for either server (same bytes, same tokens)."""

    def __init__(self, seeder: Seeder, progress_courses: list[str]) -> None:
        self.courses = progress_courses
        self.catalog_tokens = [seeder.token(f"c{n}") for n in range(256)]
        self.me_token = seeder.token("learner")  # the demo tenant's registered learner
        self.progress_tokens = [seeder.token(f"p{n}") for n in range(PROGRESS_LEARNERS)]
        self.quiz_tokens = [seeder.token(f"q{n}") for n in range(2 * QUIZ_LEARNERS)]
        self.run_id = 0
        self.rng = random.Random(20261125)

    def catalog(self, port: int) -> Callable[[int], bytes]:
        prepared = [request_bytes("GET", "/api/v1/courses?limit=20", token=t, port=port) for t in self.catalog_tokens]
        return lambda i: prepared[i % len(prepared)]

    def me(self, port: int) -> Callable[[int], bytes]:
        prepared = request_bytes("GET", "/api/v1/me", token=self.me_token, port=port)
        return lambda i: prepared

    def progress(self, port: int) -> Callable[[int], bytes]:
        """Batches of 10-60 watch events of 5 s, each learner moving on through their videos; every
        ~15th event on their second course. Batch ids are unique across runs."""
        self.run_id += 1
        run, rng = self.run_id, self.rng

        def make(i: int) -> bytes:
            learner, turn = i % PROGRESS_LEARNERS, i // PROGRESS_LEARNERS
            course = self.courses[learner % PROGRESS_COURSES]
            other = self.courses[(learner + 1) % PROGRESS_COURSES]
            start = (turn * 300 + rng.randrange(0, 60)) % (VIDEO_SECONDS - 400)
            events = [
                {
                    "type": "watch",
                    "courseId": other if n % 15 == 14 else course,
                    "lessonId": f"v{(turn // 5) % 6}",
                    "from": start + 5 * n,
                    "to": start + 5 * n + 5,
                    "activeSeconds": 5,
                }
                for n in range(rng.randint(10, 60))
            ]
            body = {"batchId": f"r{run}-{i}", "events": events}
            return request_bytes("POST", "/api/v1/progress", token=self.progress_tokens[learner], body=body, port=port)

        return make

    def mix(self, port: int, seconds: float) -> list[tuple[float, bytes]]:
        catalog, progress = self.catalog(port), self.progress(port)
        schedule = [(n / 700, catalog(n)) for n in range(int(700 * seconds))]
        schedule += [(n / 35 + 0.013, progress(n)) for n in range(int(35 * seconds))]
        return sorted(schedule, key=lambda item: item[0])

    def quiz_burst(self, port: int, first: int) -> list[tuple[float, bytes]]:
        url = f"/api/v1/courses/{EXAM_COURSE}/lessons/{EXAM}/attempts"
        tokens = self.quiz_tokens[first : first + QUIZ_LEARNERS]
        return [(n / QUIZ_LEARNERS, request_bytes("POST", url, token=t, port=port)) for n, t in enumerate(tokens)]


def store_attempts(data_dir: Path, count: int) -> None:
    """``count`` attempts of other learners, on the exam and on another quiz, written straight into
    the platform's SQLite file (as copies of a real one, each under its deterministic id)."""
    store = SqliteDocumentStore(data_dir / "documents.sqlite3")
    db = store._db.connection()
    body, ts = db.execute(
        "SELECT body, ts FROM documents WHERE container = 'attempts' AND pk = ? LIMIT 1", (DEMO_TENANT,)
    ).fetchone()
    template = json.loads(body)
    rows = []
    for n in range(count):
        user, lesson = f"other{n}", (EXAM if n % 2 else OTHER_EXAM)
        key = "|".join([DEMO_TENANT, user, EXAM_COURSE, lesson, "1"])
        doc_id = hashlib.sha256(key.encode()).hexdigest()[:32]
        doc = {**template, "id": doc_id, "userId": user, "lessonId": lesson}
        rows.append((doc_id, json.dumps(doc, separators=(",", ":"))))
    with store._db.write() as tx:
        for doc_id, text in rows:
            lsn = tx.execute("UPDATE sequence SET value = value + 1 WHERE name = 'lsn' RETURNING value").fetchone()[0]
            tx.execute(
                "INSERT INTO documents (container, pk, id, body, etag, ts, lsn, expires_at) "
                "VALUES ('attempts', ?, ?, ?, ?, ?, ?, NULL)",
                (DEMO_TENANT, doc_id, text, f'"{doc_id}"', ts, lsn),
            )
    store.close()


@dataclass
class Row:
    scenario: str
    target: str
    result: Result
    reads: float = float("nan")
    writes: float = float("nan")
    progress_writes: float = float("nan")


def measured(server: Server, run: Callable[[], Result], scenario: str) -> Row:
    before = server.counts()
    result = run()
    after = server.counts()
    row = Row(scenario, server.name, result)
    if before or after:
        diff = {key: after.get(key, 0) - before.get(key, 0) for key in after}
        count = max(result.count, 1)
        row.reads = sum(n for (op, _), n in diff.items() if op in READS and op != "read_changes") / count
        row.writes = sum(n for (op, _), n in diff.items() if op in WRITES) / count
        row.progress_writes = sum(n for (op, c), n in diff.items() if op in WRITES and c == PROGRESS) / count
    return row


def print_rows(rows: list[Row]) -> None:
    head = f"{'scenario':<34}{'server':<10}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>7}"
    print(head + f"{'reads/req':>11}{'writes/req':>11}")
    bare = {r.scenario: r for r in rows if r.target == "bare"}
    for row in rows:
        ceiling = bare.get(row.scenario)
        ratio = f"{row.result.rate / ceiling.result.rate:.2f}" if ceiling and row.target != "bare" else "-"
        counts = f"{row.reads:>11.2f}{row.writes:>11.2f}" if row.reads == row.reads else f"{'':>22}"
        print(
            f"{row.scenario:<34}{row.target:<10}{row.result.rate:>8,.0f}{row.result.quantile_ms(50):>9.1f}"
            f"{row.result.quantile_ms(99):>9.1f}{row.result.errors:>8}{ratio:>7}{counts}"
        )
    print("(reads/writes: document-store operations per request in the platform process, change feed excluded)")
    for row in rows:
        if row.scenario.startswith("progress") and row.target == "platform":
            print(f"progress: {row.progress_writes:.2f} writes to the progress container per batch")
        if row.result.late_start_max > 0.05:
            print(f"{row.scenario} ({row.target}): the client fell {row.result.late_start_max * 1000:.0f} ms behind")


@contextlib.contextmanager
def servers(folder: Path) -> Iterator[tuple[Server, Path]]:
    data_dir = folder / "data"
    env = {
        **os.environ,
        "LMS_DATA_DIR": str(data_dir),
        # Many requests per learner: the per-user limit (600 a minute) would answer 429s; the
        # buckets are still drawn from on every request.
        "LMS_RATE_LIMIT_USER_PER_MINUTE": "100000000",
        "LMS_RATE_LIMIT_TENANT_PER_MINUTE": "100000000",
    }
    env.pop("LMS_PROFILE", None)
    platform = start("platform", ["bench.server"], env, folder / "platform.log", data_dir)
    try:
        yield platform, data_dir
    finally:
        platform.stop()


def wait_for_demo_video(seeder: Seeder) -> None:
    """The demo welcome video is transcoded by the worker at the first start: let it finish first."""
    url = "/api/v1/courses/getting-started/lessons/welcome/video"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = seeder.http.get(url, headers=seeder.author).json().get("status")
        if status in ("ready", "failed", "none"):
            return
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.real")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each closed-loop run")
    parser.add_argument("--mix-seconds", type=float, default=15.0, help="length of the launch-day mix")
    parser.add_argument("--full", action="store_true", help="the launch-day mix for the full 60 s")
    parser.add_argument("--rounds", type=int, default=1, help="bare/platform alternations per scenario")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    if unknown := set(chosen) - set(SCENARIOS):
        raise SystemExit(f"unknown scenarios: {sorted(unknown)}; pick from {SCENARIOS}")
    mix_seconds = 60.0 if args.full else args.mix_seconds
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp, servers(Path(tmp)) as (platform, data_dir):
        folder = Path(tmp)
        settings = Settings(data_dir=data_dir)
        issuer = DevIssuer(data_dir / "keys", issuer=settings.auth_issuer, audience=settings.auth_audience)
        seeder = Seeder(platform.port, issuer)
        wait_for_demo_video(seeder)
        print("seeding the demo tenant over HTTP ...", flush=True)
        seeded = seed(seeder)
        work = Workload(seeder, seeded["progress_courses"])
        me = seeder.token("learner")
        sample_batch = work.progress(platform.port)(10**9)
        progress_answer = asyncio.run(run_all(platform.port, [sample_batch], 1))
        bodies = {
            "catalog": seeder.call("GET", "/api/v1/courses?limit=20", headers={"Authorization": f"Bearer {me}"}),
            "me": seeder.call("GET", "/api/v1/me", headers={"Authorization": f"Bearer {me}"}),
            "progress": {"accepted": 1, "rejected": []},
        }
        if progress_answer.errors:
            raise SystemExit(f"a progress batch was refused: {progress_answer.statuses}")
        bodies_file = folder / "bodies.json"
        bodies_file.write_text(json.dumps(bodies))
        bare = start("bare", ["bench.bare", "--bodies", str(bodies_file)], dict(os.environ), folder / "bare.log")
        try:
            for scenario in chosen:
                print(f"running {scenario} ...", flush=True)
                rows += run_scenario(scenario, args, mix_seconds, work, platform, bare, data_dir)
        finally:
            bare.stop()
    print("\nreal sockets on 127.0.0.1, platform as `make run` starts it vs bare FastAPI + uvicorn (same JSON)")
    print(
        f"closed loops {args.seconds:.0f} s, mix {mix_seconds:.0f} s open loop, {args.rounds} round(s); shared machine"
    )
    print_rows(rows)


def run_scenario(
    scenario: str,
    args: argparse.Namespace,
    mix_seconds: float,
    work: Workload,
    platform: Server,
    bare: Server,
    data_dir: Path,
) -> list[Row]:
    rows: list[Row] = []
    if scenario == "quiz":
        for label, first in (
            ("quiz burst 500/1s, 0 stored", 0),
            (f"quiz burst 500/1s, {STORED_ATTEMPTS:,} stored", QUIZ_LEARNERS),
        ):
            if first:
                store_attempts(data_dir, STORED_ATTEMPTS)
            schedule = work.quiz_burst(platform.port, first)
            rows.append(measured(platform, lambda s=schedule: asyncio.run(open_loop(platform.port, s)), label))
        return rows
    for _ in range(args.rounds):
        for server in (bare, platform):
            label, run = _runner(scenario, args, mix_seconds, work, server.port)
            rows.append(measured(server, run, label))
    return rows


def _runner(
    scenario: str, args: argparse.Namespace, mix_seconds: float, work: Workload, port: int
) -> tuple[str, Callable[[], Result]]:
    """The scenario's label and its run against the server on ``port`` (warmed up first)."""
    if scenario == "mix":
        schedule = work.mix(port, mix_seconds)
        return "launch mix 700+35/s open loop", lambda: asyncio.run(open_loop(port, schedule))
    make, connections = {
        "catalog": (work.catalog, 64),
        "me": (work.me, 64),
        "progress": (work.progress, 32),
    }[scenario]
    requests = make(port)
    if scenario != "progress":
        asyncio.run(closed_loop(port, 16, 1.0, requests))  # warm-up
    label = {
        "catalog": "catalog list (cached), 64 conns",
        "me": "GET /me, 64 conns",
        "progress": "progress batches, 32 conns",
    }[scenario]
    return label, lambda: asyncio.run(closed_loop(port, connections, args.seconds, requests))


if __name__ == "__main__":
    main()
