"""Roles and the one role matrix: which roles may perform which operation.

Every route names its ``Operation``; the HTTP layer checks the caller's effective roles
against ``ROLE_MATRIX`` and publishes the allowed roles in the OpenAPI document
(``x-roles``), where the authorization walker test reads them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

__all__ = ["ROLE_MATRIX", "TENANT_ROLES", "Operation", "Role", "is_allowed", "parse_roles"]


class Role(StrEnum):
    SUPER_ADMIN = "SuperAdmin"
    TENANT_ADMIN = "TenantAdmin"
    INSTRUCTOR = "Instructor"
    LEARNER = "Learner"
    SUPPORT_READONLY = "SupportReadonly"


TENANT_ROLES: frozenset[Role] = frozenset(set(Role) - {Role.SUPER_ADMIN})


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    """Known roles among ``names``; unknown names are ignored (an IdP may send others)."""
    known = {r.value: r for r in Role}
    return frozenset(known[n] for n in names if n in known)


class Operation(StrEnum):
    TENANT_CREATE = "tenants.create"
    TENANT_LIST = "tenants.list"
    TENANT_READ = "tenant.read"
    TENANT_UPDATE = "tenant.update"
    ME_READ = "me.read"
    USER_CREATE = "users.create"
    USER_LIST = "users.list"
    USER_READ = "users.read"
    USER_UPDATE = "users.update"
    USER_EXPORT = "users.export"
    USER_ERASE = "users.erase"
    AUDIT_READ = "audit.read"
    COURSE_CREATE = "courses.create"
    COURSE_READ = "courses.read"
    COURSE_EDIT = "courses.edit"
    PATH_EDIT = "paths.edit"
    PATH_READ = "paths.read"
    ENROLL = "enrollments.create"
    ROSTER_READ = "enrollments.roster"
    ENROLLMENT_IMPORT = "enrollments.import"
    ENROLLMENT_MANAGE = "enrollments.manage"
    MY_ENROLLMENTS = "enrollments.mine"
    SEARCH = "catalog.search"
    PROGRESS_RECORD = "progress.record"
    PROGRESS_READ_OWN = "progress.mine"
    PROGRESS_READ = "progress.read"
    PROGRESS_COMPLETE = "progress.complete"
    POLICY_EDIT = "policy.edit"
    POLICY_READ = "policy.read"
    MEDIA_UPLOAD = "media.upload"
    MEDIA_READ = "media.read"
    MEDIA_CAPTIONS = "media.captions"
    QUESTION_BANK_EDIT = "question-banks.edit"
    QUESTION_BANK_READ = "question-banks.read"
    QUIZ_EDIT = "quizzes.edit"
    QUIZ_READ = "quizzes.read"
    ATTEMPT_START = "attempts.start"
    ATTEMPT_READ = "attempts.read"
    ATTEMPT_LIST = "attempts.list"
    ATTEMPT_ANSWER = "attempts.answer"
    ATTEMPT_GRADE = "attempts.grade"
    QUESTION_DRAFT_GENERATE = "question-drafts.generate"
    QUESTION_DRAFT_READ = "question-drafts.read"
    QUESTION_DRAFT_REVIEW = "question-drafts.review"
    CERTIFICATE_READ_OWN = "certificates.mine"
    CERTIFICATE_DOWNLOAD = "certificates.download"
    CERTIFICATE_REVOKE = "certificates.revoke"
    NOTIFICATIONS_READ = "notifications.read"
    NOTIFICATIONS_UPDATE = "notifications.update"
    USAGE_READ = "usage.read"
    REPORT_READ = "reports.read"


_SA = frozenset({Role.SUPER_ADMIN})
_TA = frozenset({Role.TENANT_ADMIN})
_TA_SR = frozenset({Role.TENANT_ADMIN, Role.SUPPORT_READONLY})
_AUTHORS = frozenset({Role.TENANT_ADMIN, Role.INSTRUCTOR})
_MEMBERS = TENANT_ROLES

ROLE_MATRIX: Mapping[Operation, frozenset[Role]] = {
    Operation.TENANT_CREATE: _SA,
    Operation.TENANT_LIST: _SA,
    Operation.TENANT_READ: _MEMBERS,
    Operation.TENANT_UPDATE: _TA,
    Operation.ME_READ: _MEMBERS | _SA,
    Operation.USER_CREATE: _TA,
    Operation.USER_LIST: _TA_SR,
    Operation.USER_READ: _TA_SR,
    Operation.USER_UPDATE: _TA,
    # GDPR: the export is the user's whole file and the erasure cannot be undone; TenantAdmins only.
    Operation.USER_EXPORT: _TA,
    Operation.USER_ERASE: _TA,
    Operation.AUDIT_READ: _TA_SR,
    Operation.COURSE_CREATE: _AUTHORS,
    Operation.COURSE_READ: _MEMBERS,
    Operation.COURSE_EDIT: _AUTHORS,
    Operation.PATH_EDIT: _AUTHORS,
    Operation.PATH_READ: _MEMBERS,
    # Learners enroll themselves; Instructors and TenantAdmins also assign others.
    Operation.ENROLL: _AUTHORS | {Role.LEARNER},
    Operation.ROSTER_READ: _AUTHORS | {Role.SUPPORT_READONLY},
    Operation.ENROLLMENT_IMPORT: _TA,
    Operation.ENROLLMENT_MANAGE: _TA,
    Operation.MY_ENROLLMENTS: _MEMBERS,
    Operation.SEARCH: _MEMBERS,
    # Anyone enrolled may learn (staff included); SupportReadonly changes nothing.
    Operation.PROGRESS_RECORD: _AUTHORS | {Role.LEARNER},
    Operation.PROGRESS_READ_OWN: _MEMBERS,
    Operation.PROGRESS_READ: _AUTHORS | {Role.SUPPORT_READONLY},
    Operation.PROGRESS_COMPLETE: _TA,
    Operation.POLICY_EDIT: _AUTHORS,
    Operation.POLICY_READ: _AUTHORS | {Role.SUPPORT_READONLY},
    # Authors upload videos and captions; every member may ask for a video (learners only when enrolled).
    Operation.MEDIA_UPLOAD: _AUTHORS,
    Operation.MEDIA_READ: _MEMBERS,
    Operation.MEDIA_CAPTIONS: _AUTHORS,
    Operation.QUESTION_BANK_EDIT: _AUTHORS,
    Operation.QUESTION_BANK_READ: _AUTHORS | {Role.SUPPORT_READONLY},
    Operation.QUIZ_EDIT: _AUTHORS,
    Operation.QUIZ_READ: _AUTHORS | {Role.SUPPORT_READONLY},
    # Learners take quizzes; staff read any attempt of the tenant (a learner only their own).
    Operation.ATTEMPT_START: frozenset({Role.LEARNER}),
    Operation.ATTEMPT_READ: _AUTHORS | {Role.LEARNER, Role.SUPPORT_READONLY},
    # A course's attempts (the grading queue) are staff's: those who grade and run courses, support reads.
    Operation.ATTEMPT_LIST: _AUTHORS | {Role.SUPPORT_READONLY},
    Operation.ATTEMPT_ANSWER: frozenset({Role.LEARNER}),
    Operation.ATTEMPT_GRADE: frozenset({Role.INSTRUCTOR}),
    # Instructors draft questions from their lessons; nothing reaches a bank before an author approves.
    Operation.QUESTION_DRAFT_GENERATE: frozenset({Role.INSTRUCTOR}),
    Operation.QUESTION_DRAFT_READ: _AUTHORS | {Role.SUPPORT_READONLY},
    Operation.QUESTION_DRAFT_REVIEW: _AUTHORS,
    # Whoever completes a course holds its certificate (staff learn too); a download is the holder's own
    # or, for TenantAdmins and support, any of the tenant (the service decides). Only admins revoke.
    Operation.CERTIFICATE_READ_OWN: _MEMBERS,
    Operation.CERTIFICATE_DOWNLOAD: _MEMBERS,
    Operation.CERTIFICATE_REVOKE: _TA,
    # Every member reads their own notifications and marks them read (their own state, not the tenant's).
    Operation.NOTIFICATIONS_READ: _MEMBERS,
    Operation.NOTIFICATIONS_UPDATE: _MEMBERS,
    # Metered usage is the tenant's bill: its admins read it, and support (read only).
    Operation.USAGE_READ: _TA_SR,
    # Course reports are for the people who teach and run courses, and for support (read only).
    Operation.REPORT_READ: _AUTHORS | {Role.SUPPORT_READONLY},
}


def is_allowed(operation: Operation, roles: Iterable[Role]) -> bool:
    return not ROLE_MATRIX[operation].isdisjoint(roles)
