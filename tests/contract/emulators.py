"""Run a local emulator (a node program installed under ``emulators/``, or a system
program such as redis-server) for some tests.

``npm ci --prefix emulators`` installs them (CI does). When ``emulators/node_modules`` is
missing the tests that need one are skipped with that command as the reason; any other
failure (node missing, the emulator crashing or never answering) fails them, so a broken
set-up is never mistaken for a pass.

The test picks a free port on 127.0.0.1, ``running`` starts the program, waits (bounded)
until the port accepts connections, and stops the program and its children at the end.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

EMULATORS = Path(__file__).resolve().parents[2] / "emulators"
NODE_MODULES = EMULATORS / "node_modules"
HOST = "127.0.0.1"
_PR_SET_PDEATHSIG = 1


def require_installed(program: str) -> Path:
    """The program's entry under node_modules/.bin; skips the test if nothing is installed."""
    if not NODE_MODULES.is_dir():
        pytest.skip(f"emulators not installed: run `npm ci --prefix {EMULATORS.name}` to test against {program}")
    entry = NODE_MODULES / ".bin" / program
    if not entry.exists():
        pytest.fail(f"{program} is not in {NODE_MODULES}: is emulators/package.json out of date?")
    return entry


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: Linux sends it SIGTERM when the test process dies, so an
    emulator never outlives a killed or timed-out test run (finalizers do not run then)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Emulator:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the emulator's process group, SIGKILL it if it lingers, and reap it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=grace)


@contextmanager
def serving(name: str, argv: Sequence[str], *, port: int, log: Path, timeout: float = 30.0) -> Iterator[Emulator]:
    """Start ``argv``, yield once ``port`` accepts connections, stop it (and its children) after."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        # A session of its own, so stopping reaches any child the server starts.
        process = subprocess.Popen(
            list(argv),
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=EMULATORS,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    emulator = Emulator(process, port, log)
    try:
        deadline = time.monotonic() + timeout
        while not _accepts(port):
            if process.poll() is not None:
                pytest.fail(f"{name} exited with {process.returncode}:\n{emulator.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"{name} did not answer on port {port} within {timeout:.0f}s:\n{emulator.output()}")
            time.sleep(0.1)
        yield emulator
    finally:
        emulator.stop()


@contextmanager
def running(program: str, args: Sequence[str], *, port: int, log: Path, timeout: float = 30.0) -> Iterator[Emulator]:
    """Start ``node <program> args`` from emulators/node_modules, as ``serving`` does."""
    entry = require_installed(program)
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH, though the emulators are installed")
    with serving(program, [node, str(entry), *args], port=port, log=log, timeout=timeout) as emulator:
        yield emulator


def require_system_program(program: str, package: str) -> str:
    """The path of a system program; skips the test, naming the package, if it is missing
    (``make test`` installs it with apt-get where it can)."""
    path = shutil.which(program)
    if path is None:
        pytest.skip(f"{program} is not installed: `apt-get install {package}` to test against it")
    return path


# Azurite's well-known development account (published in its README; not a secret).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def azurite_connection_string(port: int) -> str:
    """The connection string of Azurite's development account on ``port``."""
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
        f"BlobEndpoint=http://{HOST}:{port}/{AZURITE_ACCOUNT};"
    )


@contextmanager
def azurite(workspace: Path) -> Iterator[str]:
    """Azurite's blob service on a free port, data under ``workspace``; yields its connection string."""
    port = free_port()
    args = ["--blobHost", HOST, "--blobPort", str(port), "--location", str(workspace / "data")]
    args += ["--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry"]
    with running("azurite-blob", args, port=port, log=workspace / "azurite.log"):
        yield azurite_connection_string(port)


@contextmanager
def cosmosdb_server(workspace: Path) -> Iterator[str]:
    """The cosmosdb-server emulator on a free port (HTTPS, self-signed); yields its endpoint."""
    port = free_port()
    args = ["--host", HOST, "--port", str(port)]
    with running("cosmosdb-server", args, port=port, log=workspace / "cosmosdb-server.log"):
        yield f"https://{HOST}:{port}"
