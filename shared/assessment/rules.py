"""The pure rules of quizzes: drawing questions from pools, checking and grading answers, and
what each caller may see of an attempt. No I/O.

An attempt document keeps a snapshot of every drawn question (its pinned version, answer key
included) so grading never depends on later edits; ``attempt_view`` is the one place that
decides which of it leaves the server.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from shared.assessment.documents import Attempt, AttemptItem
from shared.assessment.model import AttemptItemView, AttemptSummary, AttemptView
from shared.errors import Conflict, InvalidInput

__all__ = [
    "answer_matches_text",
    "attempt_summary",
    "attempt_view",
    "check_answer",
    "draw",
    "item_points",
    "option_order",
    "score_of",
]

OBJECTIVE_TYPES = frozenset({"single_choice", "multiple_choice", "true_false", "short_text"})


# --- drawing ---------------------------------------------------------------------------------------


def draw(seed: str, pools: Sequence[tuple[Sequence[str], int]], *, shuffle: bool) -> list[str]:
    """Question ids drawn from each pool (its candidate ids and how many to take), each question at
    most once, all decided by ``seed``: the same seed and candidates always give the same draw.
    Without ``shuffle`` the questions keep the pools' order and, within a pool, the bank's order."""
    # The seed comes from ``secrets``; a seeded PRNG only makes the draw reproducible from it.
    rng = random.Random(int(seed, 16))  # noqa: S311
    chosen: list[str] = []
    for candidates, count in pools:
        taken = set(chosen)
        available = sorted(c for c in set(candidates) if c not in taken)
        if len(available) < count:
            raise Conflict(f"a pool of the quiz holds {len(available)} questions left to draw, it needs {count}")
        picked = rng.sample(available, count)
        chosen += picked if shuffle else sorted(picked)
    if shuffle:
        rng.shuffle(chosen)
    return chosen


def option_order(seed: str, question_id: str, option_ids: Sequence[str], *, shuffle: bool) -> list[str]:
    """The order an attempt shows a question's options in: shuffled per question from the seed."""
    order = list(option_ids)
    if shuffle:
        random.Random(f"{seed}:{question_id}").shuffle(order)  # noqa: S311 - reproducible from the stored seed
    return order


# --- answers ---------------------------------------------------------------------------------------


def check_answer(question: Mapping[str, Any], value: Any) -> Any:
    """The answer as stored, or ``InvalidInput`` when it does not fit the question's type."""
    if value is None:
        return None
    kind = question["type"]
    option_ids = {o["id"] for o in question.get("options") or []}
    if kind == "single_choice" and isinstance(value, str) and value in option_ids:
        return value
    if kind == "multiple_choice" and isinstance(value, list) and set(value) <= option_ids:
        return sorted(set(value))  # a set of picks: the same picks always store the same way
    if kind == "true_false" and isinstance(value, bool):
        return value
    if kind == "short_text" and isinstance(value, str) and len(value) <= 1000:
        return value
    if kind == "essay" and isinstance(value, str):
        return value
    raise InvalidInput(f"this answer does not fit a {kind} question")


def _normalized(text: str, *, case_sensitive: bool, normalize_whitespace: bool) -> str:
    text = " ".join(text.split()) if normalize_whitespace else text.strip()
    return text if case_sensitive else text.casefold()


def answer_matches_text(question: Mapping[str, Any], text: str) -> bool:
    """Whether a short-text answer is one of the accepted ones, under the question's case and space rules."""
    rules = {"case_sensitive": question["caseSensitive"], "normalize_whitespace": question["normalizeWhitespace"]}
    given = _normalized(text, **rules)
    return any(given == _normalized(accepted, **rules) for accepted in question["accepted"])


def _choice_fraction(question: Mapping[str, Any], picks: Sequence[str]) -> float:
    correct = set(question["correct"])
    chosen = set(picks)
    if not question.get("partialCredit", False):
        return 1.0 if chosen == correct else 0.0
    right, wrong = len(chosen & correct), len(chosen - correct)
    return max(0.0, (right - wrong) / len(correct))


