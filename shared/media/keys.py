"""The AES-128 content keys of HLS ladders: one random 16-byte key per asset, kept as a secret.

Segments are encrypted (``METHOD=AES-128``) so the CDN can cache them for every viewer without
making the video public: a segment is useless without its key, and the key is only handed out by
the API's key route to a learner holding a playlist grant for that asset.

Keys live in ``platform.content_keys``: in Azure a Key Vault of their own, which the transcoder may
write and the API may only read, so the transcoder can read no other secret of the platform. The
transcoder creates an asset's key once (``ensure_secret`` with the document store as the arbiter,
so a repeated or concurrent transcode of the same asset encrypts with the same key); the API reads
it once per process and asset, and keeps a bounded number in memory (a key never changes).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict

from shared.errors import NotFound
from shared.platform.runtime import Platform
from shared.platform.secrets import SecretStore, ensure_secret

__all__ = ["CONTENT_KEY_BYTES", "content_key", "ensure_content_key", "key_name"]

CONTENT_KEY_BYTES = 16  # AES-128, as HLS defines it
CACHED_KEYS = 4096  # about 0.5 MB of keys and names per process at most

_cache: OrderedDict[tuple[int, str], tuple[SecretStore, bytes]] = OrderedDict()
_lock = threading.Lock()


def key_name(tenant_id: str, asset_id: str) -> str:
    """The secret name of the asset's key: a digest, so no id ever has to fit Key Vault's name rules."""
    digest = hashlib.sha256(f"{tenant_id}/{asset_id}".encode()).hexdigest()
    return f"hls-{digest[:60]}"


def _decode(value: str) -> bytes:
    key = bytes.fromhex(value)
    if len(key) != CONTENT_KEY_BYTES:
        raise ValueError("a content key has 16 bytes")
    return key


def ensure_content_key(platform: Platform, tenant_id: str, asset_id: str) -> bytes:
    """The asset's key, created by the first transcode that asks (and only by it)."""
    value = ensure_secret(
        platform.content_keys,
        key_name(tenant_id, asset_id),
        lambda: secrets.token_hex(CONTENT_KEY_BYTES),
        claims=platform.documents,
        clock=platform.clock,
    )
    return _decode(value)


def content_key(platform: Platform, tenant_id: str, asset_id: str) -> bytes:
    """The asset's key for the key route; ``NotFound`` if the asset was never encrypted."""
    store, name = platform.content_keys, key_name(tenant_id, asset_id)
    slot = (id(store), name)
    with _lock:
        hit = _cache.get(slot)
        if hit is not None and hit[0] is store:  # an id is only unique while its store lives
            _cache.move_to_end(slot)
            return hit[1]
    try:
        key = _decode(store.get(name))
    except ValueError as exc:  # a value this module never writes: refuse rather than serve it
        raise NotFound("the video has no usable key") from exc
    with _lock:
        _cache[slot] = (store, key)
        while len(_cache) > CACHED_KEYS:
            _cache.popitem(last=False)
    return key
