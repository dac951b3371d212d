"""Every trigger of the Function App binds to an entity and a connection that the Bicep
provisions: queues, topic subscriptions, Cosmos containers (with the leases container),
blob containers, and identity-based connection settings.

``binding_problems`` is the check; it is proven against deliberately wrong blueprints
below, then run over ``function_app.app`` as deployed.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import azure.functions as func
import pytest
from pycep import BicepParser

from functions._bindings import COSMOS_CONNECTION, COSMOS_DATABASE, SERVICEBUS_CONNECTION, STORAGE_CONNECTION
from shared.platform.topology import LEASES

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"


@dataclass(frozen=True)
class Provisioned:
    queues: frozenset[str]
    subscriptions: frozenset[tuple[str, str]]
    cosmos_containers: frozenset[str]
    blob_containers: frozenset[str]
    identity_connections: frozenset[str]
    app_settings: frozenset[str]


def _module_default(module: str, parameter: str) -> Any:
    return BicepParser().parse(file_path=INFRA / "modules" / module)["parameters"][parameter]["default"]


@cache
def provisioned() -> Provisioned:
    """What infra/ creates, read from the Bicep and the files it loads."""
    main = (INFRA / "main.bicep").read_text() + (INFRA / "modules" / "functionapp.bicep").read_text()
    topic = _module_default("servicebus.bicep", "eventsTopic")
    return Provisioned(
        queues=frozenset(q["name"] for q in _module_default("servicebus.bicep", "queues")),
        subscriptions=frozenset((topic, s) for s in _module_default("servicebus.bicep", "eventSubscriptions")),
        cosmos_containers=frozenset(c["name"] for c in json.loads((INFRA / "cosmos-containers.json").read_text())),
        blob_containers=frozenset(_module_default("storage.bicep", "containers")),
        identity_connections=frozenset(re.findall(r"(\w+)__credential: 'managedidentity'", main)),
        app_settings=frozenset(re.findall(r"^\s+(\w+): ", main, re.MULTILINE)),
    )


def _setting(value: str) -> str | None:
    """The app setting a ``%NAME%`` binding expression reads, if it is one."""
    match = re.fullmatch(r"%(\w+)%", value or "")
    return match.group(1) if match else None


def _trigger_problems(name: str, trigger: dict[str, Any], infra: Provisioned) -> list[str]:
    kind, problems = trigger["type"], []
    if kind == "serviceBusTrigger":
        if "queueName" in trigger and trigger["queueName"] not in infra.queues:
            problems.append(f"{name}: queue {trigger['queueName']!r} is not provisioned")
        subscription = (trigger.get("topicName"), trigger.get("subscriptionName"))
        if "topicName" in trigger and subscription not in infra.subscriptions:
            problems.append(f"{name}: subscription {'/'.join(map(str, subscription))} is missing")
    elif kind == "cosmosDBTrigger":
        for key in ("containerName", "leaseContainerName"):
            if trigger.get(key) not in infra.cosmos_containers:
                problems.append(f"{name}: Cosmos container {trigger.get(key)!r} is not provisioned")
        if trigger.get("leaseContainerName") != LEASES:
            problems.append(f"{name}: leases belong in the {LEASES!r} container")
        database = _setting(trigger.get("databaseName", ""))
        if trigger.get("databaseName") != COSMOS_DATABASE or database not in infra.app_settings:
            problems.append(f"{name}: the database must come from the {COSMOS_DATABASE} setting")
    elif kind == "blobTrigger":
        if trigger.get("path", "").split("/")[0] not in infra.blob_containers:
            problems.append(f"{name}: blob container of {trigger.get('path')!r} is not provisioned")
        if trigger.get("source") != "EventGrid":
            problems.append(f"{name}: Flex Consumption runs blob triggers only with source=EventGrid")
    elif kind != "timerTrigger":
        problems.append(f"{name}: trigger type {kind} is not provisioned for")
    return problems


def binding_problems(app: func.FunctionApp, infra: Provisioned) -> list[str]:
    """Everything a trigger of ``app`` names that the Bicep does not provision."""
    expected = {"serviceBusTrigger": SERVICEBUS_CONNECTION, "cosmosDBTrigger": COSMOS_CONNECTION}
    expected["blobTrigger"] = STORAGE_CONNECTION
    problems: list[str] = []
    for function in app.get_functions():
        name, trigger = function.get_function_name(), function.get_trigger().get_dict_repr()
        if trigger["type"] == "httpTrigger":
            continue
        connection = trigger.get("connection")
        if trigger["type"] in expected:
            if connection != expected[trigger["type"]]:
                problems.append(f"{name}: connection {connection!r}, expected {expected[trigger['type']]!r}")
            elif connection not in infra.identity_connections:
                problems.append(f"{name}: connection {connection!r} has no identity-based settings in the Bicep")
        problems += _trigger_problems(name, trigger, infra)
    return problems


def app_with(blueprint: func.Blueprint) -> func.FunctionApp:
    app = func.FunctionApp()
    app.register_functions(blueprint)
    return app


def test_a_trigger_on_a_queue_that_is_not_provisioned_is_reported() -> None:
    bp = func.Blueprint()

    @bp.service_bus_queue_trigger(arg_name="msg", queue_name="no-such-queue", connection=SERVICEBUS_CONNECTION)
    def orphan(msg: func.ServiceBusMessage) -> None: ...

    assert binding_problems(app_with(bp), provisioned()) == ["orphan: queue 'no-such-queue' is not provisioned"]


def test_a_trigger_with_a_connection_string_setting_is_reported() -> None:
    bp = func.Blueprint()

    @bp.service_bus_queue_trigger(arg_name="msg", queue_name="certificates", connection="ServiceBusConnectionString")
    def keyed(msg: func.ServiceBusMessage) -> None: ...

    assert binding_problems(app_with(bp), provisioned()) == [
        "keyed: connection 'ServiceBusConnectionString', expected 'SERVICEBUS'"
    ]


def test_a_change_feed_trigger_needs_a_provisioned_container_and_the_leases_container() -> None:
    bp = func.Blueprint()

    @bp.cosmos_db_trigger(
        arg_name="docs",
        container_name="courses-typo",
        database_name="lms",
        connection=COSMOS_CONNECTION,
        lease_container_name="leases2",
    )
    def feed(docs: func.DocumentList) -> None: ...

    problems = binding_problems(app_with(bp), provisioned())
    assert "feed: Cosmos container 'courses-typo' is not provisioned" in problems
    assert "feed: leases belong in the 'leases' container" in problems
    assert "feed: the database must come from the %LMS_COSMOS_DATABASE% setting" in problems


def test_a_polling_blob_trigger_is_reported_because_flex_consumption_needs_event_grid() -> None:
    bp = func.Blueprint()

    @bp.blob_trigger(arg_name="blob", path="uploads/{name}", connection=STORAGE_CONNECTION)
    def upload(blob: func.InputStream) -> None: ...

    assert binding_problems(app_with(bp), provisioned()) == [
        "upload: Flex Consumption runs blob triggers only with source=EventGrid"
    ]


def test_well_formed_triggers_on_provisioned_entities_pass() -> None:
    bp = func.Blueprint()

    @bp.service_bus_topic_trigger(
        arg_name="msg", topic_name="events", subscription_name="reporting", connection=SERVICEBUS_CONNECTION
    )
    def on_event(msg: func.ServiceBusMessage) -> None: ...

    @bp.cosmos_db_trigger(
        arg_name="docs",
        container_name="audit",
        database_name=COSMOS_DATABASE,
        connection=COSMOS_CONNECTION,
        lease_container_name=LEASES,
    )
    def on_change(docs: func.DocumentList) -> None: ...

    assert binding_problems(app_with(bp), provisioned()) == []


@pytest.mark.parametrize("connection", [SERVICEBUS_CONNECTION, COSMOS_CONNECTION, STORAGE_CONNECTION])
def test_every_trigger_connection_has_identity_based_settings_in_the_bicep(connection: str) -> None:
    assert connection in provisioned().identity_connections


def test_every_trigger_of_the_deployed_app_binds_to_what_the_bicep_provisions() -> None:
    # A fresh module, as the host imports it: an app's functions can be listed only once.
    app = importlib.reload(importlib.import_module("function_app")).app

    assert binding_problems(app, provisioned()) == []
