"""Pure enrollment rules: the CSV format, webhook signatures, prerequisites, document ids."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, date, datetime

import pytest

from shared.enrollment.imports import parse_enrollment_csv
from shared.enrollment.model import enrollment_id, missing_prerequisites, order_id
from shared.enrollment.payments import signature_matches, signed_timestamp
from shared.errors import InvalidInput, Unauthorized
from shared.kernel import RESOURCE_ID_PATTERN

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())


def test_a_header_is_read_whatever_its_case_spacing_order_or_byte_order_mark() -> None:
    rows = parse_enrollment_csv("\ufeffCourse , EMAIL,Name\r\nc-1,A@Example.com,Ann\r\n".encode())
    assert [(r.email, r.name, r.course, r.due, r.error) for r in rows] == [("a@example.com", "Ann", "c-1", None, None)]


def test_quoted_fields_keep_their_commas_and_the_due_date_is_a_date() -> None:
    rows = parse_enrollment_csv(b'email,name,course,due date\na@example.com,"Lovelace, Ada",c-1,2031-02-28\n')
    assert (rows[0].name, rows[0].due) == ("Lovelace, Ada", date(2031, 2, 28))


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"\n\n",
        b"email,name\na@example.com,Ann\n",
        b"email,name,course,due date,team\n",
        b"email,email,name,course\n",
        "email,name,course\na@example.com,J\xf6rg,c-1\n".encode("latin-1"),
    ],
    ids=["empty", "blank lines", "missing column", "unknown column", "repeated column", "latin-1"],
)
def test_a_file_without_the_expected_header_or_not_in_utf8_is_refused(text: bytes) -> None:
    with pytest.raises(InvalidInput):
        parse_enrollment_csv(text)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("not-an-email,Ann,c-1,", "not an email"),
        ("a@example.com,Ann,c 1,", "unknown course"),
        ("a@example.com,Ann,c-1,2031-02-30", "not a real date"),
        ("a@example.com,Ann,c-1,20310101", "not an ISO date"),
        ("a@example.com,Ann,c-1", "expected 4 fields"),
        ("a@example.com,Ann,c-1,,extra", "expected 4 fields"),
        (f"a@example.com,{'n' * 121},c-1,", "longer than 120"),
    ],
)
def test_a_bad_row_is_an_error_of_its_own(line: str, reason: str) -> None:
    rows = parse_enrollment_csv(f"email,name,course,due date\n{line}\nb@example.com,Bob,c-1,\n".encode())
    assert rows[0].error is not None and reason in rows[0].error
    assert rows[1].error is None


def test_a_row_repeating_an_email_and_course_is_an_error_naming_the_first() -> None:
    text = b"email,name,course\na@example.com,Ann,c-1\nb@example.com,Bob,c-1\nA@example.com,Ann B,c-1\n" + (
        b"a@example.com,Ann,c-2\n"
    )
    rows = parse_enrollment_csv(text)
    assert [(r.row, r.error) for r in rows] == [(2, None), (3, None), (4, "repeats row 2"), (5, None)]


def _sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def test_a_fresh_signature_of_the_body_matches_and_any_other_does_not() -> None:
    body = b'{"orderId":"o-1"}'
    timestamp, signatures = signed_timestamp(f"t={T},v1={_sign('s3cret', T, body)}", NOW)
    assert signature_matches("s3cret", timestamp, signatures, body)
    assert not signature_matches("other", timestamp, signatures, body)
    assert not signature_matches("s3cret", timestamp, signatures, body + b"\n")
    assert not signature_matches("s3cret", timestamp + 1, signatures, body)


def test_any_of_several_signatures_may_match_while_the_secret_is_rotated() -> None:
    body = b"{}"
    header = f"t={T},v1={_sign('old', T, body)},v1={_sign('new', T, body)}"
    timestamp, signatures = signed_timestamp(header, NOW)
    assert signature_matches("new", timestamp, signatures, body)
    assert signature_matches("old", timestamp, signatures, body)


@pytest.mark.parametrize("skew", [-301, 301, 10**9])
def test_a_timestamp_more_than_five_minutes_from_now_is_refused(skew: int) -> None:
    with pytest.raises(Unauthorized):
        signed_timestamp(f"t={T + skew},v1={'a' * 64}", NOW)


@pytest.mark.parametrize("skew", [-300, 0, 300])
def test_a_timestamp_within_five_minutes_is_fresh(skew: int) -> None:
    assert signed_timestamp(f"t={T + skew},v1={'a' * 64}", NOW) == (T + skew, ["a" * 64])


@pytest.mark.parametrize(
    "header",
    [None, "", f"t={T}", "v1=" + "a" * 64, f"t={T},t={T},v1={'a' * 64}", f"t=-{T},v1={'a' * 64}", f"t={T},v1=xyz"],
)
def test_a_malformed_signature_header_is_refused(header: str | None) -> None:
    with pytest.raises(Unauthorized):
        signed_timestamp(header, NOW)


def test_missing_prerequisites_keep_the_order_the_course_lists_them() -> None:
    assert missing_prerequisites(["c", "a", "b"], ["a"]) == ["c", "b"]
    assert missing_prerequisites(["a"], ["a", "z"]) == []


def test_an_order_document_id_is_never_an_enrollment_id() -> None:
    # An enrollment id starts with a course id, which never holds a '.'; an order id's start always does.
    course_part = order_id("course-1:lea").split(":", 1)[0]
    assert re.fullmatch(RESOURCE_ID_PATTERN, course_part) is None
    assert enrollment_id("course-1", "lea@example.com") == "course-1:lea@example.com"
