"""Secrets in Azure Key Vault, read with the app's managed identity."""

from __future__ import annotations

from typing import Any

from shared.errors import InvalidInput, NotFound
from shared.platform._azure_errors import map_azure_errors
from shared.platform.secrets import SecretStore, validate_secret_name

__all__ = ["KeyVaultSecretStore", "secret_client"]


def secret_client(vault_url: str, credential: Any, **options: Any) -> Any:
    """A ``SecretClient`` for the vault, authenticated with ``credential`` (a TokenCredential)."""
    from azure.keyvault.secrets import SecretClient

    return SecretClient(vault_url=vault_url, credential=credential, **options)


class KeyVaultSecretStore(SecretStore):
    def __init__(self, client: Any) -> None:
        """``client`` is an ``azure.keyvault.secrets.SecretClient``."""
        self._client = client

    def get(self, name: str) -> str:
        """The secret's current version; NotFound if it has none."""
        validate_secret_name(name)
        with map_azure_errors("Key Vault"):
            value = self._client.get_secret(name).value
        if value is None:
            raise NotFound(f"no secret {name!r}")
        return str(value)

    def set(self, name: str, value: str) -> None:
        """Add a new version of the secret."""
        validate_secret_name(name)
        if not isinstance(value, str):
            raise InvalidInput("a secret value is a string")
        with map_azure_errors("Key Vault"):
            self._client.set_secret(name, value)
