"""The Bicep parses, its modules exist, and it provisions what the code uses under the
names the code uses: containers, queues, topic, settings, identity-based access."""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import azure.functions as func
import pytest
from pycep import BicepParser

from shared.audit.model import AUDIT
from shared.containers import cosmos_containers_json
from shared.credentials.model import CERTIFICATE_BLOBS
from shared.media.model import MAX_DURATION_SECONDS, MEDIA_BLOBS, TRANSCODE_QUEUE, UPLOADS
from shared.platform.topology import BLOB_CONTAINERS, BUS_TOPOLOGY, EVENTS_TOPIC, LEASES, QUEUES
from shared.settings import Settings
from shared.tenancy.model import TENANTS, USERS

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
BICEP_FILES = sorted(INFRA.rglob("*.bicep"))
CODE_CONTAINERS = {TENANTS, USERS, AUDIT, LEASES}

# Settings the Bicep does not set, and why (each has a working default or is local-only).
OPTIONAL_SETTINGS = {
    "data_dir": "embedded profile only",
    "auth_roles_claim": "Entra ID's default claim name is the default",
    "auth_leeway_seconds": "default",
    "dev_token_max_ttl_seconds": "embedded dev issuer only",
    "max_request_bytes": "default",
    "log_level": "default",
    "principal_cache_seconds": "default",
    "rate_limit_user_per_minute": "default",
    "rate_limit_tenant_per_minute": "default",
    "cosmos_key": "emulator only; Azure uses the managed identity",
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
    "web_dist": "make run only; in Azure the Static Web App serves the web app",
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
    containers = json.loads((INFRA / "cosmos-containers.json").read_text())
    assert {c["name"] for c in containers} >= CODE_CONTAINERS
    keys = {c["name"]: c["partitionKeyPaths"] for c in containers}
    # Every container is keyed by tenant first (alone, or then by id), but the triggers' leases (by /id).
    assert {tuple(paths) for name, paths in keys.items() if name != LEASES} <= {("/tenantId",), ("/tenantId", "/id")}
    assert keys[LEASES] == ["/id"]


def test_the_readme_names_each_containers_partition_key_as_the_code_declares_it() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("| Container | Partition key | Why |") :].split("\n\n")[0]
    said: dict[str, str] = {}
    for row in table.splitlines()[2:]:
        names, key = row.split("|")[1:3]
        for name in re.findall(r"`([a-z-]+)`", names):
            said[name] = key.strip()
    declared = {
        c["name"]: ", ".join(f"`{p}`" for p in c["partitionKeyPaths"])
        for c in json.loads((INFRA / "cosmos-containers.json").read_text())
    }
    assert said == declared


def test_each_container_gets_the_partition_key_the_code_declares_hierarchical_ones_as_multihash_v2() -> None:
    module = parsed(INFRA / "modules" / "cosmos.bicep")
    key = module["variables"]["partitionKeys"]["value"]
    assert key["loop_type"]["detail"]["array_name"] == "containers"
    assert key["config"]["paths"]["operator"]["operands"] == {
        "operand_1": "container",
        "operand_2": "partitionKeyPaths",
    }
    kind = key["config"]["kind"]["operator"]["operands"]
    assert (kind["true_value"], kind["false_value"], key["config"]["version"]) == ("MultiHash", "Hash", 2)
    assert (
        kind["condition"]["operator"]["type"] == "greater_than"
        and kind["condition"]["operator"]["operands"]["operand_2"] == 1
    )
    shared = module["resources"]["documentContainers"]["config"]
    assert shared["loop_type"]["detail"]["array_name"] == "containers"
    picked = shared["config"]["properties"]["resource"]["partitionKey"]["operator"]
    assert picked == {"type": "index_accessor", "operands": {"operand_1": "partitionKeys", "operand_2": "i"}}


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
    named_by_code = {UPLOADS, MEDIA_BLOBS, CERTIFICATE_BLOBS}
    assert named_by_code == set(BLOB_CONTAINERS)
    assert named_by_code <= set(default_of("storage.bicep", "containers"))


def test_service_bus_matches_the_bus_topology_of_the_code() -> None:
    queues = {q["name"]: q for q in default_of("servicebus.bicep", "queues")}
    assert set(queues) == set(BUS_TOPOLOGY.queues)
    for name, options in BUS_TOPOLOGY.queues.items():
        assert queues[name]["maxDeliveryCount"] == options.max_delivery_count
        minutes = int(re.fullmatch(r"PT(\d+)M", queues[name]["lockDuration"]).group(1))  # type: ignore[union-attr]
        assert minutes * 60 == options.lock_seconds
    assert default_of("servicebus.bicep", "eventsTopic") == EVENTS_TOPIC
    assert set(default_of("servicebus.bicep", "eventSubscriptions")) == set(BUS_TOPOLOGY.topics[EVENTS_TOPIC])


