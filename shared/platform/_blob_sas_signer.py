"""Signed URLs that Azure Storage itself checks: Blob SAS tokens, made with ``generate_blob_sas``.

With the app's managed identity the SAS is a *user-delegation* SAS, signed with a key asked
of the account (``get_user_delegation_key``), valid for ``key_lifetime`` and asked again
before a URL could outlive it; the previous key is kept so URLs it signed still verify.
With an account key (Azurite, a connection string) it is a service SAS of the same shape.

A blob URL is a blob SAS (``sr=b``). A prefix URL must end in ``/`` and is a *directory*
SAS (``sr=d`` with depth ``sdd``): Azure honours it only on accounts with a hierarchical
namespace (ADLS Gen2), so it is issued only when the signer is told the account has one.
A container SAS would grant every tenant's blobs, and a flat account has nothing narrower.

``verify`` recomputes the token from the URL's own claims with the same key and accepts
only an exact, unexpired match; the blob checked must lie below a signed directory.
"""

from __future__ import annotations

import hmac
import re
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote

from azure.storage.blob import BlobServiceClient, UserDelegationKey, generate_blob_sas

from shared.errors import Forbidden, InvalidInput, Unavailable
from shared.platform._azure_errors import map_azure_errors
from shared.platform.blobs import validate_blob_name
from shared.platform.clock import Clock, SystemClock
from shared.platform.signer import Permission, UrlSigner

__all__ = ["BlobSasUrlSigner"]

SERVICE = "Blob Storage"
MAX_TTL = timedelta(days=7)  # the longest a user-delegation key (and so its SAS) may live
_MARGIN = timedelta(minutes=5)  # a key outlives every URL it signs by at least this much
_SKEW = timedelta(minutes=5)  # keys start a little early, in case the service's clock is behind ours
_EXPIRY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_DEPTH = re.compile(r"[1-9][0-9]{0,3}")  # ASCII digits, no leading zero: one spelling per depth
_PERMISSIONS = ("r", "w")
# The port's "w" is one write of a new blob: Blob Storage's create permission, which refuses to overwrite
# an existing blob (with "w" a holder could swap the file after it was validated, until the URL expires).
_SAS_PERMISSION = {"r": "r", "w": "c"}
_PORT_PERMISSION = {sas: port for port, sas in _SAS_PERMISSION.items()}
SigningKey = str | UserDelegationKey


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _same_token(expected: Mapping[str, str], given: Mapping[str, str]) -> bool:
    """Every claim equal and nothing added; the signature compared in constant time."""
    claims = {k: v for k, v in given.items() if k != "sig"}
    if claims != {k: v for k, v in expected.items() if k != "sig"}:
        return False
    signature = given.get("sig", "")
    # compare_digest refuses non-ASCII text; such a signature was never ours anyway.
    return signature.isascii() and hmac.compare_digest(expected["sig"], signature)


class _DelegationKeys:
    """The user-delegation keys of this process: the one signing now and the one before it."""

    def __init__(self, client: BlobServiceClient, clock: Clock, lifetime: timedelta) -> None:
        self._client = client
        self._clock = clock
        self._lifetime = lifetime
        self._lock = threading.Lock()
        self._keys: list[tuple[UserDelegationKey, datetime]] = []  # oldest first, with expiry

    def for_signing(self, valid_until: datetime) -> UserDelegationKey:
        """A key valid past ``valid_until``, asked of the account only when the last one is not."""
        # The lock is held over the request, so concurrent signers wait for one key, not ask for many.
        with self._lock:
            if not self._keys or self._keys[-1][1] < valid_until + _MARGIN:
                now = self._clock.now()
                expiry = now + self._lifetime
                with map_azure_errors(SERVICE):
                    key = self._client.get_user_delegation_key(now - _SKEW, expiry)
                self._keys = [*self._keys[-1:], (key, expiry)]
            return self._keys[-1][0]

    def known(self) -> list[SigningKey]:
        """The keys a URL in circulation may have been signed with, newest first."""
        with self._lock:
            return [key for key, _ in reversed(self._keys)]


