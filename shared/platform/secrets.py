"""The secrets port: named secret strings (Key Vault in Azure)."""

from __future__ import annotations

import contextlib
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import timedelta

from shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed, Unavailable
from shared.platform.clock import Clock, SystemClock
from shared.platform.documents import DocumentStore

__all__ = ["SecretStore", "ensure_secret", "validate_secret_name"]

_NAME = re.compile(r"[A-Za-z0-9-]{1,127}")


def validate_secret_name(name: str) -> str:
    """The name in lower case (names follow Key Vault: 1-127 letters, digits and dashes,
    compared without regard to case); ``InvalidInput`` otherwise."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidInput("secret names are 1-127 letters, digits and dashes")
    return name.lower()


class SecretStore(ABC):
    @abstractmethod
    def get(self, name: str) -> str:
        """The secret's current value; ``NotFound`` if it is not set."""

    @abstractmethod
    def set(self, name: str, value: str) -> None:
        """Set a new value (a new version, where the backend keeps versions)."""


# Where the claims of secrets being generated are kept: the platform's partition of the leases
# container (which every profile has), beside the change feeds' checkpoints.
CLAIMS_CONTAINER = "leases"
CLAIMS_PARTITION = "platform"
# A claim older than this whose secret never appeared is taken over (its instance died mid-way).
CLAIM_EXPIRY = timedelta(seconds=60)
WAIT_SECONDS = 15.0


def ensure_secret(
    store: SecretStore,
    name: str,
    generate: Callable[[], str],
    *,
    claims: DocumentStore | None = None,
    clock: Clock | None = None,
) -> str:
    """The secret's value, generating and storing one on first use.

    With ``claims`` (the document store every instance shares), only one instance generates: the
    one whose ``create`` of the claim document succeeds (a conflict means another instance won, and
    this one waits for the secret to appear). Without, two new instances could each store a value of
    their own and keep using it (the secrets port has no conditional write: Key Vault has none). A
    claim whose instance died before storing the secret is taken over after ``CLAIM_EXPIRY``."""
    try:
        return store.get(name)
    except NotFound:
        pass
    if claims is None:
        store.set(name, generate())
        return store.get(name)
    clock = clock or SystemClock()
    claim_id = f"secret-claim.{validate_secret_name(name)}"
    claim = {"id": claim_id, "tenantId": CLAIMS_PARTITION, "at": clock.now().isoformat()}
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            claims.create(CLAIMS_CONTAINER, CLAIMS_PARTITION, claim)
            break  # this instance generates
        except Conflict:
            pass
        try:
            return store.get(name)
        except NotFound:
            pass
        if _took_over_stale_claim(claims, claim, clock):
            break
        if time.monotonic() > deadline:
            raise Unavailable(f"the secret {name!r} is being created by another instance; try again") from None
        time.sleep(0.1)
    try:
        # Won, but the winner before may have stored the secret and released its claim just now:
        # it stores before it releases, so a claim won after that release finds the secret here.
        value = store.get(name)
    except NotFound:
        store.set(name, generate())
        value = store.get(name)
    # The claim has done its work: from now on every instance finds the secret itself.
    with contextlib.suppress(NotFound):
        claims.delete(CLAIMS_CONTAINER, CLAIMS_PARTITION, claim_id)
    return value


def _took_over_stale_claim(claims: DocumentStore, claim: dict[str, str], clock: Clock) -> bool:
    from datetime import datetime

    try:
        held = claims.read(CLAIMS_CONTAINER, CLAIMS_PARTITION, claim["id"])
    except NotFound:
        return False
    if clock.now() - datetime.fromisoformat(str(held["at"])) < CLAIM_EXPIRY:
        return False
    try:
        claims.replace(CLAIMS_CONTAINER, CLAIMS_PARTITION, claim, if_match=held.get("_etag"))
    except (PreconditionFailed, NotFound):
        return False  # another instance took it over first
    return True
