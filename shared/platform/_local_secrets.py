"""Secrets of the embedded profile: the environment first, then a private JSON file
(generated values such as signing keys, created 0600 and kept out of git).

Names follow Key Vault: 1-127 letters, digits and dashes, compared without regard to
case, so a name that works here works in Azure and means the same secret there.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

from shared.errors import InvalidInput, NotFound, Unavailable
from shared.platform.secrets import SecretStore, validate_secret_name

__all__ = ["LocalSecretStore"]

ENV_PREFIX = "LMS_SECRET_"


class LocalSecretStore(SecretStore):
    def __init__(self, file: Path, environ: Mapping[str, str] | None = None) -> None:
        self._file = Path(file)
        self._environ = os.environ if environ is None else environ
        self._lock = threading.Lock()

    @staticmethod
    def env_name(name: str) -> str:
        """The environment variable that overrides the secret ``name``."""
        return ENV_PREFIX + name.upper().replace("-", "_")

    @staticmethod
    def _key(name: str) -> str:
        return validate_secret_name(name)

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self._file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise Unavailable(f"the secret file {self._file.name} cannot be read") from exc
        if not isinstance(data, dict):
            raise Unavailable(f"the secret file {self._file.name} is not a JSON object")
        # Lower-cased on read too, so files written before names were case-insensitive still resolve.
        return {str(k).lower(): str(v) for k, v in data.items()}

    def get(self, name: str) -> str:
        """The environment's value, else the file's; ``NotFound`` if neither has it."""
        key = self._key(name)
        from_env = self._environ.get(self.env_name(name))
        if from_env:  # an empty variable means unset, as everywhere in the settings
            return from_env
        with self._lock:
            value = self._load().get(key)
        if value is None:
            raise NotFound(f"no secret {name!r}")
        return value

    def set(self, name: str, value: str) -> None:
        """Store a value in the private file, replacing the file atomically."""
        key = self._key(name)
        if not isinstance(value, str):
            raise InvalidInput("a secret value is a string")
        self._file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self._lock, _locked(self._file.with_name(self._file.name + ".lock")):
            data = {**self._load(), key: value}
            self._replace(json.dumps(data, indent=2, sort_keys=True))

    def _replace(self, text: str) -> None:
        # A fresh 0600 file renamed over the old one: readers see the old or the new file,
        # never half of one, and a file loosened by hand is tightened again.
        tmp = self._file.with_name(f".{self._file.name}.{uuid.uuid4().hex}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self._file)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock across processes, so two processes setting secrets lose neither write."""
    if sys.platform == "win32":  # no flock; the in-process lock still holds
        yield
        return
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
