"""The credential every Azure adapter signs in with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["azure_credential"]


def azure_credential(environ: Mapping[str, str]) -> Any:
    """The user-assigned managed identity named by ``AZURE_CLIENT_ID`` where the code runs in Azure
    (the Functions host and Container Apps set ``IDENTITY_ENDPOINT``; older hosts ``MSI_ENDPOINT``):
    one credential, instead of a chain that first tries the environment, workload identity and
    developer tools on every cold start. Elsewhere (a developer's machine, the emulators)
    ``DefaultAzureCredential``, which finds the Azure CLI or editor sign-in."""
    from azure.identity import DefaultAzureCredential, ManagedIdentityCredential

    client_id = environ.get("AZURE_CLIENT_ID")
    if client_id and (environ.get("IDENTITY_ENDPOINT") or environ.get("MSI_ENDPOINT")):
        return ManagedIdentityCredential(client_id=client_id)
    return DefaultAzureCredential()
