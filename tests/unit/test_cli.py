"""The dev token command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.bootstrap import bootstrap
from shared.cli import main
from shared.settings import Settings


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LMS_DATA_DIR", str(tmp_path))
    return tmp_path


def test_token_prints_a_token_the_api_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "--tenant", "demo", "--user", "ann", "--role", "Instructor", "--ttl", "600"]) == 0
    token = capsys.readouterr().out.strip()
    principal = bootstrap(Settings()).tokens.validate(token)
    assert (principal.tenant_id, principal.user_id, sorted(principal.roles)) == (
        "demo",
        "ann",
        ["Instructor"],
    )


def test_a_super_admin_token_needs_no_tenant(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "--user", "op", "--role", "SuperAdmin"]) == 0
    assert bootstrap(Settings()).tokens.validate(capsys.readouterr().out.strip()).tenant_id is None


@pytest.mark.parametrize(
    "args",
    [
        ["token", "--user", "ann", "--role", "Learner"],
        ["token", "--tenant", "Bad Tenant!", "--user", "ann", "--role", "Learner"],
        ["token", "--tenant", "demo", "--user", "ann", "--role", "Learner", "--ttl", "0"],
        ["token", "--tenant", "demo", "--user", "op", "--role", "SuperAdmin", "--role", "Learner"],
    ],
)
def test_bad_arguments_are_refused(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert capsys.readouterr().out == ""


def test_the_command_refuses_to_work_on_the_azure_profile(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LMS_PROFILE", "azure")
    assert main(["token", "--tenant", "demo", "--user", "ann", "--role", "Learner"]) == 2
    assert "embedded" in capsys.readouterr().err


def test_openapi_prints_the_embedded_profiles_document_the_same_way_every_time(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LMS_PROFILE", "azure")  # the document is the embedded profile's whatever the environment
    assert main(["openapi"]) == 0
    first = capsys.readouterr().out
    assert main(["openapi"]) == 0
    assert capsys.readouterr().out == first
    document = json.loads(first)
    assert first == json.dumps(document, sort_keys=True, indent=2) + "\n"
    assert document["info"]["title"] == "Learning platform API"
    assert {"/api/v1/me", "/api/v1/dev/sign-in", "/api/v1/courses"} <= set(document["paths"])


def test_openapi_is_what_the_app_serves(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    from fastapi.testclient import TestClient

    from shared.http.app import create_api

    assert main(["openapi"]) == 0
    with TestClient(create_api(settings=Settings(data_dir=data_dir))) as client:
        served = client.get("/api/openapi.json").json()
    assert json.loads(capsys.readouterr().out) == served
