"""Online backup and restore of the embedded profile's data dir (``python -m shared.cli backup DIR``).

The data dir holds SQLite databases (documents, bus, search), the folder blob store and the keys
(the dev issuer's key, the local secrets). A backup runs while the platform serves:

- each database is copied with SQLite's online backup API, which yields a consistent snapshot of
  that database even while other connections write (a plain file copy of a database in WAL mode
  can miss or tear recent transactions); every write acknowledged before the backup started is in it;
- the databases are copied first and the files after them, so every blob a copied document names
  (written before the document that names it) is in the copy; blobs are written whole and renamed
  into place, so a copied blob is one whole version, and half-written temporary files are skipped.

The databases are each consistent but not mutually: a message sent after the documents were copied
may be in the bus copy. Every consumer is idempotent (message ids, event ids), so a restore replays
at most some work. ``backup.json`` lists what was copied; ``restore`` refuses a folder without one,
and a data dir that is not empty.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["MANIFEST", "BackupError", "backup", "restore"]

MANIFEST = "backup.json"
_DATABASE_SUFFIX = ".sqlite3"
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(Exception):
    """The backup or restore cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class Copied:
    databases: list[str]
    files: list[str]


def _copy_database(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source, timeout=30) as src, sqlite3.connect(target) as dst:
        src.backup(dst, pages=1024)  # in steps, so writers are not held off for the whole copy
    dst.close()
    src.close()


def _is_skipped(path: Path) -> bool:
    name = path.name
    return name.endswith(_SQLITE_SIDE_FILES) or (name.startswith(".upload-") and name.endswith(".tmp"))


def _walk(root: Path) -> tuple[list[Path], list[Path]]:
    databases: list[Path] = []
    files: list[Path] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not _is_skipped(p)):
        (databases if path.name.endswith(_DATABASE_SUFFIX) else files).append(path)
    return databases, files


def backup(data_dir: Path, target: Path) -> Copied:
    """Copy ``data_dir`` into the new or empty folder ``target`` (see the module's docstring)."""
    if not data_dir.is_dir():
        raise BackupError(f"no data dir at {data_dir}")
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: back up into a new folder")
    target.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC).isoformat()
    databases, _ = _walk(data_dir)
    for path in databases:
        _copy_database(path, target / path.relative_to(data_dir))
    _, files = _walk(data_dir)  # after the databases: what they name exists by now
    copied_files = []
    for path in files:
        destination = target / path.relative_to(data_dir)
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(path, destination)
        except FileNotFoundError:
            continue  # deleted since the walk (a blob removed meanwhile): not part of this copy
        copied_files.append(path.relative_to(data_dir).as_posix())
    copied = Copied([p.relative_to(data_dir).as_posix() for p in databases], copied_files)
    manifest = {"startedAt": started, "finishedAt": datetime.now(UTC).isoformat(), **copied.__dict__}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return copied


def restore(source: Path, data_dir: Path) -> Copied:
    """Bring the backup in ``source`` back into the new or empty ``data_dir`` (stop the platform first)."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source} holds no {MANIFEST}: not a backup of this platform")
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BackupError(f"{data_dir} is not empty: restore into a new data dir (or move the old one away)")
    manifest = json.loads(manifest_path.read_text())
    names = [*manifest.get("databases", []), *manifest.get("files", [])]
    for name in names:  # a manifest written by hand must not steer a copy out of the data dir
        if not isinstance(name, str) or name.startswith("/") or ".." in Path(name).parts or not name:
            raise BackupError(f"{MANIFEST} names {name!r}, which is not a path inside the data dir")
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in manifest["databases"]:
        _copy_database(source / name, data_dir / name)
    for name in manifest["files"]:
        destination = data_dir / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, destination)
    return Copied(list(manifest["databases"]), list(manifest["files"]))
