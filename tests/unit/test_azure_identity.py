"""In Azure the adapters sign in with the managed identity named by AZURE_CLIENT_ID, and nothing else."""

from __future__ import annotations

from azure.identity import DefaultAzureCredential, ManagedIdentityCredential

from shared.platform._azure_identity import azure_credential


def test_in_azure_the_credential_is_the_named_managed_identity() -> None:
    env = {"AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000001", "IDENTITY_ENDPOINT": "http://localhost:42356/msi"}
    assert isinstance(azure_credential(env), ManagedIdentityCredential)


def test_elsewhere_the_default_chain_finds_a_developers_sign_in() -> None:
    assert isinstance(azure_credential({}), DefaultAzureCredential)
    # A client id alone (set on a developer's machine) is no managed identity endpoint.
    assert isinstance(azure_credential({"AZURE_CLIENT_ID": "x"}), DefaultAzureCredential)
