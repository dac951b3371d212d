"""Secrets of the embedded profile: the environment first, then a private JSON file
(generated values such as signing keys, created 0600 and kept out of git)."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path

from shared.errors import InvalidInput, NotFound
from shared.platform.secrets import SecretStore

__all__ = ["LocalSecretStore"]

_NAME = re.compile(r"^[A-Za-z0-9-]{1,127}$")  # Key Vault's rule, so names carry over


class LocalSecretStore(SecretStore):
    def __init__(self, file: Path, environ: Mapping[str, str] | None = None) -> None:
        self._file = Path(file)
        self._environ = os.environ if environ is None else environ
        self._lock = threading.Lock()

    @staticmethod
    def env_name(name: str) -> str:
        return "LMS_SECRET_" + name.upper().replace("-", "_")

    def _check(self, name: str) -> None:
        if not _NAME.match(name):
            raise InvalidInput("secret names are 1-127 letters, digits and dashes")

    def _load(self) -> dict[str, str]:
        if not self._file.is_file():
            return {}
        data = json.loads(self._file.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()}

    def get(self, name: str) -> str:
        """The environment's value, else the file's; NotFound if neither has it."""
        self._check(name)
        from_env = self._environ.get(self.env_name(name))
        if from_env:
            return from_env
        with self._lock:
            value = self._load().get(name)
        if value is None:
            raise NotFound(f"no secret {name!r}")
        return value

    def set(self, name: str, value: str) -> None:
        """Store a value in the private file (atomically)."""
        self._check(name)
        with self._lock:
            data = {**self._load(), name: value}
            self._file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._file.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out)
            os.replace(tmp, self._file)
