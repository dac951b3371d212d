"""Signed HLS playback: per-viewer playlists and keys, segments the CDN caches for everyone.

A flat storage account cannot sign a folder, and a signed master playlist whose entries are
relative paths would send the player to unsigned URLs. So playlists are rewritten when they
are fetched: the API hands out a *playlist grant* (a short-lived HS256 token naming one learner
and one asset, signed with a key kept in the secrets port, so every instance can check it), and a
public playlist route answers the asset's small ``.m3u8`` texts with every variant playlist
pointing back at the route, its ``EXT-X-KEY`` pointing at the key route with the same grant, and
every segment line replaced by a blob URL signed by the URL signer (a Blob SAS through Front Door
in Azure, the HMAC-checked local blob route here). The routes never read or stream a segment.

Encrypted segments (AES-128, see ``keys.py``) are signed for a shared time window, so every viewer
of the window gets the same URL, and Front Door caches them ignoring the query string anyway: the
signature only matters on a cache miss, at the origin. What is per viewer and short-lived is the
playlist and the key. Unencrypted ladders of older assets keep per-viewer segment URLs that expire
with the grant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import jwt

from shared.errors import Forbidden, NotFound
from shared.media import keys
from shared.media.model import ENCRYPTED_SEGMENT_PREFIX, MEDIA_BLOBS, asset_prefix
from shared.platform.generated_secrets import generated_secret
from shared.platform.runtime import Platform

__all__ = ["KEY_ROUTE", "PLAYLIST_ROUTE", "Grant", "content_key_of", "issue_grant", "playlist_text", "read_grant"]

PLAYLIST_ROUTE = "/api/v1/media/playlists"
KEY_ROUTE = "/api/v1/media/keys"
# Encrypted segment URLs are signed until the end of the window after the current one: the same
# URL for every viewer of a window, valid 2 to 4 hours (a user-delegation SAS may live 6 hours).
SEGMENT_URL_WINDOW = 2 * 3600
GRANT_SECRET = "media-playlist-key"  # noqa: S105 - the name of a secret, not its value
_ALGORITHM = "HS256"
_AUDIENCE = "lms-media-playlists"
_VARIANT = re.compile(r"(?P<rendition>[0-9]{2,4}p)\.m3u8")
_MASTER = "master.m3u8"
_KEY_URI = re.compile(r'URI="[^"]*"')


@dataclass(frozen=True)
class Grant:
    """What a playlist token lets its holder fetch: one asset's playlists, until ``expires``."""

    tenant_id: str
    lesson_id: str
    asset_id: str
    expires: int
    user_id: str = ""

    @property
    def prefix(self) -> str:
        return asset_prefix(self.tenant_id, self.lesson_id, self.asset_id)


def _key(platform: Platform) -> bytes:
    """The grant signing key (read once per process)."""
    return generated_secret(platform, GRANT_SECRET).encode()


def issue_grant(
    platform: Platform, tenant_id: str, lesson_id: str, asset_id: str, ttl_seconds: int, user_id: str
) -> tuple[str, Grant]:
    """A token for ``user_id`` to fetch the asset's playlists and key, valid for ``ttl_seconds``."""
    expires = int(platform.clock.now().timestamp()) + ttl_seconds
    grant = Grant(tenant_id, lesson_id, asset_id, expires, user_id)
    claims = {"aud": _AUDIENCE, "tid": tenant_id, "lid": lesson_id, "aid": asset_id, "sub": user_id, "exp": expires}
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
        grant = Grant(
            str(claims["tid"]), str(claims["lid"]), str(claims["aid"]), int(claims["exp"]), str(claims.get("sub", ""))
        )
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


def _segment_ttl(platform: Platform, grant: Grant, segment: str) -> int:
    """Seconds a segment URL lives: to the end of the next shared window for an encrypted segment
    (one URL for every viewer), to the grant's expiry for an unencrypted one (per viewer)."""
    now = int(platform.clock.now().timestamp())
    if segment.startswith(ENCRYPTED_SEGMENT_PREFIX):
        return (now // SEGMENT_URL_WINDOW + 2) * SEGMENT_URL_WINDOW - now
    return max(1, grant.expires - now)


def _key_line(line: str, grant: Grant, token: str) -> str:
    """``#EXT-X-KEY`` with its URI at the key route, relative to this route as the player resolves it."""
    uri = f'URI="../keys/{grant.asset_id}?token={quote(token, safe="")}"'
    return _KEY_URI.sub(lambda _: uri, line, count=1)


def _variant(platform: Platform, grant: Grant, token: str, rendition: str, text: str) -> str:
    folder = f"{grant.prefix}/{rendition}"
    out = []
    for is_uri, line in _uri_lines(text):
        if is_uri:
            segment = line.strip()
            if "/" in segment or ".." in segment:
                raise NotFound()  # our playlists only name segments beside them
            ttl = _segment_ttl(platform, grant, segment)
            out.append(platform.signer.sign(MEDIA_BLOBS, f"{folder}/{segment}", ttl_seconds=ttl))
        elif line.startswith("#EXT-X-KEY:") and "METHOD=NONE" not in line:
            out.append(_key_line(line, grant, token))
        else:
            out.append(line)
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
    return _variant(platform, grant, token, rendition, text)


def content_key_of(platform: Platform, token: str, asset_id: str) -> bytes:
    """The 16-byte key of the granted asset, for the grant's learner; ``Forbidden`` for a grant of
    another asset (or a forged or expired one), ``NotFound`` for an asset that has no key."""
    grant = read_grant(platform, token)
    if grant.asset_id != asset_id:
        raise Forbidden("the playlist grant is for another video")
    return keys.content_key(platform, grant.tenant_id, grant.asset_id)


def expires_at(grant: Grant) -> str:
    return datetime.fromtimestamp(grant.expires, UTC).isoformat()