class BlobSasUrlSigner(UrlSigner):
    """Signs with ``account_key``, else the shared key of a client built from a connection string,
    else user-delegation keys of the client's identity. ``public_base_url`` (Front Door, CDN)
    replaces the storage host in read URLs; write URLs (uploads) go straight to Storage, which
    takes large block uploads that a CDN would not. ``hierarchical_namespace`` allows prefix
    (directory) URLs.
    ``verify`` knows only this process's keys: in Azure, Storage itself checks the URLs."""

    def __init__(
        self,
        client: BlobServiceClient,
        *,
        account_key: str | None = None,
        public_base_url: str | None = None,
        hierarchical_namespace: bool = False,
        key_lifetime: timedelta = timedelta(hours=6),
        clock: Clock | None = None,
    ) -> None:
        if not _MARGIN * 2 <= key_lifetime <= MAX_TTL:
            raise ValueError(f"key_lifetime must be between {_MARGIN * 2} and {MAX_TTL}")
        self._client = client
        self._clock = clock or SystemClock()
        self._account = str(client.account_name)
        # A client made from a connection string authenticates with its shared key: sign with it.
        self._account_key = account_key or getattr(client.credential, "account_key", None)
        self._keys = None if self._account_key else _DelegationKeys(client, self._clock, key_lifetime)
        self._max_ttl = MAX_TTL if self._account_key else key_lifetime - _MARGIN
        storage_url = client.url.split("?")[0].rstrip("/")
        self._storage = storage_url
        self._base = (public_base_url or storage_url).rstrip("/")
        # HTTPS only, except on an emulator that serves plain HTTP (the SAS would be refused there).
        self._protocol = "https" if storage_url.startswith("https://") else None
        self._directories = hierarchical_namespace

    def _token(
        self, container: str, resource: str, permission: str, expiry: str, directory: bool, key: SigningKey
    ) -> dict[str, str]:
        token = generate_blob_sas(
            self._account,
            container,
            resource,
            account_key=key if isinstance(key, str) else None,
            user_delegation_key=None if isinstance(key, str) else key,
            permission=permission,
            expiry=expiry,
            protocol=self._protocol,
            is_directory=directory,
        )
        return dict(parse_qsl(token, keep_blank_values=True))

    def sign(
        self,
        container: str,
        name: str,
        *,
        ttl_seconds: int,
        permission: Permission = "r",
        prefix: bool = False,
        origin: bool = False,
    ) -> str:
        """A SAS URL for the blob (or every blob below the ``/``-ended prefix) for ``ttl_seconds``."""
        validate_blob_name(container, "x")
        if permission not in _PERMISSIONS:
            raise InvalidInput("a signed URL grants 'r' or 'w'")
        if not 0 < ttl_seconds <= self._max_ttl.total_seconds():
            raise InvalidInput(f"a signed URL lives between 1 and {int(self._max_ttl.total_seconds())} seconds")
        if not 1 <= len(name) <= 1024:
            raise InvalidInput("invalid blob name")
        resource = self._directory(container, name) if prefix else name
        valid_until = self._clock.now().replace(microsecond=0) + timedelta(seconds=int(ttl_seconds))
        key: SigningKey = self._keys.for_signing(valid_until) if self._keys else str(self._account_key)
        token = self._token(container, resource, _SAS_PERMISSION[permission], _timestamp(valid_until), prefix, key)
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in token.items())
        base = self._base if permission == "r" and not origin else self._storage
        return f"{base}/{container}/{quote(name, safe='/~')}?{query}"

    def _directory(self, container: str, prefix: str) -> str:
        """The directory a prefix URL is a directory SAS for: the prefix without its final '/'."""
        if not self._directories:
            raise Unavailable("prefix URLs need a storage account with a hierarchical namespace (directory SAS)")
        if not prefix.endswith("/"):
            raise InvalidInput("a prefix URL covers a folder: end the prefix with '/'")
        validate_blob_name(container, prefix[:-1])
        return prefix[:-1]

    def verify(self, container: str, name: str, params: Mapping[str, str], permission: Permission = "r") -> None:
        """``Forbidden`` unless ``params`` is an unexpired SAS of ours granting ``permission`` on the blob."""
        granted, expiry = params.get("sp", ""), params.get("se", "")
        if granted not in _PORT_PERMISSION or not _EXPIRY.fullmatch(expiry):
            raise Forbidden("the URL is not signed")
        resource, directory = self._signed_resource(name, params)
        keys: list[SigningKey] = self._keys.known() if self._keys else [str(self._account_key)]
        if not any(
            _same_token(self._token(container, resource, granted, expiry, directory, key), params) for key in keys
        ):
            raise Forbidden("the URL signature is not valid")
        try:
            expires = datetime.strptime(expiry, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError as exc:
            raise Forbidden("the URL is not signed") from exc
        if self._clock.now() >= expires:
            raise Forbidden("the URL has expired")
        if _PORT_PERMISSION[granted] != permission:
            raise Forbidden("the URL does not grant this access")

    @staticmethod
    def _signed_resource(name: str, params: Mapping[str, str]) -> tuple[str, bool]:
        """What the SAS must have been signed for if it grants ``name``: the blob, or the
        directory of ``sdd`` segments above it (a blob strictly below that directory)."""
        scope = params.get("sr")
        if scope == "b":
            return name, False
        depth = params.get("sdd", "")
        if scope != "d" or not _DEPTH.fullmatch(depth):
            raise Forbidden("the URL is not signed")
        segments = name.split("/")
        if len(segments) <= int(depth):
            raise Forbidden("the blob is outside the signed folder")
        return "/".join(segments[: int(depth)]), True