def function_app_only_settings() -> dict[str, Any]:
    """The settings main.bicep gives the Functions app beyond the shared ``appSettings``."""
    settings = parsed(INFRA / "main.bicep")["modules"]["functionApp"]["config"]["params"]["appSettings"]
    assert settings["function"]["type"] == "union" and settings["function"]["parameters"]["arg_1"] == "appSettings"
    own: dict[str, Any] = settings["function"]["parameters"]["arg_2"]
    return own


def test_every_setting_the_app_reads_is_provisioned_or_documented_as_optional() -> None:
    shared = set(parsed(INFRA / "main.bicep")["variables"]["appSettings"]["value"])
    provisioned = shared | {s for s in function_app_only_settings() if s.startswith("LMS_")}
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


# --- service bus subscriptions ----------------------------------------------------------------


def test_topic_subscriptions_expire_unconsumed_events_to_their_dead_letter_queue() -> None:
    module = parsed(INFRA / "modules" / "servicebus.bicep")
    properties = module["resources"]["subscriptions"]["config"]["config"]["properties"]
    ttl = resolve(module, properties["defaultMessageTimeToLive"])
    days = re.fullmatch(r"P(\d+)D", ttl)
    assert days and 1 <= int(days.group(1)) <= 31, ttl
    assert properties["deadLetteringOnMessageExpiration"] is True


def test_every_event_subscription_has_a_consumer_in_azure_and_in_the_local_worker() -> None:
    from functions import BLUEPRINTS
    from shared.worker import bus_consumers

    app = func.FunctionApp()  # the deployed app's triggers (an app lists its functions only once)
    for blueprint in BLUEPRINTS:
        app.register_functions(blueprint)
    triggered = {
        (t.get("topicName"), t.get("subscriptionName"))
        for t in (f.get_trigger().get_dict_repr() for f in app.get_functions())
        if t["type"] == "serviceBusTrigger"
    }
    consumed = {c.entity for c in bus_consumers()}
    for subscription in BUS_TOPOLOGY.topics[EVENTS_TOPIC]:
        assert (EVENTS_TOPIC, subscription) in triggered, f"no trigger drains {subscription}"
        assert f"{EVENTS_TOPIC}/subscriptions/{subscription}" in consumed, f"no worker drains {subscription}"


# --- the transcoder job -----------------------------------------------------------------------

# Built-in role definition ids (Azure's, the same in every tenant).
BUILT_IN_ROLES = {
    "7f951dda-4ed3-4680-a7ca-43fe172d538d": "AcrPull",
    "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0": "Azure Service Bus Data Receiver",
    "090c5cfd-751d-490a-894a-3ce6f1109419": "Azure Service Bus Data Owner",
    "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39": "Azure Service Bus Data Sender",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
}
COSMOS_DATA_CONTRIBUTOR = "00000000-0000-0000-0000-000000000002"
CONTAINERS = "Microsoft.Storage/storageAccounts/blobServices/containers"
QUEUE = "Microsoft.ServiceBus/namespaces/queues"
TOPIC = "Microsoft.ServiceBus/namespaces/topics"


def accessor(value: Any) -> tuple[str, ...] | None:
    """``a.b.c`` of the parsed Bicep as ``("a", "b", "c")``; None for anything else."""
    if not (isinstance(value, dict) and value.get("operator", {}).get("type") == "property_accessor"):
        return None
    operands = value["operator"]["operands"]
    rest = accessor(operands["operand_2"]) or (operands["operand_2"],)
    return (operands["operand_1"], *rest)


def resolve(module: Any, value: Any) -> Any:
    """A parameter reference as the parameter's default; anything else as it is."""
    if isinstance(value, str) and value in module["parameters"]:
        default = module["parameters"][value].get("default")
        return value if default is None else default
    return value


def transcoder() -> Any:
    return parsed(INFRA / "modules" / "transcoder.bicep")


def job() -> Any:
    jobs = [r for r in transcoder()["resources"].values() if r["type"] == "Microsoft.App/jobs"]
    assert len(jobs) == 1, "the transcoder is one Container Apps job"
    return jobs[0]["config"]


def job_container() -> Any:
    (container,) = job()["properties"]["template"]["containers"]
    return container


def job_identity() -> str:
    (identity,) = job()["identity"]["userAssignedIdentities"]
    symbol = re.fullmatch(r"'\$\{(\w+)\.id\}'", identity)
    assert symbol and transcoder()["resources"][symbol.group(1)]["type"].startswith("Microsoft.ManagedIdentity/")
    return symbol.group(1)


def test_the_transcoder_is_a_job_that_the_transcode_queue_starts_through_the_managed_identity() -> None:
    config = job()["properties"]["configuration"]
    assert config["triggerType"] == "Event"
    (rule,) = config["eventTriggerConfig"]["scale"]["rules"]
    assert rule["type"] == "azure-servicebus"
    assert accessor(rule["identity"]) == (job_identity(), "id")
    assert "auth" not in rule and not {"connection", "connectionFromEnv"} & set(rule["metadata"])
    queue = resolve(transcoder(), rule["metadata"]["queueName"])
    assert queue == TRANSCODE_QUEUE and queue in QUEUES
    assert [q["name"] for q in default_of("servicebus.bicep", "queues")].count(queue) == 1
    namespace = parsed(INFRA / "main.bicep")["modules"]["transcoder"]["config"]["params"]["serviceBusNamespace"]
    assert accessor(namespace) == ("serviceBus", "outputs", "name")


