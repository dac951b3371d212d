"""Benchmark of progress ingest: simulated learners posting batches of 10 to 60 player events.

1,000 learners enrolled in 4 courses each post batches through the whole HTTP app on the
embedded profile (token validation, tenant resolution, per-event checks, interval merging,
the completion policy, one ETag-guarded write per course touched). Prints batches and events
per second, store writes per batch, and p50/p99 latency per batch. Reproducible data (fixed
seed); no assertions on time. Run: `make bench`.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from shared.bootstrap import bootstrap
from shared.enrollment import service as enrollment_service
from shared.enrollment.model import EnrollRequest
from shared.http.app import create_api
from shared.learning.events import PROGRESS
from shared.platform._sqlite_documents import SqliteDocumentStore
from shared.platform.tenancy import TenantContext
from shared.roles import Role
from shared.settings import Settings
from tests.counting import READS, WRITES, CountingDocumentStore

LEARNERS = 1_000
COURSES = 4
ROUNDS = 3
TENANT = "bench-progress"
SEED = 20261125
VIDEO_SECONDS = 1_800


def seed(client: TestClient, bearer: Any) -> list[str]:
    client.post("/api/v1/tenants", json={"id": TENANT, "name": "Bench"}, headers=bearer(Role.SUPER_ADMIN, None, "op"))
    author = bearer(Role.INSTRUCTOR, TENANT, "author")
    lessons = [
        {"id": f"v{n}", "title": f"Video {n}", "kind": "video", "durationSeconds": VIDEO_SECONDS} for n in range(6)
    ]
    courses = []
    for n in range(COURSES):
        course = f"course-{n}"
        client.post("/api/v1/courses", json={"id": course, "title": f"Course {n}"}, headers=author)
        outline = {"modules": [{"id": "m", "title": "M", "lessons": lessons}]}
        client.put(f"/api/v1/courses/{course}/outline", json=outline, headers=author)
        client.post(f"/api/v1/courses/{course}/publish", headers=author)
        courses.append(course)
    return courses


def batch_of(rng: random.Random, learner: int, round_: int, courses: list[str]) -> dict[str, Any]:
    """10-60 watch events of 5 s each, mostly on one course, like a player flushing every 30-60 s."""
    events = []
    course = courses[learner % COURSES]
    start = rng.randrange(0, VIDEO_SECONDS - 400)
    for n in range(rng.randint(10, 60)):
        other = courses[(learner + 1) % COURSES] if n % 15 == 14 else course
        events.append(
            {
                "type": "watch",
                "courseId": other,
                "lessonId": f"v{round_ % 6}",
                "from": start + 5 * n,
                "to": start + 5 * n + 5,
                "activeSeconds": 5,
            }
        )
    return {"batchId": f"{learner}-{round_}", "events": events}


def main() -> None:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder))
        store = CountingDocumentStore(SqliteDocumentStore(settings.data_dir / "documents.sqlite3"))
        platform = bootstrap(settings, documents=store)
        issuer = platform.dev_issuer
        assert issuer is not None

        def bearer(role: Role, tenant: str | None, user: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {issuer.issue(user_id=user, tenant_id=tenant, roles=[role])}"}

        with TestClient(create_api(platform)) as client:
            courses = seed(client, bearer)
            for learner in range(LEARNERS):
                ctx = TenantContext(tenant_id=TENANT, user_id=f"l{learner}", roles=frozenset({Role.LEARNER}))
                for course in {courses[learner % COURSES], courses[(learner + 1) % COURSES]}:
                    enrollment_service.enroll(platform, ctx, course, EnrollRequest())
            headers = [bearer(Role.LEARNER, TENANT, f"l{n}") for n in range(LEARNERS)]
            batches = [[batch_of(rng, n, r, courses) for n in range(LEARNERS)] for r in range(ROUNDS)]
            store.reset()
            latencies, events = [], 0
            started = time.perf_counter()
            for round_batches in batches:
                for n, body in enumerate(round_batches):
                    t0 = time.perf_counter()
                    response = client.post("/api/v1/progress", json=body, headers=headers[n])
                    latencies.append(time.perf_counter() - t0)
                    if response.status_code != 200 or response.json()["rejected"]:
                        raise SystemExit(f"batch refused: {response.status_code} {response.text[:300]}")
                    events += len(body["events"])
            elapsed = time.perf_counter() - started
    count = len(latencies)
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"progress ingest through the HTTP app: {LEARNERS} learners x {ROUNDS} batches of 10-60 events")
    print(f"batches/s            {count / elapsed:>10,.0f}")
    print(f"events/s             {events / elapsed:>10,.0f}")
    print(
        f"store writes/batch   {store.count(WRITES) / count:>10.2f}  (progress writes: {store.count(WRITES, PROGRESS)})"
    )
    print(f"store reads/batch    {store.count(READS) / count:>10.2f}")
    print(f"latency p50          {quantiles[49] * 1000:>10.1f} ms")
    print(f"latency p99          {quantiles[98] * 1000:>10.1f} ms")


if __name__ == "__main__":
    main()
