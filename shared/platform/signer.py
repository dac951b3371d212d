"""The URL signer port: short-lived, tamper-proof access to a blob or a blob prefix.

Embedded: HMAC-signed query strings checked by a local route. Azure: a Blob
user-delegation SAS (served behind Front Door).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Literal

__all__ = ["Permission", "UrlSigner"]

Permission = Literal["r", "w"]


class UrlSigner(ABC):
    @abstractmethod
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
        """A URL granting ``permission`` on the blob ``name`` (or, with ``prefix``, on every
        blob whose name starts with ``name``) until ``ttl_seconds`` from now. ``"w"`` grants writing
        the blob once: creating it, never overwriting it. With ``origin`` a read URL points at the
        store itself, not the CDN (for the platform's own reads, such as probing an upload)."""

    @abstractmethod
    def verify(self, container: str, name: str, params: Mapping[str, str], permission: Permission = "r") -> None:
        """Raise ``Forbidden`` unless ``params`` is an unexpired signature that covers
        ``permission`` on the blob (used by the local route that plays the CDN)."""
