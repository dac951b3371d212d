"""The secret store contract on the Key Vault adapter, at the SDK boundary.

There is no local Key Vault, so the real ``SecretClient`` talks to ``FakeVault``: an
HTTP transport that answers the Key Vault REST calls the SDK makes (the bearer
challenge, get and set secret) the way the service does, with names compared without
regard to case and each set adding a version.
"""

from __future__ import annotations

import io
import json
import re
import time
import uuid
from typing import Any, cast
from urllib.parse import urlsplit

import pytest
import requests
from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import RequestsTransport
from requests.structures import CaseInsensitiveDict

from shared.errors import RateLimited, Unavailable
from shared.platform._keyvault_secrets import KeyVaultSecretStore, secret_client
from tests.contract.secrets_suite import SecretStoreContract

VAULT = "https://lms-test.vault.azure.net"
TOKEN = "vault-token"
CHALLENGE = (
    'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", '
    'resource="https://vault.azure.net"'
)
_SECRET_PATH = re.compile(r"^/secrets/(?P<name>[^/]+)(?:/(?P<version>[^/]*))?$")


class FakeCredential:
    """A TokenCredential that records the scopes it was asked for."""

    def __init__(self) -> None:
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.extend(scopes)
        return AccessToken(TOKEN, int(time.time()) + 3600)


class FakeVault(requests.adapters.BaseAdapter):
    """Key Vault's secrets REST API in memory, mounted in the SDK's requests session;
    ``failures`` are answered, in order, before the next calls are served."""

    def __init__(self) -> None:
        super().__init__()
        self.versions: dict[str, list[str]] = {}
        self.failures: list[tuple[int, dict[str, str]]] = []
        self.requests: list[tuple[str, str]] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        path = urlsplit(request.url or "").path
        self.requests.append((request.method or "", path))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._answer(request, 401, {}, {"WWW-Authenticate": CHALLENGE})
        if self.failures:
            status, headers = self.failures.pop(0)
            return self._answer(request, status, {"error": {"code": "Failure", "message": "failed"}}, headers)
        match = _SECRET_PATH.match(path)
        if match is None:
            return self._answer(request, 400, {"error": {"code": "BadParameter", "message": path}})
        name = match["name"].lower()
        if request.method == "PUT":
            value = json.loads(cast(bytes, request.body or b"{}"))["value"]
            self.versions.setdefault(name, []).append(value)
        elif name not in self.versions:
            message = f"A secret with (name/id) {match['name']} was not found in this key vault."
            return self._answer(request, 404, {"error": {"code": "SecretNotFound", "message": message}})
        version = len(self.versions[name])
        body = {
            "value": self.versions[name][-1],
            "id": f"{VAULT}/secrets/{name}/{version:032x}",
            "attributes": {"enabled": True, "created": 1, "updated": 1, "recoveryLevel": "Recoverable"},
        }
        return self._answer(request, 200, body)

    @staticmethod
    def _answer(
        request: requests.PreparedRequest, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> requests.Response:
        answer = requests.Response()
        answer.status_code = status
        answer.reason = "fake"
        answer.raw = io.BytesIO(json.dumps(body).encode())
        answer.headers = CaseInsensitiveDict({"Content-Type": "application/json", **(headers or {})})
        answer.url = request.url or ""
        answer.request = request
        return answer

    def close(self) -> None:
        pass


@pytest.fixture
def vault() -> FakeVault:
    return FakeVault()


@pytest.fixture
def credential() -> FakeCredential:
    return FakeCredential()


@pytest.fixture
def advance_clock() -> None:
    return None


def make_store(vault: FakeVault, credential: FakeCredential, **options: Any) -> KeyVaultSecretStore:
    session = requests.Session()
    session.mount("https://", vault)
    transport = RequestsTransport(session=session)
    return KeyVaultSecretStore(secret_client(VAULT, credential, transport=transport, **options))


class TestKeyVaultSecretStore(SecretStoreContract):
    @pytest.fixture
    def secrets(self, vault: FakeVault, credential: FakeCredential) -> KeyVaultSecretStore:
        return make_store(vault, credential)


def test_the_store_asks_for_a_token_for_the_vault_scope_named_by_the_challenge(
    vault: FakeVault, credential: FakeCredential
) -> None:
    make_store(vault, credential).set("signing-key", "v")
    assert credential.scopes == ["https://vault.azure.net/.default"]


def test_setting_a_secret_adds_a_version_and_reading_returns_the_newest(
    vault: FakeVault, credential: FakeCredential
) -> None:
    store = make_store(vault, credential)
    store.set("Webhook-Secret", "one")
    store.set("webhook-secret", "two")
    assert vault.versions["webhook-secret"] == ["one", "two"]
    assert store.get("WEBHOOK-SECRET") == "two"


def test_a_brief_throttle_is_retried_by_the_sdk_and_the_read_succeeds(
    vault: FakeVault, credential: FakeCredential
) -> None:
    store = make_store(vault, credential)
    store.set("k", "v")
    vault.failures = [(429, {"Retry-After": "0"}), (503, {"Retry-After": "0"})]
    assert store.get("k") == "v"


def test_a_vault_still_throttling_after_the_retries_is_rate_limited_with_the_servers_retry_after(
    vault: FakeVault, credential: FakeCredential
) -> None:
    store = make_store(vault, credential, retry_total=0)
    store.set("k", "v")
    vault.failures = [(429, {"Retry-After": "7"})]
    with pytest.raises(RateLimited) as caught:
        store.get("k")
    assert caught.value.retry_after_seconds == 7.0


@pytest.mark.parametrize("status", [403, 500, 503])
def test_a_vault_that_refuses_or_fails_is_unavailable_not_a_crash(
    vault: FakeVault, credential: FakeCredential, status: int
) -> None:
    store = make_store(vault, credential, retry_total=0)
    store.set("k", "v")
    vault.failures = [(status, {})]
    with pytest.raises(Unavailable):
        store.get("k")


def test_an_invalid_name_never_reaches_the_vault(vault: FakeVault, credential: FakeCredential) -> None:
    store = make_store(vault, credential)
    name = f"bad name {uuid.uuid4().hex}"
    with pytest.raises(Exception, match="letters, digits and dashes"):
        store.get(name)
    assert vault.requests == []
