"""Per-asset HLS content keys: one per asset, created once however many transcodes race, read once
per process by the key route."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from shared.errors import NotFound
from shared.media.keys import CONTENT_KEY_BYTES, content_key, ensure_content_key, key_name
from shared.platform.runtime import Platform
from shared.platform.secrets import SecretStore, validate_secret_name


class CountingSecrets(SecretStore):
    def __init__(self, inner: SecretStore) -> None:
        self.inner, self.gets, self.sets = inner, 0, 0

    def get(self, name: str) -> str:
        self.gets += 1
        return self.inner.get(name)

    def set(self, name: str, value: str) -> None:
        self.sets += 1
        self.inner.set(name, value)


def test_a_key_name_is_a_valid_secret_name_of_its_tenant_and_asset_only() -> None:
    name = key_name("acme", "a" * 32)
    assert validate_secret_name(name) == name and name == key_name("acme", "a" * 32)
    assert key_name("acme", "a" * 32) != key_name("rival", "a" * 32) != key_name("acme", "b" * 32)


def test_an_asset_gets_one_key_however_many_transcodes_race_for_it(platform: Platform) -> None:
    counting = CountingSecrets(platform.content_keys)
    racing = dataclasses.replace(platform, content_keys=counting)
    found: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: found.append(ensure_content_key(racing, "acme", "x1"))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8 and len(set(found)) == 1 and len(found[0]) == CONTENT_KEY_BYTES
    assert counting.sets == 1
    assert ensure_content_key(racing, "acme", "x1") == found[0]  # a repeated transcode reuses it
    assert ensure_content_key(racing, "acme", "x2") != found[0]


def test_the_key_route_reads_a_key_once_and_refuses_an_asset_without_one(platform: Platform) -> None:
    created = ensure_content_key(platform, "acme", "y1")
    counting = CountingSecrets(platform.content_keys)
    reading = dataclasses.replace(platform, content_keys=counting)
    assert [content_key(reading, "acme", "y1") for _ in range(5)] == [created] * 5
    assert counting.gets == 1
    with pytest.raises(NotFound):
        content_key(reading, "acme", "never-transcoded")
    with pytest.raises(NotFound):
        content_key(reading, "rival", "y1")  # another tenant's asset of the same id has no key


def test_a_stored_value_that_is_not_a_16_byte_key_is_never_served(platform: Platform) -> None:
    platform.content_keys.set(key_name("acme", "z1"), "abcd")
    with pytest.raises(NotFound):
        content_key(platform, "acme", "z1")
