"""A user's notifications: told once per fact, seen only by that user, read state, and the event
stream that resumes after Last-Event-ID, beats, and ends within its bound (also through the
Functions ASGI bridge, which buffers whole responses)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import azure.functions as func
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.errors import InvalidInput
from shared.notifications.service import notify
from shared.notifications.stream import StreamTiming, stream_timing
from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.roles import Role

STREAM = "/api/v1/me/notifications/stream"
SSE = {"Accept": "text/event-stream"}


def tell(platform: Platform, tenant: str, user: str, key: str, *, title: str = "Hello") -> None:
    ctx = TenantContext(tenant_id=tenant, user_id="system:test", roles=frozenset())
    notify(platform, ctx, user, "certificate_ready", title, f"about {key}", "/api/v1/me/certificates", key)


def mine(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/me/notifications", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def parse_events(text: str) -> list[dict[str, Any]]:
    """The blocks of an event stream, each as its fields (comments under ':')."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        fields: dict[str, Any] = {}
        for line in block.split("\n"):
            name, _, value = line.partition(":")
            fields.setdefault(name, []).append(value.removeprefix(" "))
        events.append(fields)
    return events


def titles(events: list[dict[str, Any]]) -> list[str]:
    """The titles of the notifications among the events, in the order they were sent."""
    return [json.loads(e["data"][0])["title"] for e in events if "id" in e]


def streams_with(client: TestClient, timing: StreamTiming) -> FastAPI:
    """The client's app, its streams timed by ``timing``."""
    app = client.app
    assert isinstance(app, FastAPI)
    app.dependency_overrides[stream_timing] = lambda: timing
    return app


@dataclass
class FakeTime:
    """A stream's clock and sleep in fake time: sleeping moves it (and the platform clock) at once,
    and runs what the test scheduled for that moment."""

    clock: ManualClock
    now: float = 0.0
    at: dict[float, Callable[[], None]] = field(default_factory=dict)

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.clock.advance(seconds)
        for moment in [m for m in self.at if m <= self.now]:
            self.at.pop(moment)()

    def timing(self, **overrides: Any) -> StreamTiming:
        values: dict[str, Any] = {"bound_seconds": 10, "poll_seconds": 1, "heartbeat_seconds": 3, "settle_seconds": 0}
        return StreamTiming(**{**values, **overrides}, sleep=self.sleep, monotonic=self.monotonic)


def test_notifying_again_or_from_many_threads_at_once_stores_one_notification(
    client: TestClient, platform: Platform, make_tenant
) -> None:
    tenant = make_tenant()
    tell(platform, tenant.id, "lea", "cert-1")
    tell(platform, tenant.id, "lea", "cert-1")
    start = threading.Barrier(8)

    def racer() -> None:
        start.wait()
        tell(platform, tenant.id, "lea", "cert-2")

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    page = mine(client, tenant.as_(Role.LEARNER, "lea"))
    assert sorted(n["body"] for n in page["items"]) == ["about cert-1", "about cert-2"]
    assert page["unreadCount"] == 2


def test_an_unknown_kind_is_refused(platform: Platform) -> None:
    ctx = TenantContext(tenant_id="t-any", user_id="system:test", roles=frozenset())
    with pytest.raises(InvalidInput):
        notify(platform, ctx, "lea", "party_invitation", "Hi", "", None, "k")


def test_users_see_only_their_own_notifications_and_cannot_mark_anyone_elses(
    client: TestClient, platform: Platform, make_tenant, clock: ManualClock
) -> None:
    a, b = make_tenant(), make_tenant()
    tell(platform, a.id, "lea", "secret", title="For Lea only")
    clock.advance(3)  # settled: a stream would send it now
    lea, max_ = a.as_(Role.LEARNER, "lea"), a.as_(Role.LEARNER, "max")
    [note] = mine(client, lea)["items"]

    assert mine(client, max_) == {"items": [], "continuation": None, "unreadCount": 0}
    assert mine(client, b.as_(Role.LEARNER, "lea"))["items"] == []  # the same user id in another tenant
    for stranger in (max_, a.as_(Role.TENANT_ADMIN), b.as_(Role.LEARNER, "lea")):
        response = client.post(f"/api/v1/me/notifications/{note['id']}/read", headers=stranger)
        assert response.status_code == 404
        assert "For Lea only" not in client.get(STREAM, headers=stranger).text
    assert "For Lea only" in client.get(STREAM, headers=lea).text
    assert mine(client, lea)["items"][0]["read"] is False

    marked = client.post(f"/api/v1/me/notifications/{note['id']}/read", headers=lea)
    assert marked.status_code == 200 and marked.json()["read"] is True and marked.json()["readAt"]
    assert mine(client, lea)["unreadCount"] == 0


