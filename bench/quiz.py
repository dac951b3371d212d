"""Benchmark of an exam-start burst: 500 learners of one tenant start the same quiz at once,
save their answers (twice, as a player saving every 30 seconds would), and submit.

Runs the whole HTTP app on the embedded profile; the starts are fired from 16 threads at
once to make the burst. Prints attempts started per second, p50/p99 latency of start, save
and submit, and document-store operations per attempt. No assertions on time. Run: `make bench`.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from shared.bootstrap import bootstrap
from shared.enrollment import service as enrollment_service
from shared.enrollment.model import EnrollRequest
from shared.http.app import create_api
from shared.platform._sqlite_documents import SqliteDocumentStore
from shared.platform.tenancy import TenantContext
from shared.roles import Role
from shared.settings import Settings
from tests.counting import READS, WRITES, CountingDocumentStore

LEARNERS = 500
THREADS = 16
QUESTIONS = 40
DRAW = 20
TENANT = "bench-exam"
COURSE = "exam-course"
QUIZ = "final-exam"


def seed(client: TestClient, bearer: Callable[[Role, str | None, str], dict[str, str]]) -> None:
    client.post("/api/v1/tenants", json={"id": TENANT, "name": "Exam"}, headers=bearer(Role.SUPER_ADMIN, None, "op"))
    author = bearer(Role.INSTRUCTOR, TENANT, "author")
    bank = client.post("/api/v1/question-banks", json={"title": "Exam bank"}, headers=author).json()["id"]
    for n in range(QUESTIONS):
        options = [{"id": o, "text": f"{o} {n}"} for o in "abcd"]
        question = {"type": "single_choice", "prompt": f"Q{n}?", "options": options, "correct": ["a"]}
        client.post(f"/api/v1/question-banks/{bank}/questions", json=question, headers=author)
    lesson = {"id": QUIZ, "title": "Final exam", "kind": "quiz"}
    client.post("/api/v1/courses", json={"id": COURSE, "title": "Exam course"}, headers=author)
    outline = {"modules": [{"id": "m", "title": "M", "lessons": [lesson]}]}
    client.put(f"/api/v1/courses/{COURSE}/outline", json=outline, headers=author)
    client.post(f"/api/v1/courses/{COURSE}/publish", headers=author)
    settings = {"pools": [{"bankId": bank, "count": DRAW}], "timeLimitSeconds": 3600, "attemptsAllowed": 1}
    response = client.put(f"/api/v1/courses/{COURSE}/lessons/{QUIZ}/quiz", json=settings, headers=author)
    if response.status_code != 200:
        raise SystemExit(f"quiz settings refused: {response.text}")


def timed(client: TestClient, method: str, url: str, headers: dict[str, str], body: Any = None) -> tuple[float, Any]:
    start = time.perf_counter()
    response = client.request(method, url, headers=headers, json=body)
    if response.status_code >= 400:
        raise SystemExit(f"{method} {url}: {response.status_code} {response.text}")
    return time.perf_counter() - start, response


def ms(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder))
        store = CountingDocumentStore(SqliteDocumentStore(settings.data_dir / "documents.sqlite3"))
        platform = bootstrap(settings, documents=store)
        issuer = platform.dev_issuer
        assert issuer is not None

        def bearer(role: Role, tenant: str | None, user: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {issuer.issue(user_id=user, tenant_id=tenant, roles=[role])}"}

        with TestClient(create_api(platform)) as client:
            seed(client, bearer)
            for n in range(LEARNERS):
                ctx = TenantContext(tenant_id=TENANT, user_id=f"s{n}", roles=frozenset({Role.LEARNER}))
                enrollment_service.enroll(platform, ctx, COURSE, EnrollRequest())
            headers = [bearer(Role.LEARNER, TENANT, f"s{n}") for n in range(LEARNERS)]
            store.reset()
            url = f"/api/v1/courses/{COURSE}/lessons/{QUIZ}/attempts"
            burst = time.perf_counter()
            with ThreadPoolExecutor(THREADS) as pool:
                starts = list(pool.map(lambda h: timed(client, "POST", url, h), headers))
            burst_seconds = time.perf_counter() - burst
            saves, submits = [], []
            for (_, response), h in zip(starts, headers, strict=True):
                attempt = response.json()["id"]
                answers = {item["questionId"]: "a" for item in response.json()["items"]}
                half = dict(list(answers.items())[: DRAW // 2])
                for body in (half, answers):
                    saves.append(timed(client, "PUT", f"/api/v1/attempts/{attempt}/answers", h, {"answers": body})[0])
                submits.append(timed(client, "POST", f"/api/v1/attempts/{attempt}/submit", h)[0])
    start_times = [elapsed for elapsed, _ in starts]
    print(f"exam-start burst: {LEARNERS} learners, {THREADS} threads, draw {DRAW} of {QUESTIONS}, in-process app")
    print(f"attempts started/s   {LEARNERS / burst_seconds:>10,.0f}")
    for name, values in (("start", start_times), ("save", saves), ("submit", submits)):
        print(f"{name:<8} p50 {ms(values, 50):>8.1f} ms   p99 {ms(values, 99):>8.1f} ms")
    print(f"store reads/attempt  {store.count(READS) / LEARNERS:>10.1f}")
    print(f"store writes/attempt {store.count(WRITES) / LEARNERS:>10.1f}  (start, 2 saves, submit)")


if __name__ == "__main__":
    main()
