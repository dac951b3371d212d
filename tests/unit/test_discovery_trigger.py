"""The change-feed trigger that feeds the course index in Azure: it never skips a failed batch,
it keeps leases of its own, and the Bicep gives it a lease container it can use."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import azure.functions as func
from pycep import BicepParser

from functions import BLUEPRINTS, discovery
from functions._bindings import COSMOS_CONNECTION, COSMOS_DATABASE
from shared.catalog.model import COURSES
from shared.discovery.handlers import COURSE_FEED
from shared.platform.topology import LEASES

COSMOS_BICEP = Path(__file__).resolve().parents[2] / "infra" / "modules" / "cosmos.bicep"


def app_of(*blueprints: func.Blueprint) -> func.FunctionApp:
    # A new app each time: azure-functions lets get_functions() run once per app.
    app = func.FunctionApp()
    for blueprint in blueprints:
        app.register_functions(blueprint)
    return app


def change_feed_triggers(app: func.FunctionApp) -> dict[str, tuple[dict[str, Any], dict[str, Any] | None]]:
    """Each Cosmos DB trigger of ``app``: its binding and its retry policy."""
    found = {}
    for function in app.get_functions():
        trigger = function.get_trigger().get_dict_repr()
        if trigger["type"] == "cosmosDBTrigger":
            found[function.get_function_name()] = (trigger, function.get_settings_dict("retry_policy"))
    return found


def shared_lease_prefixes(app: func.FunctionApp) -> list[str]:
    """Lease prefixes used by more than one trigger on the same container: they would split its changes."""
    used = Counter(
        (trigger["containerName"], trigger.get("leaseContainerPrefix", ""))
        for trigger, _ in change_feed_triggers(app).values()
    )
    return sorted(f"{container}:{prefix!r}" for (container, prefix), n in used.items() if n > 1)


def test_the_course_index_follows_the_catalog_courses_container_and_retries_failed_batches_without_limit() -> None:
    (trigger, retry), *others = change_feed_triggers(app_of(discovery.bp)).values()
    assert others == []
    assert trigger["containerName"] == COURSES
    assert (trigger["leaseContainerName"], trigger["createLeaseContainerIfNotExists"]) == (LEASES, False)
    assert (trigger["connection"], trigger["databaseName"]) == (COSMOS_CONNECTION, COSMOS_DATABASE)
    # Without a retry policy the host moves the lease past a failed batch and its changes are lost.
    assert retry is not None
    assert retry["strategy"] == "exponential_backoff" and retry["max_retry_count"] == "-1"


def test_two_triggers_on_one_container_with_the_same_lease_prefix_are_reported() -> None:
    twin = func.Blueprint()

    @twin.cosmos_db_trigger(
        arg_name="changes",
        connection=COSMOS_CONNECTION,
        database_name=COSMOS_DATABASE,
        container_name=COURSES,
        lease_container_name=LEASES,
        lease_container_prefix=COURSE_FEED + "-",
    )
    def twin_of_the_index(changes: func.DocumentList) -> None: ...

    assert shared_lease_prefixes(app_of(discovery.bp, twin)) == [f"{COURSES}:'{COURSE_FEED}-'"]


def test_no_two_triggers_of_the_deployed_app_share_leases() -> None:
    assert shared_lease_prefixes(app_of(*BLUEPRINTS)) == []


def test_the_bicep_partitions_the_lease_container_by_id_as_the_change_feed_processor_requires() -> None:
    # The Bicep keys each container as infra/cosmos-containers.json (the code) says; leases there are keyed by /id.
    containers = json.loads((COSMOS_BICEP.parents[1] / "cosmos-containers.json").read_text())
    assert next(c for c in containers if c["name"] == LEASES)["partitionKeyPaths"] == ["/id"]
    bicep = BicepParser().parse(file_path=COSMOS_BICEP)
    partition = bicep["resources"]["documentContainers"]["config"]["config"]["properties"]["resource"]["partitionKey"]
    assert partition["operator"]["operands"] == {"operand_1": "partitionKeys", "operand_2": "i"}
    paths = bicep["variables"]["partitionKeys"]["value"]["config"]["paths"]["operator"]["operands"]
    assert paths == {"operand_1": "container", "operand_2": "partitionKeyPaths"}
