"""Signed HLS playback without prefix signatures.

A flat storage account cannot sign a folder, and a signed master playlist whose entries are
relative paths would send the player to unsigned URLs. So playlists are rewritten when they
are fetched: the API hands out a *playlist grant* (a short-lived HS256 token naming one asset,
signed with a key kept in the secrets port, so every instance can check it), and a public
playlist route answers the asset's small ``.m3u8`` texts with every variant playlist pointing
back at the route and every segment line replaced by a blob URL signed by the URL signer
(a Blob SAS through Front Door in Azure, the HMAC-checked local blob route here). The route
never reads or streams a segment; segment URLs expire with the grant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import jwt

from shared.errors import Forbidden, NotFound
from shared.media.model import MEDIA_BLOBS, asset_prefix
from shared.platform.generated_secrets import generated_secret
from shared.platform.runtime import Platform

__all__ = ["PLAYLIST_ROUTE", "Grant", "issue_grant", "playlist_text", "read_grant"]

PLAYLIST_ROUTE = "/api/v1/media/playlists"
GRANT_SECRET = "media-playlist-key"  # noqa: S105 - the name of a secret, not its value
_ALGORITHM = "HS256"
_AUDIENCE = "lms-media-playlists"
_VARIANT = re.compile(r"(?P<rendition>[0-9]{2,4}p)\.m3u8")
_MASTER = "master.m3u8"


@dataclass(frozen=True)
class Grant:
    """What a playlist token lets its holder fetch: one asset's playlists, until ``expires``."""

    tenant_id: str
    lesson_id: str
    asset_id: str
    expires: int

    @property
    def prefix(self) -> str:
        return asset_prefix(self.tenant_id, self.lesson_id, self.asset_id)


def _key(platform: Platform) -> bytes:
    """The grant signing key (read once per process)."""
    return generated_secret(platform, GRANT_SECRET).encode()


def issue_grant(
    platform: Platform, tenant_id: str, lesson_id: str, asset_id: str, ttl_seconds: int
) -> tuple[str, Grant]:
    """A token for the asset's playlists, valid for ``ttl_seconds``."""
    expires = int(platform.clock.now().timestamp()) + ttl_seconds
    grant = Grant(tenant_id, lesson_id, asset_id, expires)
    claims = {"aud": _AUDIENCE, "tid": tenant_id, "lid": lesson_id, "aid": asset_id, "exp": expires}
    return jwt.encode(claims, _key(platform), algorithm=_ALGORITHM), grant


def read_grant(platform: Platform, token: str) -> Grant:
    """The grant a token carries; ``Forbidden`` if it is forged, tampered with or expired."""
    try:
        # Expiry is checked against the platform's clock below, not the library's.
        claims = jwt.decode(
            token,
            _key(platform),
            algorithms=[_ALGORITHM],
            audience=_AUDIENCE,
            options={"verify_exp": False, "require": ["exp", "tid", "lid", "aid"]},
        )
        grant = Grant(str(claims["tid"]), str(claims["lid"]), str(claims["aid"]), int(claims["exp"]))
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise Forbidden("the playlist URL is not signed") from exc
    if grant.expires <= platform.clock.now().timestamp():
        raise Forbidden("the playlist URL has expired")
    return grant


def _uri_lines(text: str) -> list[tuple[bool, str]]:
    """Each line of a playlist, flagged when it is a URI (neither blank nor a tag)."""
    return [(bool(line.strip()) and not line.startswith("#"), line) for line in text.splitlines()]


def _master(text: str, token: str) -> str:
    out = []
    for is_uri, line in _uri_lines(text):
        # "360p/index.m3u8" -> "360p.m3u8?token=...", relative to this route, as the player resolves it.
        out.append(f"{line.split('/', 1)[0]}.m3u8?token={quote(token, safe='')}" if is_uri else line)
    return "\n".join(out) + "\n"


def _variant(platform: Platform, grant: Grant, rendition: str, text: str) -> str:
    ttl = max(1, grant.expires - int(platform.clock.now().timestamp()))
    folder = f"{grant.prefix}/{rendition}"
    out = []
    for is_uri, line in _uri_lines(text):
        if is_uri and ("/" in line or ".." in line):
            raise NotFound()  # our playlists only name segments beside them
        out.append(platform.signer.sign(MEDIA_BLOBS, f"{folder}/{line.strip()}", ttl_seconds=ttl) if is_uri else line)
    return "\n".join(out) + "\n"


def playlist_text(platform: Platform, token: str, name: str) -> str:
    """The named playlist of the granted asset, rewritten with signed URLs."""
    grant = read_grant(platform, token)
    if name == _MASTER:
        return _master(platform.blobs.read_bytes(MEDIA_BLOBS, f"{grant.prefix}/master.m3u8").decode(), token)
    match = _VARIANT.fullmatch(name)
    if not match:
        raise NotFound()
    rendition = match["rendition"]
    text = platform.blobs.read_bytes(MEDIA_BLOBS, f"{grant.prefix}/{rendition}/index.m3u8").decode()
    return _variant(platform, grant, rendition, text)


def expires_at(grant: Grant) -> str:
    return datetime.fromtimestamp(grant.expires, UTC).isoformat()
