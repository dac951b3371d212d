"""The role matrix and the feature-flag rules."""

from __future__ import annotations

from shared.roles import ROLE_MATRIX, Operation, Role, is_allowed
from shared.tenancy.model import FLAG_DEFAULTS, effective_flags, is_enabled


def test_every_operation_has_an_entry_in_the_matrix() -> None:
    assert set(ROLE_MATRIX) == set(Operation)


def test_support_readonly_may_perform_no_change() -> None:
    writes = {Operation.TENANT_CREATE, Operation.TENANT_UPDATE, Operation.USER_CREATE, Operation.USER_UPDATE}
    assert not any(is_allowed(op, {Role.SUPPORT_READONLY}) for op in writes)


def test_support_readonly_reads_what_a_tenant_admin_reads() -> None:
    reads = {Operation.TENANT_READ, Operation.USER_LIST, Operation.USER_READ, Operation.AUDIT_READ}
    assert all(is_allowed(op, {Role.SUPPORT_READONLY}) for op in reads)


def test_a_super_admin_has_no_tenant_powers_by_default() -> None:
    assert not is_allowed(Operation.USER_CREATE, {Role.SUPER_ADMIN})
    assert is_allowed(Operation.TENANT_CREATE, {Role.SUPER_ADMIN})


def test_tenant_flags_override_platform_defaults_and_unknown_flags_are_ignored() -> None:
    flags = effective_flags({"ai_question_drafts": True, "made_up": True}, k12=False)
    assert flags == {**FLAG_DEFAULTS, "ai_question_drafts": True}


def test_k12_turns_off_trackers_leaderboards_and_exports_whatever_the_flags_say() -> None:
    tenant = {"k12": True, "flags": {"leaderboards": True, "third_party_trackers": True}}
    assert not is_enabled(tenant, "leaderboards")
    assert not is_enabled(tenant, "third_party_trackers")
    assert not is_enabled(tenant, "analytics_export")
    assert is_enabled(tenant, "certificates")