def test_each_execution_drains_the_queue_once_and_exits() -> None:
    container = job_container()
    command = [*container["command"], *(resolve(transcoder(), a) for a in container["args"])]
    assert command == ["python", "-m", "shared.worker", "--entity", TRANSCODE_QUEUE, "--until-idle"]
    dockerfile = (ROOT / "Dockerfile.transcoder").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd and json.loads(cmd.group(1)) == command, "the image alone runs what the job runs"
    assert re.search(r"^FROM python:3\.11", dockerfile, re.MULTILINE) and "ffmpeg" in dockerfile
    assert re.search(r"^COPY shared \./shared$", dockerfile, re.MULTILINE)
    assert re.search(r"^RUN pip install .*-r requirements\.txt$", dockerfile, re.MULTILINE)


def test_an_execution_may_run_as_long_as_the_longest_video_with_bounded_parallelism_and_retries() -> None:
    config = job()["properties"]["configuration"]
    assert resolve(transcoder(), config["replicaTimeout"]) >= MAX_DURATION_SECONDS
    assert 1 <= resolve(transcoder(), config["eventTriggerConfig"]["scale"]["maxExecutions"]) <= 10
    assert config["eventTriggerConfig"]["parallelism"] == 1
    assert 0 <= resolve(transcoder(), config["replicaRetryLimit"]) <= 3
    resources = job_container()["resources"]
    cpu = float(resolve(transcoder(), resources["cpu"]["function"]["parameters"]["arg_1"]))
    memory = re.fullmatch(r"(\d+)Gi", resolve(transcoder(), resources["memory"]))
    assert cpu >= 2 and memory and int(memory.group(1)) >= 2 * cpu  # the Consumption profile's ratio


def job_grants() -> set[tuple[str, str, str | None]]:
    """Every data-plane role the job's identity is granted: (role, resource type, resource name)."""
    module, identity = transcoder(), job_identity()
    granted: set[tuple[str, str, str | None]] = set()
    for resource in module["resources"].values():
        config = resource["config"]
        if resource["type"] == "Microsoft.Authorization/roleAssignments":
            assert accessor(config["properties"]["principalId"]) == (identity, "properties", "principalId")
            role = accessor(config["properties"]["roleDefinitionId"]["function"]["parameters"]["resource_name_1"])
            assert role and role[0] == "roles"
            scope = module["resources"][config["scope"]]
            name = resolve(module, scope["config"]["name"])  # the resource's own name, where it is one
            name = name if isinstance(name, str) else None
            granted.add((BUILT_IN_ROLES[module["variables"]["roles"]["value"][role[1]]], scope["type"], name))
        elif resource["type"] == "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments":
            assert accessor(config["properties"]["principalId"]) == (identity, "properties", "principalId")
            assert config["properties"]["roleDefinitionId"].endswith(f"/sqlRoleDefinitions/{COSMOS_DATA_CONTRIBUTOR}")
            assert module["resources"][config["parent"]]["type"] == "Microsoft.DocumentDB/databaseAccounts"
            granted.add(("Cosmos DB Built-in Data Contributor", "Microsoft.DocumentDB/databaseAccounts", None))
    return granted


SERVICE_BUS_TYPES = {QUEUE, TOPIC, "Microsoft.ServiceBus/namespaces"}
BUS_SENDS = {"Azure Service Bus Data Sender", "Azure Service Bus Data Owner"}
BUS_RECEIVES = {"Azure Service Bus Data Receiver", "Azure Service Bus Data Owner"}


def job_bus_rights() -> dict[str, set[str]]:
    """What the job's identity may do on Service Bus: entity name -> {"send", "receive"}. The rights
    a transcode really uses are derived from its code by tests/e2e/test_transcoder_rights.py."""
    rights: dict[str, set[str]] = {}
    for role, kind, name in job_grants():
        if kind in SERVICE_BUS_TYPES:
            assert kind != "Microsoft.ServiceBus/namespaces", "no namespace-wide rights for the job"
            assert name is not None
            if role in BUS_SENDS:
                rights.setdefault(name, set()).add("send")
            if role in BUS_RECEIVES:
                rights.setdefault(name, set()).add("receive")
    return rights


