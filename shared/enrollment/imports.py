"""Enrollment import from an HRIS export: a CSV file of email, name, course and due date.

The whole file is parsed before anything is written, so a malformed file changes nothing.
Each row then stands alone: a bad row is reported and skipped, never aborting the others.
Importing the same file again finds every enrollment in place and writes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from shared.catalog import service as catalog
from shared.catalog.model import CourseVersionView
from shared.enrollment import service
from shared.enrollment.model import ImportReport, ImportRow, RowOutcome
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.kernel import EMAIL_PATTERN, RESOURCE_ID_PATTERN
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.tenancy import users
from shared.tenancy.model import UserCreate

__all__ = ["COLUMNS", "CsvRow", "import_enrollments", "parse_enrollment_csv"]

COLUMNS = ("email", "name", "course", "due date")
REQUIRED_COLUMNS = frozenset({"email", "name", "course"})
MAX_NAME = 120
_EMAIL = re.compile(EMAIL_PATTERN)
_COURSE = re.compile(RESOURCE_ID_PATTERN)
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# Errors a single row may meet while it is applied; anything else (the store down) aborts.
ROW_ERRORS = (Conflict, Forbidden, InvalidInput, NotFound)


@dataclass(frozen=True)
class CsvRow:
    """One record of the file, checked on its own; ``error`` says why it cannot be imported."""

    row: int
    email: str
    name: str
    course: str
    due: date | None = None
    error: str | None = None


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")  # spreadsheets often write a byte-order mark
    except UnicodeDecodeError as exc:
        raise InvalidInput("the file is not UTF-8 text") from exc


def _header(reader: csv.DictReader[str]) -> list[str]:
    names = [(n or "").strip().lower() for n in (reader.fieldnames or [])]
    if not any(names):
        raise InvalidInput(f"the file needs a header row: {','.join(COLUMNS)}")
    unknown = sorted(set(names) - set(COLUMNS))
    missing = sorted(REQUIRED_COLUMNS - set(names))
    if unknown or missing or len(set(names)) != len(names):
        raise InvalidInput(
            f"the header must name the columns {','.join(COLUMNS)} (due date optional), each once",
            extra={"unknownColumns": unknown, "missingColumns": missing},
        )
    return names


def _due_date(text: str) -> date | None:
    if not text:
        return None
    if not _ISO_DATE.match(text):
        raise ValueError(f"due date {text!r} is not an ISO date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"due date {text!r} is not a real date") from exc


def _row(number: int, values: dict[str | None, object], width: int) -> CsvRow:
    text = {str(k): str(v).strip() for k, v in values.items() if k is not None and v is not None}
    email, name, course = text.get("email", "").lower(), text.get("name", ""), text.get("course", "")
    if None in values or len(text) != width:
        return CsvRow(number, email, name, course, error=f"expected {width} fields")
    try:
        due = _due_date(text.get("due date", ""))
    except ValueError as exc:
        return CsvRow(number, email, name, course, error=str(exc))
    if not _EMAIL.match(email) or len(email) > 254:
        return CsvRow(number, email, name, course, error=f"{email!r} is not an email address")
    if not _COURSE.match(course):
        return CsvRow(number, email, name, course, error=f"unknown course {course!r}")
    if len(name) > MAX_NAME:
        return CsvRow(number, email, name, course, error=f"the name is longer than {MAX_NAME} characters")
    return CsvRow(number, email, name, course, due)


def parse_enrollment_csv(raw: bytes) -> list[CsvRow]:
    """Every record of the file, each checked on its own; a later row repeating an email and
    course is an error. InvalidInput if the file itself is not a CSV with the expected header."""
    reader = csv.DictReader(io.StringIO(_decode(raw), newline=""), restkey=None)
    try:
        header = _header(reader)
        reader.fieldnames = header
        records = list(reader)
    except csv.Error as exc:
        raise InvalidInput(f"the file is not valid CSV: {exc}") from exc
    rows: list[CsvRow] = []
    first_row: dict[tuple[str, str], int] = {}
    for number, values in enumerate(records, start=2):
        row = _row(number, dict(values), len(header))
        key = (row.email, row.course)
        if row.error is None and key in first_row:
            row = CsvRow(number, row.email, row.name, row.course, error=f"repeats row {first_row[key]}")
        first_row.setdefault(key, number)
        rows.append(row)
    return rows


def _result(row: CsvRow, outcome: RowOutcome, reason: str | None = None, user_id: str | None = None) -> ImportRow:
    return ImportRow(row=row.row, email=row.email, course=row.course, outcome=outcome, reason=reason, userId=user_id)


def _course(
    platform: Platform, ctx: TenantContext, course_id: str, seen: dict[str, CourseVersionView | None]
) -> CourseVersionView | None:
    if course_id not in seen:
        try:
            seen[course_id] = catalog.published_course(platform, ctx, course_id)
        except NotFound:
            seen[course_id] = None
    return seen[course_id]


def _apply(
    platform: Platform, ctx: TenantContext, row: CsvRow, courses: dict[str, CourseVersionView | None]
) -> ImportRow:
    course = _course(platform, ctx, row.course, courses)
    if course is None:
        return _result(row, "error", f"unknown course {row.course!r}")
    user = users.user_by_email(platform, ctx, row.email)
    if user is not None:
        if user.status != "active":
            return _result(row, "error", "the user is disabled", user.id)
        existing = service.find_enrollment(platform, ctx, course.id, user.id)
        if existing is not None and existing.status in service.HOLDING:
            return _result(row, "unchanged", f"already enrolled ({existing.status})", user.id)
    # Checked before a new user is created, so a refused row leaves no account behind.
    missing = service.unmet_prerequisites(platform, ctx, course, user.id) if user else list(course.prerequisites)
    if missing:
        return _result(row, "error", f"prerequisites not completed: {', '.join(missing)}", user.id if user else None)
    if user is None:
        if not row.name:
            return _result(row, "error", "a new user needs a name")
        user, _ = users.create_user(platform, ctx, UserCreate(email=row.email, displayName=row.name))
    _, enrolled = service.enroll_user(platform, ctx, course, user.id, source="import", due=row.due)
    return _result(row, "enrolled" if enrolled else "unchanged", None, user.id)


def import_enrollments(platform: Platform, ctx: TenantContext, raw: bytes) -> ImportReport:
    """Enroll each row's user (registering new ones as Learners) in its course; per-row results."""
    rows = parse_enrollment_csv(raw)
    courses: dict[str, CourseVersionView | None] = {}
    results: list[ImportRow] = []
    for row in rows:
        if row.error is not None:
            results.append(_result(row, "error", row.error))
            continue
        try:
            results.append(_apply(platform, ctx, row, courses))
        except ROW_ERRORS as exc:
            results.append(_result(row, "error", exc.detail))
    outcomes = [r.outcome for r in results]
    return ImportReport(
        enrolled=outcomes.count("enrolled"),
        unchanged=outcomes.count("unchanged"),
        errors=outcomes.count("error"),
        rows=results,
    )