def test_the_list_is_newest_first_filters_unread_and_read_all_marks_the_rest(
    client: TestClient, platform: Platform, make_tenant, clock: ManualClock
) -> None:
    tenant = make_tenant()
    lea = tenant.as_(Role.LEARNER, "lea")
    for n in range(3):
        tell(platform, tenant.id, "lea", f"k{n}", title=f"n{n}")
        clock.advance(1)
    first = [n["title"] for n in mine(client, lea, limit=2)["items"]]
    assert first == ["n2", "n1"]
    oldest = mine(client, lea, limit=2)["continuation"]
    assert [n["title"] for n in mine(client, lea, limit=2, continuation=oldest)["items"]] == ["n0"]
    n1 = next(n for n in mine(client, lea)["items"] if n["title"] == "n1")
    assert client.post(f"/api/v1/me/notifications/{n1['id']}/read", headers=lea).status_code == 200

    unread = mine(client, lea, unread="true")
    assert [n["title"] for n in unread["items"]] == ["n2", "n0"] and unread["unreadCount"] == 2
    assert client.post("/api/v1/me/notifications/read-all", headers=lea).json() == {"marked": 2}
    assert mine(client, lea, unread="true") == {"items": [], "continuation": None, "unreadCount": 0}
    assert client.post("/api/v1/me/notifications/read-all", headers=lea).json() == {"marked": 0}


def test_the_stream_resumes_after_the_last_event_id_sends_new_ones_beats_and_ends_at_its_bound(
    client: TestClient, platform: Platform, make_tenant, clock: ManualClock
) -> None:
    tenant = make_tenant()
    lea = tenant.as_(Role.LEARNER, "lea")
    for n in range(3):
        tell(platform, tenant.id, "lea", f"k{n}", title=f"n{n}")
        clock.advance(1)
    seen = mine(client, lea)["items"][-1]  # n0, the oldest
    fake = FakeTime(clock, at={4.0: lambda: tell(platform, tenant.id, "lea", "k3", title="n3")})
    streams_with(client, fake.timing())

    response = client.get(STREAM, headers={**lea, **SSE, "Last-Event-ID": seen["seq"]})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_events(response.text)
    assert events[0] == {"retry": ["3000"]}  # the first thing a client hears: how soon to reconnect
    assert titles(events) == ["n1", "n2", "n3"]
    ids = [e["id"][0] for e in events if "id" in e]
    assert ids == sorted(ids) and seen["seq"] < ids[0]
    assert sum(1 for e in events if e.get("") == ["keep-alive"]) == 3  # at 3, 6 and 9 of 10 seconds
    assert fake.now == 10  # it ended at its bound, not before and not after


def test_a_stream_resumed_from_the_last_event_it_sent_repeats_nothing(
    client: TestClient, platform: Platform, make_tenant, clock: ManualClock
) -> None:
    tenant = make_tenant()
    lea = tenant.as_(Role.LEARNER, "lea")
    tell(platform, tenant.id, "lea", "k0", title="n0")
    streams_with(client, FakeTime(clock).timing(bound_seconds=2))
    first = parse_events(client.get(STREAM, headers={**lea, **SSE}).text)
    assert titles(first) == ["n0"]
    last_id = next(e["id"][0] for e in first if "id" in e)

    clock.advance(1)
    tell(platform, tenant.id, "lea", "k1", title="n1")
    after = client.get(STREAM, headers={**lea, **SSE}, params={"after": last_id})
    assert titles(parse_events(after.text)) == ["n1"]
    # EventSource keeps the URL it was opened with (an older ?after=) and adds Last-Event-ID: the header wins.
    beginning = "20000101T000000000000Z." + "0" * 32
    resumed = client.get(STREAM, headers={**lea, **SSE, "Last-Event-ID": last_id}, params={"after": beginning})
    assert titles(parse_events(resumed.text)) == ["n1"]


