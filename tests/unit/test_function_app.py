"""The Functions entry point indexes the HTTP function without building the platform."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_function_app_exposes_the_api_as_one_anonymous_http_function() -> None:
    module = importlib.import_module("function_app")
    functions = {f.get_function_name(): f for f in module.app.get_functions()}
    assert "http_api" in functions
    trigger = next(b for b in functions["http_api"].get_bindings() if b.type == "httpTrigger")
    assert trigger.auth_level.value == "anonymous"
    assert "{*route}" in trigger.route


def test_importing_function_app_builds_no_platform() -> None:
    from shared.bootstrap import default_platform

    default_platform.cache_clear()
    importlib.reload(importlib.import_module("function_app"))
    assert default_platform.cache_info().currsize == 0


def test_host_json_leaves_routes_to_the_api() -> None:
    host = json.loads((ROOT / "host.json").read_text())
    assert host["extensions"]["http"]["routePrefix"] == ""
    assert host["version"] == "2.0"
