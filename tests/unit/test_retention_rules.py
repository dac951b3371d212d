"""Retention rules: what a purge keeps of a learner's progress (every percentage and decision), the
bounds of the setting, and where the sweep runs (a daily Azure timer, an upkeep of the local worker)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import azure.functions as func
import pytest
from pydantic import ValidationError

from functions import BLUEPRINTS, retention
from shared.bootstrap import bootstrap
from shared.learning.model import (
    CompletionPolicy,
    LessonSpec,
    evaluate,
    lesson_percent,
    watched_total,
    without_activity_detail,
)
from shared.privacy.service import ACTIVITY_DETAIL
from shared.settings import Settings
from shared.tenancy.model import Retention
from shared.worker import default_jobs

VIDEO = LessonSpec(id="v", kind="video", required=True, duration=100.0, prerequisites=())


def progress(watched: list[list[float]]) -> dict[str, Any]:
    return {
        "id": "c:u",
        "courseId": "c",
        "userId": "u",
        "version": 1,
        "state": "completed",
        "lessons": {"v": {"watched": watched, "touched": True, "activeSeconds": 61.0}},
        "batches": ["b1", "b2"],
        "outbox": [{"id": "e1", "type": "CourseCompleted"}],
    }


def test_a_purged_lesson_keeps_its_percentage_and_time_on_task_but_not_its_intervals() -> None:
    doc = progress([[0, 30], [50, 80]])
    purged = without_activity_detail(doc, "2030-01-01T00:00:00+00:00")
    lesson = purged["lessons"]["v"]
    assert "watched" not in lesson and lesson["watchedSeconds"] == 60.0 and lesson["activeSeconds"] == 61.0
    assert lesson_percent(VIDEO, lesson) == lesson_percent(VIDEO, doc["lessons"]["v"]) == 60.0
    assert purged["batches"] == [] and purged["outbox"] == []


def test_the_policy_decides_the_same_on_a_purged_document() -> None:
    policy = CompletionPolicy(watchRatio=0.5)
    for watched in ([[0, 30]], [[0, 30], [50, 80]]):
        doc = progress(watched)
        doc["state"] = "in_progress"  # as after the enrollment moved to another version
        purged = without_activity_detail(doc, "2030-01-01T00:00:00+00:00")
        assert evaluate(purged, [VIDEO], policy).course_state == evaluate(doc, [VIDEO], policy).course_state


def test_watching_again_after_a_purge_counts_the_larger_of_the_kept_total_and_the_new_intervals() -> None:
    assert watched_total({"watchedSeconds": 40.0, "watched": [[0, 10]]}) == 40.0
    assert watched_total({"watchedSeconds": 40.0, "watched": [[0, 70]]}) == 70.0
    assert watched_total({}) == 0.0


def test_purging_twice_keeps_the_same_total() -> None:
    once = without_activity_detail(progress([[0, 30]]), "t1")
    assert without_activity_detail(once, "t2")["lessons"] == once["lessons"]


@pytest.mark.parametrize("days", [29, 3651, 0, -1])
def test_retention_outside_30_days_to_10_years_is_refused(days: int) -> None:
    with pytest.raises(ValidationError):
        Retention(auditDays=days)
    with pytest.raises(ValidationError):
        Retention(activityDays=days)


def test_every_context_named_for_activity_retention_provides_its_purge(tmp_path: Path) -> None:
    registered = dict(bootstrap(Settings(data_dir=tmp_path)).personal_data)
    for name in ACTIVITY_DETAIL:
        assert callable(registered[name].purge_activity_before)


def test_azure_applies_retention_once_a_day_and_the_local_worker_as_upkeep() -> None:
    app = func.FunctionApp()
    app.register_functions(retention.bp)
    [function] = app.get_functions()
    trigger = function.get_trigger().get_dict_repr()
    assert trigger["type"] == "timerTrigger"
    seconds, minutes, hours, *every_day = trigger["schedule"].split()
    assert every_day == ["*", "*", "*"] and "*" not in (seconds, minutes, hours)
    assert retention.bp in BLUEPRINTS
    assert "retention-sweep" in {job.name for job in default_jobs()}
