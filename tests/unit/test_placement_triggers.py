"""Dedicated databases get Cosmos DB triggers of their own, generated from the placement map when
the host indexes the app: one per change-feed reader and database, leases apart in the shared
database's lease container; with no tenant placed, none (and no timer polls for them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import azure.functions as func
import pytest

from functions import placement
from functions._bindings import COSMOS_DATABASE
from shared.platform.topology import LEASES
from shared.settings import Settings
from shared.worker import change_feed_followers


def _triggers(settings: Settings) -> dict[str, dict[str, Any]]:
    bp = func.Blueprint()  # type: ignore[no-untyped-call]
    placement.register(bp, settings)
    app = func.FunctionApp()
    app.register_functions(bp)
    return {f.get_function_name(): f.get_trigger().get_dict_repr() for f in app.get_functions()}


def test_each_feed_of_each_dedicated_database_has_its_own_trigger() -> None:
    settings = Settings(cosmos_placement={"acme": "lms-big", "globex": "lms-big", "initech": "lms-other", "x": "lms"})
    triggers = _triggers(settings)
    followers = change_feed_followers()
    assert len(triggers) == 2 * len(followers)  # lms-big and lms-other; the shared "lms" has its own triggers
    prefixes = set()
    for database in ("lms-big", "lms-other"):
        for follower in followers:
            trigger = triggers[placement.function_name(follower, database)]
            assert trigger["type"] == "cosmosDBTrigger"
            assert (trigger["databaseName"], trigger["containerName"]) == (database, follower.container)
            assert (trigger["leaseDatabaseName"], trigger["leaseContainerName"]) == (COSMOS_DATABASE, LEASES)
            prefixes.add(trigger["leaseContainerPrefix"])
    assert len(prefixes) == len(triggers)
    # Never a prefix of the shared database's readers ("<feed>-"), whose leases share the container.
    assert not prefixes & {f"{f.name}-" for f in followers}


def test_with_no_tenant_placed_nothing_is_registered_and_nothing_polls() -> None:
    assert _triggers(Settings()) == {}
    assert "timer_trigger" not in Path(placement.__file__).read_text()


def test_a_trigger_hands_its_changes_to_the_followers_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str]] = []
    follower = change_feed_followers()[0]
    monkeypatch.setattr(follower, "handler", lambda _p, doc: seen.append((doc["id"], doc["tenantId"])))
    monkeypatch.setattr(placement, "default_platform", lambda: object())
    monkeypatch.setattr(placement, "change_feed_followers", lambda: [follower])
    bp = func.Blueprint()  # type: ignore[no-untyped-call]
    (name,) = placement.register(bp, Settings(cosmos_placement={"acme": "lms-acme"}))
    app = func.FunctionApp()
    app.register_functions(bp)
    (function,) = app.get_functions()
    body = function.get_user_function()
    body(func.DocumentList([func.Document.from_dict({"id": "d1", "tenantId": "acme"})]))
    assert seen == [("d1", "acme")] and name == placement.function_name(follower, "lms-acme")
