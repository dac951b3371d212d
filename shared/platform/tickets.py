"""Short-lived, single-purpose tickets for the one request a browser cannot give a header.

A browser's ``EventSource`` sends no ``Authorization`` header, so the notification stream also
accepts a ticket in its query string. A ticket names one purpose, one tenant, one user and the
roles of the token it was issued for, and expires within minutes; it is HMAC-signed with a key
from the secrets port (generated on first use), so any instance of the app can redeem what another
issued. A ticket in a URL may end up in a proxy's log: that is why it is bound to one purpose
(reading one user's notification stream) and lives minutes, not the hours of a token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
from typing import Any

from shared.errors import Unauthorized
from shared.platform.identity import Principal
from shared.platform.runtime import Platform
from shared.platform.secrets import SecretStore, ensure_secret
from shared.roles import Role, parse_roles

__all__ = ["TICKET_KEY_SECRET", "issue_ticket", "redeem_ticket"]

TICKET_KEY_SECRET = "stream-ticket-key"  # noqa: S105 - the name of a secret, not its value
MAX_TICKET_CHARS = 2000

_keys: dict[int, tuple[SecretStore, bytes]] = {}
_keys_lock = threading.Lock()


def _key(store: SecretStore) -> bytes:
    """The signing key, read (or generated) once per process and secret store."""
    with _keys_lock:
        cached = _keys.get(id(store))
        if cached is None or cached[0] is not store:
            cached = (store, ensure_secret(store, TICKET_KEY_SECRET, lambda: secrets.token_urlsafe(32)).encode())
            _keys[id(store)] = cached
        return cached[1]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def issue_ticket(platform: Platform, principal: Principal, purpose: str, ttl_seconds: int) -> str:
    """A ticket for ``purpose`` standing for ``principal`` until ``ttl_seconds`` from now."""
    expires = int(platform.clock.now().timestamp()) + ttl_seconds
    claims = {
        "p": purpose,
        "t": principal.tenant_id,
        "u": principal.user_id,
        "r": sorted(role.value for role in principal.roles),
        "e": expires,
    }
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_signature(_key(platform.secrets), body)}"


def redeem_ticket(platform: Platform, ticket: str, purpose: str) -> Principal:
    """Whom a ticket for ``purpose`` stands for; ``Unauthorized`` when it is forged, altered,
    expired or issued for another purpose."""
    refused = Unauthorized("the ticket is not valid or has expired")
    body, dot, signature = ticket.partition(".")
    if not dot or len(ticket) > MAX_TICKET_CHARS:
        raise refused
    if not hmac.compare_digest(signature, _signature(_key(platform.secrets), body)):
        raise refused
    try:
        claims: Any = json.loads(_unb64(body))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise refused from exc
    if not isinstance(claims, dict) or claims.get("p") != purpose:
        raise refused
    expires, user, tenant = claims.get("e"), claims.get("u"), claims.get("t")
    if not isinstance(expires, int) or expires <= platform.clock.now().timestamp():
        raise refused
    if not isinstance(user, str) or not (tenant is None or isinstance(tenant, str)):
        raise refused
    names = claims.get("r")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise refused
    roles: frozenset[Role] = parse_roles(names)
    return Principal(user_id=user, tenant_id=tenant, roles=roles)