def test_the_job_identity_has_only_the_storage_database_and_registry_roles_a_transcode_needs() -> None:
    outside_the_bus = {g for g in job_grants() if g[1] not in SERVICE_BUS_TYPES}
    assert outside_the_bus == {
        ("AcrPull", "Microsoft.ContainerRegistry/registries", None),
        ("Storage Blob Data Reader", CONTAINERS, UPLOADS),
        ("Storage Blob Data Contributor", CONTAINERS, MEDIA_BLOBS),
        ("Cosmos DB Built-in Data Contributor", "Microsoft.DocumentDB/databaseAccounts", None),
        ("Monitoring Metrics Publisher", "Microsoft.Insights/components", "appInsightsName"),
        # The HLS content keys it creates, in their own vault: none of the platform's other secrets.
        ("Key Vault Secrets Officer", "Microsoft.KeyVault/vaults", "mediaKeyVaultName"),
    }
    # The KEDA scaler reads the queue's message count, which needs Manage (microsoft/azure-container-apps#1138):
    # Owner on the transcode queue is the one right beyond what the code itself uses.
    assert ("Azure Service Bus Data Owner", QUEUE, TRANSCODE_QUEUE) in job_grants()


def test_the_job_gets_every_setting_the_app_gets_and_its_own_identity_and_telemetry() -> None:
    main = parsed(INFRA / "main.bicep")
    assert main["modules"]["transcoder"]["config"]["params"]["appSettings"] == "appSettings"
    assert main["modules"]["functionApp"]["config"]["params"]["appSettings"]["function"]["parameters"]["arg_1"] == (
        "appSettings"
    )
    settings_env = transcoder()["variables"]["settingsEnv"]["value"]["loop_type"]["detail"]["array_name"]
    assert settings_env == {"function": {"type": "items", "parameters": {"arg_1": "appSettings"}}}
    env = job_container()["env"]["function"]
    assert env["type"] == "concat" and env["parameters"]["arg_1"] == "settingsEnv"
    own = {e["name"]: e["value"] for e in env["parameters"]["arg_2"]}
    assert accessor(own["AZURE_CLIENT_ID"]) == (job_identity(), "properties", "clientId")
    assert own["APPLICATIONINSIGHTS_CONNECTION_STRING"] == "appInsightsConnectionString"
    assert own["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"].endswith(";Authorization=AAD")
    # Each variable is set once: the shared settings leave the identity to each workload.
    assert not set(own) & set(main["variables"]["appSettings"]["value"])


# --- packaging --------------------------------------------------------------------------------


