"""The contract of the SecretStore port, written only against the port.

Every adapter (embedded file + environment, Key Vault) runs this suite by subclassing
``SecretStoreContract`` in a ``test_*.py`` file and providing:

- ``secrets``: the ``SecretStore`` under test;
- ``advance_clock``: a callable(seconds) or None (secrets have no time-dependent tests).

Secret names are fresh per test, so a shared vault is safe.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from shared.errors import InvalidInput, NotFound
from shared.platform.secrets import SecretStore, ensure_secret

AdvanceClock = Callable[[float], None] | None

INVALID_NAMES = ["", "with space", "under_score", "dot.name", "slash/name", "../up", "ünï", "x" * 128, "tab\tname"]


class SecretStoreContract:
    @pytest.fixture
    def name(self) -> str:
        return f"contract-{uuid.uuid4().hex[:16]}"

    def test_a_secret_that_was_set_can_be_read(self, secrets: SecretStore, name: str) -> None:
        secrets.set(name, "s3cr3t value")
        assert secrets.get(name) == "s3cr3t value"

    def test_reading_a_secret_that_was_never_set_is_not_found(self, secrets: SecretStore, name: str) -> None:
        with pytest.raises(NotFound):
            secrets.get(name)

    def test_setting_a_secret_again_replaces_its_value(self, secrets: SecretStore, name: str) -> None:
        secrets.set(name, "first")
        secrets.set(name, "second")
        assert secrets.get(name) == "second"

    def test_secrets_are_independent_of_each_other(self, secrets: SecretStore, name: str) -> None:
        other = name + "-other"
        secrets.set(name, "one")
        secrets.set(other, "two")
        assert (secrets.get(name), secrets.get(other)) == ("one", "two")

    def test_any_text_round_trips_as_a_value(self, secrets: SecretStore, name: str) -> None:
        value = 'line one\nline "two" ünïcode ✓ {"json": true} \\ ' + "k" * 2000
        secrets.set(name, value)
        assert secrets.get(name) == value

    def test_the_longest_valid_name_is_accepted(self, secrets: SecretStore, name: str) -> None:
        longest = (name + "-" + "x" * 127)[:127]
        secrets.set(longest, "long")
        assert secrets.get(longest) == "long"

    @pytest.mark.parametrize("invalid", INVALID_NAMES)
    def test_invalid_names_are_refused_as_invalid_input(self, secrets: SecretStore, invalid: str) -> None:
        with pytest.raises(InvalidInput):
            secrets.set(invalid, "value")
        with pytest.raises(InvalidInput):
            secrets.get(invalid)

    def test_a_name_with_a_trailing_newline_is_refused_as_invalid_input(self, secrets: SecretStore, name: str) -> None:
        with pytest.raises(InvalidInput):
            secrets.set(name + "\n", "value")
        with pytest.raises(InvalidInput):
            secrets.get(name + "\n")

    def test_secret_names_are_case_insensitive(self, secrets: SecretStore, name: str) -> None:
        secrets.set(name.upper(), "shouted")
        assert secrets.get(name) == "shouted"
        secrets.set(name, "quiet")
        assert secrets.get(name.upper()) == "quiet"

    def test_ensure_secret_generates_once_then_keeps_the_value(self, secrets: SecretStore, name: str) -> None:
        generated = iter(["generated-1", "generated-2"])
        assert ensure_secret(secrets, name, lambda: next(generated)) == "generated-1"
        assert ensure_secret(secrets, name, lambda: next(generated)) == "generated-1"
        assert secrets.get(name) == "generated-1"
