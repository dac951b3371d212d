"""The Bicep parses, its modules exist, and it provisions what the code uses under the
names the code uses: containers, queues, topic, settings, identity-based access."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pycep import BicepParser

from shared.audit.model import AUDIT
from shared.containers import cosmos_containers_json
from shared.platform.topology import BLOB_CONTAINERS, BUS_TOPOLOGY, EVENTS_TOPIC, LEASES
from shared.settings import Settings
from shared.tenancy.model import TENANTS, USERS

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
BICEP_FILES = sorted(INFRA.rglob("*.bicep"))
CODE_CONTAINERS = {TENANTS, USERS, AUDIT, LEASES}

# Settings the Bicep does not set, and why (each has a working default or is local-only).
OPTIONAL_SETTINGS = {
    "data_dir": "embedded profile only",
    "public_base_url": "embedded local blob route only",
    "auth_roles_claim": "Entra ID's default claim name is the default",
    "auth_leeway_seconds": "default",
    "dev_token_max_ttl_seconds": "embedded dev issuer only",
    "max_request_bytes": "default",
    "log_level": "default",
    "principal_cache_seconds": "default",
    "cosmos_key": "emulator only; Azure uses the managed identity",
    "cosmos_placement": "set per enterprise tenant when one moves to a dedicated database",
    "cosmos_emulator": "local Cosmos DB emulator only",
    "blob_hierarchical_namespace": "the provisioned account has a flat namespace; set only for an ADLS Gen2 account",
    "blob_connection_string": "Azurite only",
    "servicebus_connection_string": "emulator only",
    "search_api_key": "local only; Azure uses the managed identity",
    "redis_url": "the Redis cache is optional; the in-process cache is the default",
    "documents_adapter": "per-port override, the profile decides",
    "blobs_adapter": "per-port override, the profile decides",
    "bus_adapter": "per-port override, the profile decides",
    "search_adapter": "per-port override, the profile decides",
    "secrets_adapter": "per-port override, the profile decides",
    "cache_adapter": "per-port override, the profile decides",
    "question_generator_adapter": "override; the provisioned Azure OpenAI endpoint and deployment decide",
}


@cache
def parsed(path: Path) -> Any:
    return BicepParser().parse(file_path=path)


def default_of(module: str, parameter: str) -> Any:
    return parsed(INFRA / "modules" / module)["parameters"][parameter]["default"]


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: p.name)
def test_every_bicep_file_parses_and_its_modules_exist(path: Path) -> None:
    for name, module in parsed(path).get("modules", {}).items():
        assert (path.parent / module["detail"]["path"]).is_file(), f"{path.name}: module {name} is missing"


def test_cosmos_has_every_container_the_code_uses_partitioned_by_tenant() -> None:
    text = (INFRA / "modules" / "cosmos.bicep").read_text()
    assert "loadJsonContent('../cosmos-containers.json')" in text
    assert "paths: ['/tenantId']" in text
    assert {c["name"] for c in json.loads((INFRA / "cosmos-containers.json").read_text())} >= CODE_CONTAINERS


def test_the_cosmos_containers_file_is_what_the_code_generates() -> None:
    assert (INFRA / "cosmos-containers.json").read_text() == cosmos_containers_json(), (
        "regenerate it: python -m shared.cli cosmos-containers > infra/cosmos-containers.json"
    )


def test_the_audit_container_has_the_composite_index_its_newest_first_query_needs() -> None:
    audit = next(c for c in json.loads((INFRA / "cosmos-containers.json").read_text()) if c["name"] == AUDIT)
    assert [
        {"path": "/at", "order": "descending"},
        {"path": "/id", "order": "descending"},
    ] in audit["indexingPolicy"]["compositeIndexes"]


def test_storage_has_every_blob_container_the_code_uses() -> None:
    assert set(BLOB_CONTAINERS) <= set(default_of("storage.bicep", "containers"))


def test_service_bus_matches_the_bus_topology_of_the_code() -> None:
    queues = {q["name"]: q for q in default_of("servicebus.bicep", "queues")}
    assert set(queues) == set(BUS_TOPOLOGY.queues)
    for name, options in BUS_TOPOLOGY.queues.items():
        assert queues[name]["maxDeliveryCount"] == options.max_delivery_count
        minutes = int(re.fullmatch(r"PT(\d+)M", queues[name]["lockDuration"]).group(1))  # type: ignore[union-attr]
        assert minutes * 60 == options.lock_seconds
    assert default_of("servicebus.bicep", "eventsTopic") == EVENTS_TOPIC
    assert set(default_of("servicebus.bicep", "eventSubscriptions")) == set(BUS_TOPOLOGY.topics[EVENTS_TOPIC])


def test_every_setting_the_app_reads_is_provisioned_or_documented_as_optional() -> None:
    provisioned = set(parsed(INFRA / "main.bicep")["variables"]["appSettings"]["value"])
    readable = {f"LMS_{name.upper()}" for name in Settings.model_fields}
    assert {s for s in provisioned if s.startswith("LMS_")} <= readable
    missing = {n for n in Settings.model_fields if f"LMS_{n.upper()}" not in provisioned} - set(OPTIONAL_SETTINGS)
    assert missing == set()
    assert set(OPTIONAL_SETTINGS) <= set(Settings.model_fields)


def test_trigger_connections_are_identity_based() -> None:
    text = (INFRA / "main.bicep").read_text()
    for connection in ("COSMOS", "SERVICEBUS"):
        assert f"{connection}__credential: 'managedidentity'" in text


def test_no_service_accepts_keys() -> None:
    every = "\n".join(p.read_text() for p in BICEP_FILES)
    assert "listKeys" not in every and "AccountKey=" not in every and "sharedKey" not in every
    assert "allowSharedKeyAccess: false" in every
    for module in ("cosmos.bicep", "servicebus.bicep", "search.bicep", "openai.bicep"):
        assert re.search(r"disableLocalAuth: true", (INFRA / "modules" / module).read_text()), module


def test_azd_deploys_the_api_and_the_transcoder_from_files_that_exist() -> None:
    azure_yaml = (ROOT / "azure.yaml").read_text()
    assert re.search(r"^  api:\n", azure_yaml, re.MULTILINE)
    assert re.search(r"^  transcoder:\n", azure_yaml, re.MULTILINE)
    dockerfile = re.search(r"path: (\S+)", azure_yaml.split("transcoder:")[1])
    assert dockerfile and (ROOT / dockerfile.group(1)).is_file()


def test_azd_subscribes_the_upload_trigger_to_blob_events_after_deploying() -> None:
    azure_yaml = (ROOT / "azure.yaml").read_text()
    hook = re.search(r"postdeploy:\n(?:\s+.+\n)*?\s+run: bash (\S+)", azure_yaml)
    assert hook and (ROOT / hook.group(1)).is_file()
    script = (ROOT / hook.group(1)).read_text()
    assert "Host.Functions.validate_upload" in script and "containers/uploads/" in script