def ignore_patterns(name: str) -> set[str]:
    lines = (ROOT / name).read_text().splitlines()
    return {line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")}


def test_the_functions_package_leaves_out_environments_tests_and_caches_but_keeps_the_app() -> None:
    patterns = ignore_patterns(".funcignore")
    assert {".venv", ".git", ".data", "emulators", "tests", "bench", "__pycache__", ".mypy_cache"} <= patterns
    assert not {"shared", "functions", "function_app.py", "host.json", "requirements.txt"} & patterns
    assert re.search(r"^  api:\n(?:    .*\n)*?    remoteBuild: true\n", (ROOT / "azure.yaml").read_text(), re.MULTILINE)


def test_the_transcoder_image_context_leaves_out_everything_the_image_does_not_copy() -> None:
    patterns = ignore_patterns(".dockerignore")
    assert {".venv", ".git", ".data", "emulators", "tests", "bench", "**/__pycache__"} <= patterns
    assert not {"shared", "requirements.txt", "Dockerfile.transcoder"} & patterns


def test_installing_system_packages_never_stops_processes_by_name() -> None:
    script = (ROOT / "emulators" / "install-system.sh").read_text()
    assert not re.search(r"\b(pkill|killall)\b", script)


# --- tenant placement ---------------------------------------------------------------------------


def test_each_dedicated_database_is_created_with_every_container_of_the_shared_one() -> None:
    module = parsed(INFRA / "modules" / "cosmos.bicep")
    assert module["parameters"]["dedicatedDatabases"]["default"] == []
    databases = module["resources"]["placedDatabases"]["config"]
    assert databases["loop_type"]["detail"]["array_name"] == "dedicatedDatabases"
    containers = module["resources"]["placedContainers"]["config"]
    count = containers["loop_type"]["detail"]["array_name"]["function"]["parameters"]["count"]["operator"]
    looped = {operand["function"]["parameters"]["arg_1"] for operand in count["operands"].values()}
    assert (count["type"], looped) == ("multiply", {"dedicatedDatabases", "containers"})
    assert containers["config"]["parent"]["operator"]["operands"]["operand_1"] == "placedDatabases"
    resource = containers["config"]["properties"]["resource"]
    picked = resource["partitionKey"]["operator"]
    assert (picked["type"], picked["operands"]["operand_1"]) == ("index_accessor", "partitionKeys")
    assert picked["operands"]["operand_2"]["operator"]["type"] == "modulo"  # the same key as the shared container's
    assert "indexingPolicy" in str(resource["indexingPolicy"])
    shared = module["resources"]["documentContainers"]["config"]["config"]["properties"]["resource"]
    assert resource["defaultTtl"] == shared["defaultTtl"]  # -1: each document decides its own TTL


def test_the_placement_map_and_its_databases_reach_cosmos_and_the_app_settings() -> None:
    main = parsed(INFRA / "main.bicep")
    assert main["parameters"]["cosmosDedicatedDatabases"]["default"] == []
    assert main["parameters"]["cosmosPlacement"]["default"] == {}
    assert main["modules"]["cosmos"]["config"]["params"]["dedicatedDatabases"] == "cosmosDedicatedDatabases"
    setting = main["variables"]["appSettings"]["value"]["LMS_COSMOS_PLACEMENT"]
    assert setting == {"function": {"type": "string", "parameters": {"value_to_convert": "cosmosPlacement"}}}
    parameters = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert (parameters["cosmosDedicatedDatabases"]["value"], parameters["cosmosPlacement"]["value"]) == ([], {})


def test_the_app_reads_the_placement_map_as_the_bicep_writes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # Bicep's string() of an object is its JSON text.
    monkeypatch.setenv("LMS_COSMOS_PLACEMENT", json.dumps({"acme": "lms-acme", "globex": "lms-acme"}))
    assert Settings().cosmos_placement == {"acme": "lms-acme", "globex": "lms-acme"}
    monkeypatch.setenv("LMS_COSMOS_PLACEMENT", "{}")
    assert Settings().cosmos_placement == {}


# --- the web app --------------------------------------------------------------------------------


def azure_yaml_service(name: str) -> str:
    text = (ROOT / "azure.yaml").read_text()
    found = re.search(rf"^  {name}:\n((?:    .*\n|\s*#.*\n)*)", text, re.MULTILINE)
    assert found, f"azure.yaml has no service {name}"
    return found.group(1)


def test_azd_deploys_the_web_app_to_its_static_web_app() -> None:
    service = azure_yaml_service("web")
    for line in ("project: ./web", "language: js", "host: staticwebapp", "dist: dist"):
        assert re.search(rf"^    {re.escape(line)}$", service, re.MULTILINE), line
    module = parsed(INFRA / "modules" / "staticwebapp.bicep")
    (site,) = [r["config"] for r in module["resources"].values() if r["type"] == "Microsoft.Web/staticSites"]
    assert site["tags"]["function"]["parameters"]["arg_2"] == {"'azd-service-name'": "web"}
    assert site["sku"] == {"name": "sku", "tier": "sku"}
    assert module["parameters"]["sku"]["default"] == "Free"
    assert module["parameters"]["sku"]["decorators"][0]["argument"] == ["Free", "Standard"]
    main = parsed(INFRA / "main.bicep")
    assert main["modules"]["web"]["detail"]["path"] == "modules/staticwebapp.bicep"
    assert accessor(main["outputs"]["WEB_URL"]["value"]) == ("web", "outputs", "uri")


# What the web app reads at build time (web/, import.meta.env) and the Bicep outputs for the azd environment.
WEB_BUILD_SETTINGS = {
    "VITE_API_BASE_URL",
    "VITE_AUTH_MODE",
    "VITE_ENTRA_AUTHORITY",
    "VITE_ENTRA_CLIENT_ID",
    "VITE_ENTRA_API_SCOPE",
}


def test_the_web_build_gets_the_api_url_and_the_entra_settings_from_the_bicep_outputs() -> None:
    outputs = parsed(INFRA / "main.bicep")["outputs"]
    assert set(outputs) >= WEB_BUILD_SETTINGS
    # The Functions app's origin and nothing else: every route starts with /api.
    assert accessor(outputs["VITE_API_BASE_URL"]["value"]) == ("functionApp", "outputs", "uri")
    uri = parsed(INFRA / "modules" / "functionapp.bicep")["outputs"]["uri"]["value"]
    assert uri == "https://${app.properties.defaultHostName}"
    assert outputs["VITE_AUTH_MODE"]["value"] == "entra"
    scope = outputs["VITE_ENTRA_API_SCOPE"]["value"]["operator"]["operands"]
    assert (scope["true_value"], scope["false_value"]) == ("${authAudience}/.default", "webEntraApiScope")
    authority = outputs["VITE_ENTRA_AUTHORITY"]["value"]["operator"]["operands"]
    assert authority["true_value"]["function"]["parameters"]["original_string"] == "authIssuer"
    assert outputs["VITE_ENTRA_CLIENT_ID"]["value"] == "webEntraClientId"


def test_the_web_services_prebuild_hook_writes_every_build_setting_for_vite() -> None:
    hook = re.search(r"prebuild:\n(?:\s+.+\n)*?\s+run: sh \.\./(\S+)", azure_yaml_service("web"))
    assert hook, "the web service has a prebuild hook running a script"
    script = (ROOT / hook.group(1)).read_text()
    assert '/../../web" && pwd)/.env.production.local' in script  # web/, wherever azd runs the hook from
    written = set(re.findall(r'echo "(VITE_[A-Z_]+)=', script))
    assert written == WEB_BUILD_SETTINGS
    assert "web/.env*.local" in ignore_patterns(".gitignore")


def test_the_api_allows_exactly_the_web_origins_and_the_platform_cors_stays_off() -> None:
    main = parsed(INFRA / "main.bicep")
    origins = main["variables"]["webOrigins"]["value"]["function"]
    assert origins["type"] == "union"
    (own,) = origins["parameters"]["arg_1"]
    assert accessor(own) == ("web", "outputs", "uri")
    assert origins["parameters"]["arg_2"] == "webExtraOrigins"
    assert main["parameters"]["webExtraOrigins"]["default"] == []
    setting = function_app_only_settings()["LMS_WEB_ORIGINS"]
    assert setting == {"function": {"type": "join", "parameters": {"input_array": "webOrigins", "delimiter": ","}}}
    assert "LMS_WEB_ORIGINS" in {f"LMS_{n.upper()}" for n in Settings.model_fields}
    # The Functions platform's own CORS would answer preflights itself and override the app's policy.
    site_config = parsed(INFRA / "modules" / "functionapp.bicep")["resources"]["app"]["config"]["properties"]
    assert "cors" not in site_config["siteConfig"]


def test_the_blob_storage_lets_the_web_origins_upload_and_play_and_no_one_else() -> None:
    main = parsed(INFRA / "main.bicep")
    assert main["modules"]["storage"]["config"]["params"]["corsOrigins"] == "webOrigins"
    storage = parsed(INFRA / "modules" / "storage.bicep")
    rules = storage["resources"]["blobService"]["config"]["properties"]["cors"]["corsRules"]["operator"]["operands"]
    (rule,) = rules["false_value"]
    assert rule["allowedOrigins"] == "corsOrigins"
    assert {"PUT", "GET"} <= set(rule["allowedMethods"]) and "DELETE" not in rule["allowedMethods"]
    assert "x-ms-blob-type" in rule["allowedHeaders"]
    assert "*" not in str(rule)


# --- Key Vault across azd down / azd up -------------------------------------------------------

KEY_VAULT_MODULE = "keyVault"


def test_the_key_vault_keeps_purge_protection_and_a_token_name_and_is_recovered_on_the_next_up() -> None:
    main = parsed(INFRA / "main.bicep")
    assert "uniqueString(subscription().id, environmentName, location)" in (INFRA / "main.bicep").read_text()
    vault_module = main["modules"][KEY_VAULT_MODULE]["config"]
    assert vault_module["params"]["createMode"] == "keyVaultCreateMode"
    assert main["parameters"]["keyVaultCreateMode"]["decorators"]
    parameters = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert parameters["keyVaultCreateMode"]["value"] == "${KEY_VAULT_CREATE_MODE=default}"
    keyvault = parsed(INFRA / "modules" / "keyvault.bicep")
    (vault,) = [r["config"] for r in keyvault["resources"].values() if r["type"] == "Microsoft.KeyVault/vaults"]
    assert vault["properties"]["enablePurgeProtection"] is True
    assert vault["properties"]["createMode"] == "createMode"
    azure_yaml = (ROOT / "azure.yaml").read_text()
    assert re.search(r"^  preprovision:\n(    .*\n)*    run: sh infra/scripts/recover-key-vault\.sh$", azure_yaml, re.M)


def _run_hook(tmp_path: Path, *deleted: str) -> list[str]:
    """The preprovision hook with stand-ins for az (listing those of ``deleted`` whose name prefix the
    query asks for, as az's JMESPath would) and azd (noting what it sets)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    names = " ".join(deleted)
    (bin_dir / "az").write_text(
        "#!/bin/sh\n"
        f"for name in {names}; do\n"
        "  prefix=$(printf '%s' \"$name\" | sed 's/[^-]*$//')\n"
        '  case "$*" in *"starts_with(name, \'$prefix\')"*) printf \'%s\' "$name"; exit 0;; esac\n'
        "done\n"
    )
    (bin_dir / "azd").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "azd.log"}\n')
    for tool in ("az", "azd"):
        (bin_dir / tool).chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "AZURE_ENV_NAME": "lms-test"}
    script = INFRA / "scripts" / "recover-key-vault.sh"
    subprocess.run(["sh", str(script)], env=env, check=True, capture_output=True)
    return (tmp_path / "azd.log").read_text().strip().splitlines()


def test_the_hook_recovers_each_soft_deleted_vault_of_the_environment_and_otherwise_creates_it(
    tmp_path: Path,
) -> None:
    assert _run_hook(tmp_path / "a", "kv-lms-abc123", "kvm-lms-abc123") == [
        "env set KEY_VAULT_CREATE_MODE recover",
        "env set MEDIA_KEY_VAULT_CREATE_MODE recover",
    ]
    assert _run_hook(tmp_path / "b", "kvm-lms-abc123") == [
        "env set KEY_VAULT_CREATE_MODE default",
        "env set MEDIA_KEY_VAULT_CREATE_MODE recover",
    ]
    assert _run_hook(tmp_path / "c") == [
        "env set KEY_VAULT_CREATE_MODE default",
        "env set MEDIA_KEY_VAULT_CREATE_MODE default",
    ]


def test_the_media_keys_vault_is_read_only_for_the_app_and_recovered_like_the_platforms() -> None:
    main = parsed(INFRA / "main.bicep")
    media = main["modules"]["mediaKeyVault"]["config"]["params"]
    assert media["appAccess"] == "reader" and media["createMode"] == "mediaKeyVaultCreateMode"
    assert main["modules"][KEY_VAULT_MODULE]["config"]["params"].get("appAccess", "officer") == "officer"
    parameters = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert parameters["mediaKeyVaultCreateMode"]["value"] == "${MEDIA_KEY_VAULT_CREATE_MODE=default}"
    variables = {k: v["value"] for k, v in main["variables"].items()}
    assert accessor(variables["appSettings"]["LMS_MEDIA_KEY_VAULT_URL"]) == ("mediaKeyVault", "outputs", "uri")
    text = (INFRA / "modules" / "keyvault.bicep").read_text()
    assert "var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'" in text  # Key Vault Secrets User
    assert "appAccess == 'officer' ? secretsOfficer : secretsUser" in text


# --- the CDN caches encrypted segments for every viewer -----------------------------------------


def test_front_door_caches_encrypted_segments_ignoring_the_query_string_and_all_else_per_url() -> None:
    from shared.media.model import ENCRYPTED_SEGMENT_PREFIX

    frontdoor = parsed(INFRA / "modules" / "frontdoor.bicep")
    resources = {name: r["config"] for name, r in frontdoor["resources"].items()}
    route = resources["route"]["properties"]
    assert route["cacheConfiguration"]["queryStringCachingBehavior"] == "UseQueryString"
    assert [accessor(r["id"]) for r in route["ruleSets"]] == [("ruleSet", "id")]
    assert frontdoor["parameters"]["encryptedSegmentPrefix"]["default"] == ENCRYPTED_SEGMENT_PREFIX
    rule = resources["sharedSegments"]["properties"]
    conditions = {c["name"]: c["parameters"] for c in rule["conditions"]}
    assert conditions["UrlFileName"]["operator"] == "BeginsWith"
    assert conditions["UrlFileName"]["matchValues"] == ["encryptedSegmentPrefix"]
    assert conditions["UrlFileExtension"]["matchValues"] == ["ts"]
    assert not any(c.get("negateCondition") for c in conditions.values())
    (action,) = rule["actions"]
    cache = action["parameters"]["cacheConfiguration"]
    assert cache["queryStringCachingBehavior"] == "IgnoreQueryString"
    assert cache["cacheBehavior"] == "HonorOrigin"  # the blob's Cache-Control: immutable, a year


def test_certificates_name_the_apis_public_https_origin_in_azure() -> None:
    main = parsed(INFRA / "main.bicep")
    variables = {k: v["value"] for k, v in main["variables"].items()}
    assert variables["appSettings"]["LMS_PUBLIC_BASE_URL"] == "apiOrigin"
    assert variables["apiOrigin"] == "https://${functionAppName}.azurewebsites.net"
    assert main["modules"]["functionApp"]["config"]["params"]["name"] == "functionAppName"


def _run_subscribe_hook(tmp_path: Path, keys: list[str]) -> tuple[int, list[str]]:
    """The postdeploy hook with an az stand-in whose keys answers are ``keys`` in turn."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    answers = tmp_path / "answers"
    answers.write_text("".join(f"{k}\n" for k in keys))
    log = tmp_path / "az.log"
    (bin_dir / "az").write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {log}\n'
        'case "$*" in\n'
        f'  "functionapp keys list"*) head -n 1 {answers}; sed -i 1d {answers} ;;\n'
        '  "functionapp show"*) echo func-lms-x.azurewebsites.net ;;\n'
        "esac\n"
    )
    (bin_dir / "az").chmod(0o755)
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "AZURE_RESOURCE_GROUP": "rg-x",
        "AZURE_FUNCTION_APP_NAME": "func-lms-x",
        "UPLOADS_EVENT_TOPIC": "evgt-x",
        "LMS_HOOK_ATTEMPTS": "3",
        "LMS_HOOK_WAIT_SECONDS": "0",
    }
    script = INFRA / "scripts" / "subscribe-upload-events.sh"
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True)
    return done.returncode, log.read_text().splitlines()


