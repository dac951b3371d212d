"""A timed attempt is graded at its deadline by the message its start scheduled, with no sweep polling:
the learner who never comes back gets the grade of what they saved; saving answers schedules nothing
more; a message that comes early schedules its attempt again."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from shared.assessment.handlers import ATTEMPT_DEADLINES_QUEUE, on_deadline
from shared.platform.clock import ManualClock
from shared.platform.jobs import BusConsumer, ChangeFeedFollower
from shared.platform.runtime import Platform
from shared.worker import LocalWorker, default_jobs
from tests.api.test_assessment_attempts import drawn, enrolled_quiz, save, started, stored_attempt
from tests.factories import choice_question

# Everything the worker runs but the daily safety sweep: the grade must come from the deadline message.
JOBS = [j for j in default_jobs() if isinstance(j, (BusConsumer, ChangeFeedFollower))]


def queued(platform: Platform) -> int:
    """Deadline messages waiting (scheduled ones included), counted in the embedded bus's own table."""
    db = platform.bus._db  # type: ignore[attr-defined]  # the embedded bus's SQLite
    row = db.connection().execute("SELECT COUNT(*) FROM messages WHERE entity = ?", (ATTEMPT_DEADLINES_QUEUE,))
    return int(row.fetchone()[0])


def test_an_attempt_is_graded_at_its_deadline_by_its_scheduled_message(
    client: TestClient, make_tenant, platform: Platform, clock: ManualClock
) -> None:
    tenant = make_tenant()
    course = enrolled_quiz(client, tenant, choice_question(1), timeLimitSeconds=60, passMark=100)
    attempt = started(client, tenant, course)
    worker = LocalWorker(platform, JOBS)
    worker.run_until_idle()
    save(client, tenant, attempt["id"], {drawn(attempt)[0]: "a"})
    worker.run_until_idle()
    assert queued(platform) == 1  # one message for the deadline; the saved answers scheduled nothing
    clock.advance(30)
    worker.run_until_idle()
    assert stored_attempt(platform, tenant, attempt["id"])["status"] == "open"  # not due: still waiting
    clock.advance(33)  # past the deadline and its grace
    worker.run_until_idle()
    doc = stored_attempt(platform, tenant, attempt["id"])
    assert (doc["status"], doc["expired"], doc["score"]) == ("graded", True, 100)
    assert queued(platform) == 0


def test_a_deadline_message_that_comes_early_schedules_its_attempt_again(
    client: TestClient, make_tenant, platform: Platform, clock: ManualClock
) -> None:
    tenant = make_tenant()
    course = enrolled_quiz(client, tenant, choice_question(1), timeLimitSeconds=60)
    attempt = started(client, tenant, course)
    on_deadline(platform, {"tenantId": tenant.id, "attemptId": attempt["id"]})  # a clock behind the bus's
    assert stored_attempt(platform, tenant, attempt["id"])["status"] == "open"
    assert queued(platform) == 1
    on_deadline(platform, {"tenantId": tenant.id, "attemptId": "no-such-attempt"})  # gone: nothing to do
    on_deadline(platform, json.loads('{"tenantId": 7}'))  # malformed: dropped, never a crash loop
    clock.advance(62)
    LocalWorker(platform, JOBS).run_until_idle()
    assert stored_attempt(platform, tenant, attempt["id"])["status"] == "graded"
