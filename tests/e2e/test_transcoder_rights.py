"""The transcoder job's Service Bus rights come from what its code does: a real transcode is run
with only the job's consumers (as ``python -m shared.worker --entity transcode`` runs them) over a
bus that records every entity sent to and received from, and the Bicep must grant exactly those
rights (plus the KEDA scaler's Manage on its queue) and nothing on any other entity. Likewise for
secrets: the job has Secrets Officer on the media keys vault only, so a transcode must run with the
platform's own secret store refusing every call."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from shared.media.model import TRANSCODE_QUEUE
from shared.platform.bus import MessageBus, OutgoingMessage, ReceivedMessage
from shared.platform.runtime import Platform
from shared.platform.secrets import SecretStore
from shared.roles import Role
from shared.worker import LocalWorker, bus_consumers, default_jobs
from tests.factories import published_course
from tests.media_clips import local, make_clip, needs_ffmpeg
from tests.unit.test_infra import job_bus_rights, job_grants

pytestmark = needs_ffmpeg


class RecordingBus:
    """The platform's bus, noting which entities were sent to and received from."""

    def __init__(self, inner: MessageBus) -> None:
        self._inner = inner
        self.used: dict[str, set[str]] = {}

    def _note(self, entity: str, right: str) -> None:
        self.used.setdefault(entity, set()).add(right)

    def send(self, entity: str, messages: Sequence[OutgoingMessage]) -> None:
        self._note(entity, "send")
        self._inner.send(entity, messages)

    def receive(self, entity: str, **kwargs: Any) -> list[ReceivedMessage]:
        self._note(entity, "receive")
        return self._inner.receive(entity, **kwargs)

    def __getattr__(self, name: str) -> Any:  # settle, renew: rights of the entity received from
        return getattr(self._inner, name)


class RefusingSecrets(SecretStore):
    """A vault the identity has no role on: every call is refused, and noted."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def get(self, name: str) -> str:
        self.calls.append(f"get {name}")
        raise PermissionError("no role on this vault")

    def set(self, name: str, value: str) -> None:
        self.calls.append(f"set {name}")
        raise PermissionError("no role on this vault")


class RecordingSecrets(SecretStore):
    def __init__(self, inner: SecretStore) -> None:
        self._inner = inner
        self.used: set[str] = set()

    def get(self, name: str) -> str:
        self.used.add("get")
        return self._inner.get(name)

    def set(self, name: str, value: str) -> None:
        self.used.add("set")
        self._inner.set(name, value)


def test_the_job_may_do_exactly_what_a_transcode_does_on_service_bus(
    client: TestClient, platform: Platform, make_tenant, tmp_path: Path
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    lesson = f"/api/v1/courses/{course['id']}/lessons/intro"
    clip = make_clip(tmp_path / "clip.mp4", seconds=2, width=320, height=240)
    ticket = client.post(
        f"{lesson}/video/upload-url", json={"filename": "clip.mp4"}, headers=tenant.as_(Role.INSTRUCTOR)
    )
    assert ticket.status_code == 201, ticket.text
    put = client.put(local(ticket.json()["uploadUrl"]), content=clip.read_bytes(), headers=ticket.json()["headers"])
    assert put.status_code == 201, put.text
    job = [c for c in bus_consumers() if c.entity == TRANSCODE_QUEUE]
    assert job, "no consumer of the transcode queue"
    # The function app's part (the upload trigger queues the transcode), without the transcoder's.
    LocalWorker(platform, [j for j in default_jobs() if getattr(j, "entity", None) != TRANSCODE_QUEUE]).run_until_idle()

    recording = RecordingBus(platform.bus)
    refusing, keys = RefusingSecrets(), RecordingSecrets(platform.content_keys)
    as_the_job = dataclasses.replace(platform, bus=recording, secrets=refusing, content_keys=keys)  # type: ignore[arg-type]
    LocalWorker(as_the_job, list(job)).run_until_idle()

    video = client.get(f"{lesson}/video", headers=tenant.as_(Role.INSTRUCTOR)).json()
    assert video["status"] == "ready", video
    # Secrets: the content key was created in the media keys vault; the platform's vault was never asked.
    assert refusing.calls == []
    assert keys.used == {"get", "set"}
    assert ("Key Vault Secrets Officer", "Microsoft.KeyVault/vaults", "mediaKeyVaultName") in job_grants()
    used = recording.used
    assert used[TRANSCODE_QUEUE] == {"receive"} and "send" in used.get("events", set())
    granted = job_bus_rights()
    for entity, rights in used.items():
        assert rights <= granted.get(entity, set()), f"the job's identity may not {rights} on {entity}"
    beyond = {e: r for e, r in granted.items() if e not in used}
    assert beyond == {}, f"rights the code never uses: {beyond}"
    # Owner on the transcode queue (for the KEDA scaler) gives send too; every other right is used.
    assert {e: r - used.get(e, set()) for e, r in granted.items() if r - used.get(e, set())} in (
        {},
        {TRANSCODE_QUEUE: {"send"}},
    )