def item_points(question: Mapping[str, Any], answer: Any) -> float | None:
    """Points an answer earns; None for an essay, which an Instructor grades."""
    kind, points = question["type"], float(question["points"])
    if kind == "essay":
        return None
    if answer is None:
        return 0.0
    if kind == "single_choice":
        fraction = 1.0 if answer == question["correct"][0] else 0.0
    elif kind == "multiple_choice":
        fraction = _choice_fraction(question, answer)
    elif kind == "true_false":
        fraction = 1.0 if answer is question["answer"] else 0.0
    else:
        fraction = 1.0 if answer_matches_text(question, answer) else 0.0
    return round(points * fraction, 4)


def score_of(awarded: Sequence[float], max_points: float) -> float:
    """The score in percent, two decimals."""
    return round(100 * sum(awarded) / max_points, 2) if max_points > 0 else 0.0


# --- what leaves the server ------------------------------------------------------------------------


def _key_of(question: Mapping[str, Any]) -> dict[str, Any]:
    kind = question["type"]
    if kind in ("single_choice", "multiple_choice"):
        return {"correct": list(question["correct"])}
    if kind == "true_false":
        return {"answer": question["answer"]}
    if kind == "short_text":
        return {"accepted": list(question["accepted"])}
    return {"rubric": list(question["rubric"])}


def _item_view(item: AttemptItem, doc: Attempt, review: bool) -> AttemptItemView:
    question = item.question
    options = None
    if question.get("options"):
        by_id = {o["id"]: o for o in question["options"]}
        options = [{"id": i, "text": by_id[i]["text"]} for i in item.optionOrder or []]
    view = AttemptItemView(
        questionId=item.questionId,
        version=item.version,
        type=question["type"],
        prompt=question["prompt"],
        points=question["points"],
        options=options,
    )
    if review:
        grade = doc.grades.get(item.questionId)
        view.awardedPoints = doc.awarded.get(item.questionId)
        view.key = _key_of(question)
        view.explanation = question.get("explanation")
        view.grade = grade.model_dump() if grade is not None else None
    return view


def attempt_view(doc: Attempt, *, staff: bool) -> AttemptView:
    """The attempt as the caller may see it. Before grading a learner gets the questions and their
    own answers only; after grading the score, and the key only if the quiz shows correct answers.
    Staff see everything (they author the keys)."""
    graded = doc.status == "graded"
    review = staff or (graded and doc.showCorrectAnswers == "after_submission")
    view = AttemptView(
        id=doc.id,
        courseId=doc.courseId,
        lessonId=doc.lessonId,
        userId=doc.userId,
        number=doc.number,
        attemptsAllowed=doc.attemptsAllowed,
        status=doc.status,
        startedAt=doc.startedAt,
        deadline=doc.deadline,
        submittedAt=doc.submittedAt,
        expired=doc.expired,
        items=[_item_view(item, doc, review) for item in doc.items],
        answers=dict(doc.answers),
    )
    if graded or staff:
        view.score, view.passed, view.gradedAt = doc.score, doc.passed, doc.gradedAt
        view.points, view.maxPoints = doc.points, doc.maxPoints
    return view


def attempt_summary(doc: Attempt) -> AttemptSummary:
    """The attempt as a staff list shows it: where it stands and which essays still need a grade."""
    essays = [item.questionId for item in doc.items if item.question["type"] == "essay"]
    points = None
    if doc.status == "graded":
        points = doc.points
    elif doc.status == "awaiting_grading":
        points = round(sum(doc.awarded.values()), 4)
    return AttemptSummary(
        id=doc.id,
        courseId=doc.courseId,
        lessonId=doc.lessonId,
        userId=doc.userId,
        number=doc.number,
        status=doc.status,
        startedAt=doc.startedAt,
        submittedAt=doc.submittedAt,
        deadline=doc.deadline,
        expired=doc.expired,
        points=points,
        maxPoints=doc.maxPoints
        if doc.maxPoints is not None
        else round(sum(float(item.question["points"]) for item in doc.items), 4),
        score=doc.score if doc.status == "graded" else None,
        passed=doc.passed if doc.status == "graded" else None,
        gradedAt=doc.gradedAt if doc.status == "graded" else None,
        essayQuestionIds=essays,
        ungradedEssayQuestionIds=[q for q in essays if q not in doc.grades],
    )
