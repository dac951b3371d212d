"""The composition root picks each port's adapter from the profile and the per-port
overrides, and refuses a half-configured Azure profile with a message naming the setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared._adapters import chosen_adapters
from shared.bootstrap import bootstrap
from shared.settings import Settings

AZURE_ENDPOINTS: dict[str, Any] = {
    "blob_account_url": "https://lmsmedia.blob.core.windows.net",
    "servicebus_namespace": "lms.servicebus.windows.net",
    "search_endpoint": "https://lms.search.windows.net",
    "key_vault_url": "https://lms.vault.azure.net",
    "media_key_vault_url": "https://lms-media.vault.azure.net",
    "auth_jwks_url": "https://login.microsoftonline.com/common/discovery/v2.0/keys",
    "media_base_url": "https://lms-media.azurefd.net",
    "public_base_url": "https://func-lms.azurewebsites.net",
}


def settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(data_dir=tmp_path, **values)


def test_the_embedded_profile_uses_only_local_adapters(tmp_path: Path) -> None:
    assert chosen_adapters(settings(tmp_path)) == {
        "documents": "sqlite",
        "blobs": "folder",
        "bus": "sqlite",
        "search": "fts",
        "secrets": "local",
        "cache": "memory",
    }


def test_the_azure_profile_uses_azure_services_and_a_configured_redis(tmp_path: Path) -> None:
    chosen = chosen_adapters(settings(tmp_path, profile="azure", redis_url="rediss://cache:6380/0"))
    assert chosen == {
        "documents": "cosmos",
        "blobs": "azure",
        "bus": "servicebus",
        "search": "azure",
        "secrets": "keyvault",
        "cache": "redis",
    }


def test_a_per_port_override_changes_only_that_port(tmp_path: Path) -> None:
    chosen = chosen_adapters(settings(tmp_path, profile="azure", bus_adapter="sqlite", search_adapter="fts"))
    assert (chosen["bus"], chosen["search"], chosen["documents"]) == ("sqlite", "fts", "cosmos")


def test_an_azure_profile_without_endpoints_names_the_missing_setting(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="LMS_COSMOS_ENDPOINT"):
        bootstrap(settings(tmp_path, profile="azure"))


def test_the_azure_profile_builds_the_azure_adapters_without_touching_the_network(tmp_path: Path) -> None:
    # Cosmos DB's client reads the account on construction, so the documents port stays local here;
    # the Cosmos wiring is exercised against the emulator in tests/e2e/test_azure_profile.py.
    platform = bootstrap(settings(tmp_path, profile="azure", documents_adapter="sqlite", **AZURE_ENDPOINTS))
    ports = ("blobs", "bus", "search", "secrets", "content_keys", "signer")
    built = {port: type(getattr(platform, port)).__name__ for port in ports}
    assert built == {
        "blobs": "AzureBlobStore",
        "bus": "ServiceBusMessageBus",
        "search": "AzureSearchIndex",
        "secrets": "KeyVaultSecretStore",
        "content_keys": "KeyVaultSecretStore",
        "signer": "BlobSasUrlSigner",
    }
    # The HLS content keys live in a vault of their own (the transcoder may write only there).
    vaults = {store._client.vault_url.rstrip("/") for store in (platform.secrets, platform.content_keys)}  # type: ignore[attr-defined]
    assert vaults == {"https://lms.vault.azure.net", "https://lms-media.vault.azure.net"}
    assert platform.dev_issuer is None  # tokens come from Entra ID only


def test_the_azure_profile_refuses_to_start_without_a_token_issuer(tmp_path: Path) -> None:
    values = {**AZURE_ENDPOINTS, "auth_jwks_url": None}
    with pytest.raises(RuntimeError, match="LMS_AUTH_JWKS_URL"):
        bootstrap(settings(tmp_path, profile="azure", documents_adapter="sqlite", **values))


def test_an_override_argument_replaces_a_port_whatever_the_profile(tmp_path: Path) -> None:
    from shared.platform._memory_cache import MemoryCache

    cache = MemoryCache()
    assert bootstrap(settings(tmp_path), cache=cache).cache is cache


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:7071",
        "https://localhost",
        "https://127.0.0.2/x",
        "http://lms.example.com",
        "https://[::1]:8443",
    ],
)
def test_the_azure_profile_refuses_a_local_or_plain_http_public_url(tmp_path: Path, url: str) -> None:
    values = {**AZURE_ENDPOINTS, "public_base_url": url}
    with pytest.raises(RuntimeError, match="LMS_PUBLIC_BASE_URL"):
        bootstrap(settings(tmp_path, profile="azure", documents_adapter="sqlite", **values))
