"""The Bicep provisions what the code uses, under the names the code uses."""

from __future__ import annotations

import re
from pathlib import Path

from shared.audit.model import AUDIT
from shared.settings import Settings
from shared.tenancy.model import TENANTS, USERS
from shared.worker import LEASES

INFRA = Path(__file__).resolve().parents[2] / "infra"
CODE_CONTAINERS = {TENANTS, USERS, AUDIT, LEASES}


def _array_param(bicep: str, name: str) -> set[str]:
    match = re.search(rf"param {name} array = \[([^\]]*)\]", bicep)
    assert match, f"no array param {name}"
    return set(re.findall(r"'([^']+)'", match.group(1)))


def test_cosmos_has_every_container_the_code_uses_partitioned_by_tenant() -> None:
    bicep = (INFRA / "modules" / "cosmos.bicep").read_text()
    assert _array_param(bicep, "containers") >= CODE_CONTAINERS
    assert "paths: ['/tenantId']" in bicep
    assert "disableLocalAuth: true" in bicep


def test_every_lms_app_setting_in_the_bicep_is_a_setting_the_app_reads() -> None:
    bicep = (INFRA / "main.bicep").read_text()
    provisioned = set(re.findall(r"^\s+(LMS_[A-Z_]+):", bicep, flags=re.MULTILINE))
    readable = {f"LMS_{name.upper()}" for name in Settings.model_fields}
    assert provisioned and provisioned <= readable
    assert "LMS_PROFILE: 'azure'" in bicep


def test_the_app_uses_identity_based_connections_and_no_keys() -> None:
    every = "\n".join(p.read_text() for p in INFRA.rglob("*.bicep"))
    assert "listKeys" not in every and "AccountKey=" not in every
    assert "allowSharedKeyAccess: false" in every
    assert "AzureWebJobsStorage__credential: 'managedidentity'" in every
