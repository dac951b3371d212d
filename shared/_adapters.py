"""How each port's adapter is built, for ``bootstrap`` (the composition root) only.

The profile picks every adapter (embedded: SQLite, folder, FTS5, local file, in-process
cache; azure: Cosmos DB, Blob Storage, Service Bus, AI Search, Key Vault), and each
``LMS_*_ADAPTER`` setting overrides one port, so one service can run on its emulator
while the rest stays embedded. Azure adapters sign in with ``DefaultAzureCredential``
(the app's managed identity in Azure, the developer's login locally) unless a key or
connection string for an emulator is set. SDK modules are imported only when used.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from shared.platform.blobs import BlobStore
from shared.platform.bus import BusTopology, MessageBus
from shared.platform.cache import Cache
from shared.platform.clock import Clock
from shared.platform.documents import ContainerSpec, DocumentStore
from shared.platform.search import SearchIndex
from shared.platform.secrets import SecretStore, ensure_secret
from shared.platform.signer import UrlSigner
from shared.platform.topology import BUS_TOPOLOGY
from shared.settings import Settings

if TYPE_CHECKING:
    from shared.question_drafts.generator import QuestionGenerator

__all__ = ["PORTS", "Adapters", "chosen_adapters", "chosen_generator"]

URL_SIGNING_SECRET = "url-signing-key"  # noqa: S105 - the name of a secret, not its value

PORTS = ("documents", "blobs", "bus", "search", "secrets", "cache")
_PROFILE_ADAPTERS = {
    "embedded": {
        "documents": "sqlite",
        "blobs": "folder",
        "bus": "sqlite",
        "search": "fts",
        "secrets": "local",
        "cache": "memory",
    },
    "azure": {
        "documents": "cosmos",
        "blobs": "azure",
        "bus": "servicebus",
        "search": "azure",
        "secrets": "keyvault",
        "cache": "memory",
    },
}


def chosen_adapters(settings: Settings) -> dict[str, str]:
    """The adapter of each port: the profile's, a configured Redis for the cache, then overrides."""
    chosen = dict(_PROFILE_ADAPTERS[settings.profile])
    if settings.redis_url:
        chosen["cache"] = "redis"
    for port in PORTS:
        override = getattr(settings, f"{port}_adapter")
        if override:
            chosen[port] = override
    return chosen


def chosen_generator(settings: Settings) -> str:
    """The question generator: the override, else Azure OpenAI once an account and a
    deployment are configured, else the offline rule-based one (whatever the profile)."""
    if settings.question_generator_adapter:
        return settings.question_generator_adapter
    return "azure-openai" if settings.openai_endpoint and settings.openai_deployment else "local"


def _required(settings: Settings, field: str, port: str) -> Any:
    value = getattr(settings, field)
    if not value:
        raise RuntimeError(f"the {port} adapter needs LMS_{field.upper()}")
    return value