def test_the_postdeploy_hook_waits_a_bounded_time_for_the_blob_trigger_key(tmp_path: Path) -> None:
    code, calls = _run_subscribe_hook(tmp_path / "late", ["", "", "the-key"])
    assert code == 0
    assert sum(c.startswith("functionapp keys list") for c in calls) == 3
    assert any(c.startswith("eventgrid system-topic event-subscription create") and "code=the-key" in c for c in calls)
    code, calls = _run_subscribe_hook(tmp_path / "never", ["", "", "", ""])
    assert code == 1 and not any(c.startswith("eventgrid") for c in calls)
    assert sum(c.startswith("functionapp keys list") for c in calls) == 3


# Preview API versions, each only where no GA version has what the resource needs.
PREVIEW_API_VERSIONS = {
    # GA 2016-09-01 has no categoryGroup ("allLogs"); no newer GA version exists.
    "Microsoft.Insights/diagnosticSettings@2021-05-01-preview",
}


def test_no_preview_api_version_where_a_ga_one_exists() -> None:
    used = {
        m.group(1)
        for path in BICEP_FILES
        for m in re.finditer(r"'([A-Za-z.]+/[A-Za-z/]+@\d{4}-\d{2}-\d{2}-preview)'", path.read_text())
    }
    assert used <= PREVIEW_API_VERSIONS, f"preview API versions: {sorted(used - PREVIEW_API_VERSIONS)}"


