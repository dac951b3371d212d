"""Settings: every setting is documented in the sample, and local.settings.json is read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_sample_settings_file_lists_every_setting_the_app_reads() -> None:
    values = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    expected = {f"LMS_{name.upper()}" for name in Settings.model_fields}
    assert expected <= set(values)


def test_local_settings_values_are_read_below_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "local.settings.json").write_text(
        json.dumps({"Values": {"LMS_MAX_REQUEST_BYTES": "4096", "LMS_LOG_LEVEL": "DEBUG"}})
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LMS_LOG_LEVEL", "WARNING")
    settings = Settings()
    assert settings.max_request_bytes == 4096
    assert settings.log_level == "WARNING"


def test_an_invalid_setting_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMS_PROFILE", "cloudy")
    with pytest.raises(ValueError, match="profile"):
        Settings()


def test_the_sample_file_itself_loads_as_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "local.settings.json").write_text((ROOT / "local.settings.sample.json").read_text())
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.profile == "embedded"
    assert settings.documents_adapter is None  # empty values mean "not set"


def test_the_sample_names_every_connection_the_triggers_bind_to_for_func_start() -> None:
    from functions import _bindings

    values = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    for connection in (_bindings.COSMOS_CONNECTION, _bindings.SERVICEBUS_CONNECTION, _bindings.STORAGE_CONNECTION):
        assert values.get(connection) or any(k.startswith(f"{connection}__") for k in values), connection
    assert values["FUNCTIONS_WORKER_RUNTIME"] == "python"
    assert "AzureWebJobsFeatureFlags" not in values  # worker indexing is the default of the v2 model
