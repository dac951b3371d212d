"""HMAC-SHA256 signed URLs for the embedded profile's local blob route (the CDN's role).

The signature covers container, name (or prefix), permission, scope and expiry, so no
part of the URL can be changed without invalidating it. A prefix URL also carries the
signed prefix in ``spfx``: the route checking a request only sees the blob's full name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from urllib.parse import quote, urlencode

from shared.errors import Forbidden, InvalidInput
from shared.platform.clock import Clock, SystemClock
from shared.platform.signer import Permission, UrlSigner

__all__ = ["HmacUrlSigner"]

_EXPIRY = re.compile(r"[0-9]{1,12}")  # ASCII digits only: str.isdigit() also accepts '²'
_PERMISSIONS = ("r", "w")


class HmacUrlSigner(UrlSigner):
    def __init__(self, key: bytes, base_url: str, *, clock: Clock | None = None) -> None:
        if len(key) < 16:
            raise ValueError("the signing key needs at least 16 bytes")
        self._key = key
        self._base = base_url.rstrip("/")
        self._clock = clock or SystemClock()

    def _signature(self, container: str, name: str, permission: str, scope: str, expiry: str) -> str:
        # JSON keeps the fields apart: no value can borrow characters from its neighbour.
        message = json.dumps([container, name, permission, scope, expiry]).encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

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
        """A URL for the blob (or every blob under the prefix) valid for ``ttl_seconds``; the local
        blob route is both the origin and the stand-in CDN, so ``origin`` changes nothing."""
        if permission not in _PERMISSIONS:
            raise InvalidInput("a signed URL grants 'r' or 'w'")
        if ttl_seconds <= 0:
            raise InvalidInput("a signed URL needs a positive time to live")
        if prefix and not name:
            raise InvalidInput("a prefix URL needs a prefix; sign one ending in '/'")
        expiry = str(int(self._clock.now().timestamp()) + int(ttl_seconds))
        scope = "p" if prefix else "b"
        params = {
            "se": expiry,
            "sp": permission,
            "sr": scope,
            "sig": self._signature(container, name, permission, scope, expiry),
        }
        if prefix:
            params["spfx"] = name
        return f"{self._base}/{container}/{quote(name, safe='/')}?{urlencode(params)}"

    def verify(self, container: str, name: str, params: Mapping[str, str], permission: Permission = "r") -> None:
        """``Forbidden`` unless ``params`` is an unexpired signature granting ``permission`` on the blob."""
        expiry, granted, scope, signature = (params.get(k, "") for k in ("se", "sp", "sr", "sig"))
        signed_name = params.get("spfx", "") if scope == "p" else name
        if scope not in ("b", "p") or not _EXPIRY.fullmatch(expiry) or not signature.isascii():
            raise Forbidden("the URL is not signed")
        expected = self._signature(container, signed_name, granted, scope, expiry)
        if not hmac.compare_digest(expected, signature):  # constant time: no timing oracle
            raise Forbidden("the URL signature is not valid")
        if int(expiry) < self._clock.now().timestamp():
            raise Forbidden("the URL has expired")
        if granted != permission:
            raise Forbidden("the URL does not grant this access")
        if scope == "p" and not (signed_name and name.startswith(signed_name)):
            raise Forbidden("the blob is outside the signed prefix")