class Adapters:
    """Builds the chosen adapter of each port, sharing one credential and one blob client."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        containers: Sequence[ContainerSpec] | None = None,
        topology: BusTopology = BUS_TOPOLOGY,
    ) -> None:
        self.settings = settings
        self.clock = clock
        # The bus entities, with each subscription filtered to what its consumer handles (the
        # composition root derives the filters from the context specs).
        self.topology = topology
        self.chosen = chosen_adapters(settings)
        # The platform's document containers (the composition root passes them): both document adapters
        # check every query against their declared indexes, and a Cosmos DB emulator gets them created.
        self.containers = tuple(containers) if containers is not None else None

    def build(self, port: str) -> Any:
        """The adapter of ``port`` (one of ``PORTS``) as the settings choose it."""
        builder: Callable[[], Any] = getattr(self, f"_{port}_{self.chosen[port]}")
        return builder()

    @functools.cached_property
    def credential(self) -> Any:
        """The managed identity named by ``AZURE_CLIENT_ID`` where the app runs in Azure (the Functions
        host and Container Apps set ``IDENTITY_ENDPOINT``): one credential, no probing of a chain that
        tries the environment, workload identity and developer tools first. Elsewhere (a developer's
        machine) ``DefaultAzureCredential``, which finds the Azure CLI or editor sign-in."""
        from shared.platform._azure_identity import azure_credential

        return azure_credential(os.environ)

    # --- documents --------------------------------------------------------------------------

    def _documents_sqlite(self) -> DocumentStore:
        from shared.platform._sqlite_documents import SqliteDocumentStore

        return SqliteDocumentStore(
            self.settings.data_dir / "documents.sqlite3", clock=self.clock, containers=self.containers
        )

    def _documents_cosmos(self) -> DocumentStore:
        from shared.platform._cosmos_documents import CosmosDocumentStore, RequestCharges, cosmos_client
        from shared.platform.topology import LEASES

        s = self.settings
        endpoint = _required(s, "cosmos_endpoint", "cosmos")
        options = {"connection_verify": False} if s.cosmos_emulator else {}
        client = cosmos_client(endpoint, s.cosmos_key or self.credential, **options)
        # Each container gets its declared partition key and indexing policy, and every query is checked
        # against it. The emulator cannot run prefix queries on hierarchical keys: there every container
        # it creates is keyed by its first level (/tenantId) alone.
        return CosmosDocumentStore(
            client,
            s.cosmos_database,
            placement=s.cosmos_placement,
            charges=RequestCharges(),
            create_containers=s.cosmos_emulator,
            read_before_write=s.cosmos_emulator,
            containers=self.containers,
            hierarchical_keys=not s.cosmos_emulator,
            unmetered=frozenset({c.name for c in self.containers or () if not c.metered} | {LEASES}),
        )

    # --- blobs and signed URLs -------------------------------------------------------------

    def _blobs_folder(self) -> BlobStore:
        from shared.platform._folder_blobs import FolderBlobStore

        return FolderBlobStore(self.settings.data_dir / "blobs", clock=self.clock)

    @functools.cached_property
    def _blob_client(self) -> Any:
        from shared.platform._azure_blobs import blob_service_client

        s = self.settings
        if not (s.blob_account_url or s.blob_connection_string):
            raise RuntimeError("the azure blobs adapter needs LMS_BLOB_ACCOUNT_URL (or a connection string)")
        credential = None if s.blob_connection_string else self.credential
        return blob_service_client(s.blob_account_url, s.blob_connection_string, credential)

    def _blobs_azure(self) -> BlobStore:
        from shared.platform._azure_blobs import AzureBlobStore

        return AzureBlobStore(self._blob_client, create_containers=bool(self.settings.blob_connection_string))

    def signer(self, secret_store: SecretStore, documents: DocumentStore | None = None) -> UrlSigner:
        """SAS URLs when blobs live in Azure Storage, else HMAC URLs for the local blob route."""
        if self.chosen["blobs"] == "azure":
            from shared.platform._blob_sas_signer import BlobSasUrlSigner

            return BlobSasUrlSigner(
                self._blob_client,
                public_base_url=self.settings.media_base_url,
                hierarchical_namespace=self.settings.blob_hierarchical_namespace,
                clock=self.clock,
            )
        from shared.platform._hmac_signer import HmacUrlSigner

        key = ensure_secret(
            secret_store, URL_SIGNING_SECRET, lambda: secrets.token_urlsafe(32), claims=documents, clock=self.clock
        )
        base = f"{self.settings.public_base_url}/api/local-blobs"
        return HmacUrlSigner(key.encode(), base, clock=self.clock)

    # --- bus ------------------------------------------------------------------------------------

    def _bus_sqlite(self) -> MessageBus:
        from shared.platform._sqlite_bus import SqliteMessageBus

        return SqliteMessageBus(self.settings.data_dir / "bus.sqlite3", self.topology, clock=self.clock)

    def _bus_servicebus(self) -> MessageBus:
        from shared.platform._servicebus_bus import ServiceBusMessageBus, servicebus_client

        s = self.settings
        if not (s.servicebus_namespace or s.servicebus_connection_string):
            raise RuntimeError("the servicebus adapter needs LMS_SERVICEBUS_NAMESPACE (or a connection string)")
        credential = None if s.servicebus_connection_string else self.credential
        client = servicebus_client(s.servicebus_namespace, s.servicebus_connection_string, credential)
        return ServiceBusMessageBus(client, self.topology, clock=self.clock)

    # --- search ---------------------------------------------------------------------------------

    def _search_fts(self) -> SearchIndex:
        from shared.platform._fts_search import SqliteSearchIndex

        return SqliteSearchIndex(self.settings.data_dir / "search.sqlite3")

    def _search_azure(self) -> SearchIndex:
        from shared.platform._azure_search import AzureSearchIndex, search_clients

        s = self.settings
        endpoint = _required(s, "search_endpoint", "azure search")
        index_client, search_client = search_clients(
            endpoint, s.search_api_key, None if s.search_api_key else self.credential
        )
        return AzureSearchIndex(index_client, search_client)

    # --- secrets and cache ---------------------------------------------------------------------

    def _secrets_local(self) -> SecretStore:
        from shared.platform._local_secrets import LocalSecretStore

        return LocalSecretStore(self.settings.data_dir / "keys" / "secrets.json")

    def content_keys(self, secret_store: SecretStore) -> SecretStore:
        """Where HLS content keys live: their own vault with Key Vault (so the transcoder, which
        creates them, can read no other secret), else the platform's secret store."""
        if self.chosen["secrets"] != "keyvault":
            return secret_store
        from shared.platform._keyvault_secrets import KeyVaultSecretStore, secret_client

        vault = _required(self.settings, "media_key_vault_url", "keyvault")
        return KeyVaultSecretStore(secret_client(vault, self.credential))

    def _secrets_keyvault(self) -> SecretStore:
        from shared.platform._keyvault_secrets import KeyVaultSecretStore, secret_client

        vault = _required(self.settings, "key_vault_url", "keyvault")
        return KeyVaultSecretStore(secret_client(vault, self.credential))

    def _cache_memory(self) -> Cache:
        from shared.platform._memory_cache import MemoryCache

        return MemoryCache(clock=self.clock)

    def _cache_redis(self) -> Cache:
        from shared.platform._redis_cache import RedisCache, redis_client

        url = _required(self.settings, "redis_url", "redis")
        return RedisCache(redis_client(url, self.credential))

    # --- question generator ------------------------------------------------------------------

    def generator(self) -> QuestionGenerator:
        """The question generator the settings choose; building it touches no network."""
        if chosen_generator(self.settings) == "azure-openai":
            from shared.question_drafts._azure_openai import AzureOpenAIQuestionGenerator, openai_client

            endpoint = _required(self.settings, "openai_endpoint", "azure-openai generator")
            deployment = _required(self.settings, "openai_deployment", "azure-openai generator")
            return AzureOpenAIQuestionGenerator(openai_client(endpoint, self.credential), deployment)
        from shared.question_drafts._local_generator import LocalQuestionGenerator

        return LocalQuestionGenerator()
