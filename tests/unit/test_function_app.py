"""The Functions entry point indexes the HTTP function without building the platform."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_function_app_exposes_the_api_as_one_anonymous_http_function() -> None:
    # A fresh module, as the host imports it: an app's functions can be listed only once.
    module = importlib.reload(importlib.import_module("function_app"))
    functions = {f.get_function_name(): f for f in module.app.get_functions()}
    assert "http_api" in functions
    trigger = next(b for b in functions["http_api"].get_bindings() if b.type == "httpTrigger")
    assert trigger.auth_level.value == "anonymous"
    assert "{*route}" in trigger.route
    # CORS preflights (and HEAD of the web app's files) reach the app, whose edge answers them.
    assert {"OPTIONS", "HEAD", "GET", "POST", "PUT", "PATCH", "DELETE"} <= {str(m) for m in trigger.methods}


def test_importing_function_app_builds_no_platform() -> None:
    from shared.bootstrap import default_platform

    default_platform.cache_clear()
    importlib.reload(importlib.import_module("function_app"))
    assert default_platform.cache_info().currsize == 0


def test_host_json_leaves_routes_to_the_api() -> None:
    host = json.loads((ROOT / "host.json").read_text())
    assert host["extensions"]["http"]["routePrefix"] == ""
    assert host["version"] == "2.0"


def _duration(text: str) -> float:
    hours, minutes, seconds = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def test_host_json_renews_service_bus_locks_longer_than_any_entity_holds_them() -> None:
    from shared.platform.topology import BUS_TOPOLOGY

    bus = json.loads((ROOT / "host.json").read_text())["extensions"]["serviceBus"]
    longest_lock = max(o.lock_seconds for o in BUS_TOPOLOGY.queues.values())
    assert _duration(bus["maxAutoLockRenewalDuration"]) > longest_lock
    assert bus["autoCompleteMessages"] is True  # a handler that raises leaves the message to be redelivered
    assert bus["prefetchCount"] == 0  # prefetched messages' locks would run out while others are handled


def test_host_json_keeps_functions_within_the_flex_consumption_limit() -> None:
    host = json.loads((ROOT / "host.json").read_text())
    assert _duration(host["functionTimeout"]) <= 30 * 60
    assert host["extensionBundle"]["version"].startswith("[4.")


def test_host_and_worker_telemetry_share_one_trace() -> None:
    host = json.loads((ROOT / "host.json").read_text())
    assert host["telemetryMode"] == "OpenTelemetry"
    bicep = (ROOT / "infra" / "modules" / "functionapp.bicep").read_text()
    assert "PYTHON_ENABLE_OPENTELEMETRY: 'true'" in bicep
    assert "azure-monitor-opentelemetry" in (ROOT / "requirements.txt").read_text()