def test_azd_names_the_release_it_needs() -> None:
    assert re.search(r'^requiredVersions:\n  azd: ">= \d+\.\d+\.\d+"$', (ROOT / "azure.yaml").read_text(), re.M)


def test_each_subscription_is_filtered_to_the_events_its_consumer_handles() -> None:
    from shared.cli import bus_subscriptions_json

    assert (INFRA / "bus-subscriptions.json").read_text() == bus_subscriptions_json(), (
        "regenerate: python -m shared.cli bus-subscriptions > infra/bus-subscriptions.json"
    )
    module = parsed(INFRA / "modules" / "servicebus.bicep")
    assert "loadJsonContent('../bus-subscriptions.json')" in (INFRA / "modules" / "servicebus.bicep").read_text()
    (rule,) = [r for r in module["resources"].values() if r["type"].endswith("/subscriptions/rules")]
    filters = json.loads((INFRA / "bus-subscriptions.json").read_text())
    assert set(filters) == set(BUS_TOPOLOGY.topics[EVENTS_TOPIC])
    assert all(f.startswith("type IN ('") for f in filters.values())
    assert "$Default" in json.dumps(rule)


def test_the_deploying_developer_gets_the_apps_data_plane_access_when_azd_names_them() -> None:
    parameters = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert parameters["principalId"]["value"] == "${AZURE_PRINCIPAL_ID=}"
    main = parsed(INFRA / "main.bicep")
    for module in ("cosmos.bicep", "storage.bicep", "servicebus.bicep", "keyvault.bicep", "search.bicep"):
        configs = [m["config"] for m in main["modules"].values() if m["detail"]["path"] == f"modules/{module}"]
        assert configs, module
        assert all(config["params"]["developerPrincipalId"] == "principalId" for config in configs), module
        text = (INFRA / "modules" / module).read_text()
        assert "principalId: developerPrincipalId" in text and "empty(developerPrincipalId)" in text, module
        assert (
            "principalType: 'ServicePrincipal'"
            not in text.split("developerPrincipalId string")[1]
            .split("principalId: developerPrincipalId")[1]
            .split("}")[0]
        ), module


