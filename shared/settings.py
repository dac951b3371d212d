"""Every setting the app reads, read once from the environment and local.settings.json.

Names are ``LMS_*`` environment variables (Functions app settings in Azure); the
``Values`` of a Functions-style ``local.settings.json`` in the working directory are
read too, below real environment variables. ``local.settings.sample.json`` lists them all.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

__all__ = ["Settings"]

LOCAL_SETTINGS_FILE = "local.settings.json"
# A serialized origin as browsers send it in ``Origin``: scheme, host, optional port; no path, no slash.
_ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")


class _LocalSettingsSource(PydanticBaseSettingsSource):
    """Reads the ``Values`` of local.settings.json as if they were environment variables."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        values: dict[str, str] = {}
        if path.is_file():
            loaded = json.loads(path.read_text(encoding="utf-8")).get("Values", {})
            values = {str(k): str(v) for k, v in loaded.items() if str(v) != ""}
        self._env = EnvSettingsSource(settings_cls, env_prefix="LMS_", case_sensitive=False, env_ignore_empty=True)
        self._env.env_vars = {k.lower(): v for k, v in values.items()}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._env.get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        return self._env()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LMS_", extra="ignore", frozen=True, env_ignore_empty=True)

    profile: Literal["embedded", "azure"] = "embedded"
    data_dir: Path = Path(".data")
    public_base_url: str = "http://127.0.0.1:7071"
    # The web app's public origin: a certificate's QR code and verification link open its public
    # verification page (/verify/<code>). Unset: the API's origin, which serves the app on the embedded profile.
    web_base_url: str | None = None

    # Identity: the embedded profile uses the local dev issuer; Azure points at Entra ID.
    auth_issuer: str = "https://lms.local/dev-issuer"
    auth_audience: str = "api://lms"
    auth_jwks_url: str | None = None
    auth_tenant_claim: str = "tenant"
    auth_roles_claim: str = "roles"
    auth_leeway_seconds: int = Field(default=30, ge=0, le=300)
    # Entra ID as it really issues tokens: v1 tokens (iss https://sts.windows.net/<tid>/) unless the API
    # registration's manifest says accessTokenAcceptedVersion 2, v2 tokens with the client id as aud;
    # `sub` differs per application, `oid` is the user's object id; no tenant claim unless configured.
    auth_extra_issuers: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="comma-separated issuers accepted besides auth_issuer (e.g. the v1 form)"
    )
    auth_extra_audiences: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="comma-separated audiences accepted besides auth_audience (the client id)"
    )
    auth_user_claim: str = Field(default="sub", description="the claim that names the user (Entra ID: oid)")
    auth_tenant_directories: dict[str, str] = Field(
        default_factory=dict,
        description="Entra directory id (tid) -> platform tenant, for tokens without the tenant claim",
    )
    dev_token_max_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=60)

    # HTTP edge
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    log_level: str = "INFO"

    # The web app (web/). Built into this folder (relative to the working directory), it is served on
    # the API's own origin when the folder exists (``make run``); in Azure, Static Web Apps serves it.
    web_dist: Path = Path("web/dist")
    # Origins allowed to call the API from a browser (CORS), comma-separated and exact
    # (``https://app.example.com``); empty: none. Never ``*``.
    web_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="comma-separated exact origins (scheme://host[:port]) allowed by CORS"
    )

    # Caching of per-request lookups (tenant, caller's role assignments)
    principal_cache_seconds: float = Field(default=30.0, ge=0)

    # Rate limits of authenticated requests, token buckets in the cache port (Redis in Azure, so
    # every instance shares them): a bucket per user and one per tenant, each holding a minute's
    # worth and refilled evenly. 0 turns a limit off. Abuse by one address before sign-in is the
    # Front Door WAF's rate-limit rule (README).
    rate_limit_user_per_minute: int = Field(default=600, ge=0)
    rate_limit_tenant_per_minute: int = Field(default=60_000, ge=0)

    # Azure services. The profile picks every adapter; each ``*_adapter`` overrides one port
    # (for example blobs on Azurite, the rest embedded). Services authenticate with
    # DefaultAzureCredential; keys and connection strings are for local emulators only.
    documents_adapter: Literal["sqlite", "cosmos"] | None = None
    blobs_adapter: Literal["folder", "azure"] | None = None
    bus_adapter: Literal["sqlite", "servicebus"] | None = None
    search_adapter: Literal["fts", "azure"] | None = None
    secrets_adapter: Literal["local", "keyvault"] | None = None
    cache_adapter: Literal["memory", "redis"] | None = None
    cosmos_endpoint: str | None = None
    cosmos_key: str | None = None
    cosmos_database: str = "lms"
    cosmos_placement: dict[str, str] = Field(default_factory=dict, description="tenant id -> dedicated database")
    cosmos_emulator: bool = Field(
        default=False, description="a local emulator: accept its self-signed certificate, create containers"
    )
    blob_account_url: str | None = None
    blob_connection_string: str | None = None
    blob_hierarchical_namespace: bool = Field(
        default=False, description="the account has a hierarchical namespace, so a URL can be signed for a folder"
    )
    media_base_url: str | None = Field(default=None, description="Front Door/CDN origin that signed blob URLs use")
    servicebus_namespace: str | None = None
    servicebus_connection_string: str | None = None
    search_endpoint: str | None = None
    search_api_key: str | None = None
    key_vault_url: str | None = None
    media_key_vault_url: str | None = Field(
        default=None, description="the Key Vault holding the per-asset HLS content keys (azure profile)"
    )
    redis_url: str | None = None

    # Question drafts from lesson transcripts: a chat model deployment on Azure OpenAI when
    # both are set, else the offline rule-based generator; the adapter setting overrides.
    openai_endpoint: str | None = Field(default=None, description="https://NAME.openai.azure.com")
    openai_deployment: str | None = Field(default=None, description="the chat model deployment that drafts questions")
    question_generator_adapter: Literal["local", "azure-openai"] | None = None

    @field_validator("auth_extra_issuers", "auth_extra_audiences", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else list(value or ())
        return tuple(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))

    @field_validator("web_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else list(value or ())
        origins = tuple(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))
        wrong = [o for o in origins if not _ORIGIN.match(o)]
        if wrong:
            raise ValueError(
                f"not an origin (scheme://host[:port] in lower case, no path, never *): {', '.join(wrong)}"
            )
        return origins

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        local = _LocalSettingsSource(settings_cls, Path(LOCAL_SETTINGS_FILE))
        return (init_settings, env_settings, local)