def test_a_notification_is_streamed_once_it_has_settled(
    client: TestClient, platform: Platform, make_tenant, clock: ManualClock
) -> None:
    tenant = make_tenant()
    lea = tenant.as_(Role.LEARNER, "lea")
    tell(platform, tenant.id, "lea", "k0", title="fresh")
    # Without an event stream Accept header the stream answers what is there and ends: here at once.
    started = time.monotonic()
    assert "fresh" not in client.get(STREAM, headers=lea).text  # younger than the default 2 s
    clock.advance(2)
    assert "fresh" in client.get(STREAM, headers=lea).text
    assert time.monotonic() - started < 5


def test_a_malformed_last_event_id_is_refused(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    response = client.get(STREAM, headers={**tenant.as_(Role.LEARNER), **SSE, "Last-Event-ID": "nonsense"})
    assert response.status_code == 422


def test_through_the_functions_bridge_the_stream_ends_as_soon_as_it_has_delivered(
    client: TestClient, platform: Platform, make_tenant, clock: ManualClock
) -> None:
    tenant = make_tenant()
    fake = FakeTime(clock, at={3.0: lambda: tell(platform, tenant.id, "lea", "k0", title="n0")})
    app = streams_with(client, fake.timing(bound_seconds=50))
    request = func.HttpRequest(
        method="GET",
        url=f"http://localhost{STREAM}",
        headers={**tenant.as_(Role.LEARNER, "lea"), **SSE},
        body=b"",
    )

    response = asyncio.run(func.AsgiMiddleware(app).handle_async(request))

    assert response.status_code == 200
    assert titles(parse_events(response.get_body().decode())) == ["n0"]
    # The bridge hands over the body only when it ends: it ended at the poll that found n0.
    assert fake.now == 3


# --- the stream ticket: EventSource cannot send the bearer token ----------------------------------

TICKETS = "/api/v1/me/notifications/stream-tickets"


def _ticket(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post(TICKETS, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["expiresIn"] == 300
    return str(response.json()["ticket"])


def test_a_stream_ticket_opens_its_holders_stream_without_a_header(
    client: TestClient, platform: Platform, make_tenant, clock: ManualClock
) -> None:
    tenant = make_tenant()
    tell(platform, tenant.id, "lea", "k0", title="for lea")
    tell(platform, tenant.id, "max", "k0", title="for max")
    clock.advance(3)
    ticket = _ticket(client, tenant.as_(Role.LEARNER, "lea"))

    response = client.get(STREAM, params={"ticket": ticket})

    assert response.status_code == 200
    assert "for lea" in response.text and "for max" not in response.text


def test_a_stream_ticket_is_refused_once_expired_altered_or_used_elsewhere(
    client: TestClient, make_tenant, clock: ManualClock
) -> None:
    tenant = make_tenant()
    ticket = _ticket(client, tenant.as_(Role.LEARNER, "lea"))
    body, _, signature = ticket.partition(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for bad in (f"{body}.{flipped}", f"x{ticket}", "no-dot", body + ".", "a" * 2001):
        response = client.get(STREAM, params={"ticket": bad})
        assert response.status_code in (401, 422), (bad[:20], response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get(STREAM).status_code == 401  # neither a token nor a ticket
    # A ticket opens the stream only: it is no bearer token for any other route.
    assert client.get("/api/v1/me/notifications", headers={"Authorization": f"Bearer {ticket}"}).status_code == 401
    clock.advance(301)
    assert client.get(STREAM, params={"ticket": ticket}).status_code == 401