def test_the_location_is_one_of_the_regions_that_offer_flex_consumption() -> None:
    main = parsed(INFRA / "main.bicep")
    (allowed,) = [d["argument"] for d in main["parameters"]["location"]["decorators"] if d["type"] == "allowed"]
    assert {"eastus", "westeurope", "swedencentral"} <= set(allowed)
    assert all(region == region.lower() and " " not in region for region in allowed)
    # Regions without Flex Consumption (as `az functionapp list-flexconsumption-locations` shows) stay out.
    assert not {"westindia", "japanwest", "australiacentral2", "francesouth"} & set(allowed)
    assert main["parameters"]["location"]["decorators"]  # azd asks with its location picker


# --- not losing data -----------------------------------------------------------------------------


def test_cosmos_db_has_continuous_backup_and_blobs_are_soft_deleted_versioned_and_restorable() -> None:
    cosmos = parsed(INFRA / "modules" / "cosmos.bicep")
    (account,) = [
        r["config"] for r in cosmos["resources"].values() if r["type"] == "Microsoft.DocumentDB/databaseAccounts"
    ]
    policy = account["properties"]["backupPolicy"]
    assert policy["type"] == "Continuous" and policy["continuousModeProperties"]["tier"] == "backupTier"
    assert cosmos["parameters"]["backupTier"]["default"] in ("Continuous7Days", "Continuous30Days")
    storage = parsed(INFRA / "modules" / "storage.bicep")
    blobs = storage["resources"]["blobService"]["config"]["properties"]
    assert blobs["isVersioningEnabled"] is True and blobs["changeFeed"]["enabled"] is True
    assert blobs["deleteRetentionPolicy"]["enabled"] is True and blobs["containerDeleteRetentionPolicy"]["enabled"]
    # Point-in-time restore must end before the deleted versions it needs are gone.
    assert blobs["restorePolicy"]["enabled"] is True
    assert (
        blobs["restorePolicy"]["days"]
        < blobs["deleteRetentionPolicy"]["days"]
        <= blobs["changeFeed"]["retentionInDays"]
    )
