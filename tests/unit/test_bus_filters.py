"""Topic subscriptions are filtered to the event types their consumer handles: derived from the
specs, honoured by the embedded bus as Service Bus honours the subscription's SQL rule."""

from __future__ import annotations

from pathlib import Path

from shared.bootstrap import CONTEXTS, bus_topology, subscription_filters
from shared.platform._sqlite_bus import SqliteMessageBus
from shared.platform.bus import BusTopology, EntityOptions, OutgoingMessage, subscription_path
from shared.platform.topology import EVENT_SUBSCRIPTIONS, EVENTS_TOPIC


def _event(kind: str, n: int) -> OutgoingMessage:
    return OutgoingMessage.of_json({"type": kind}, message_id=f"{kind}-{n}", properties={"type": kind})


def test_the_embedded_bus_delivers_a_subscription_only_the_types_it_is_filtered_to(tmp_path: Path) -> None:
    topology = BusTopology(topics={"t": {"some": EntityOptions(event_types=frozenset({"A"})), "all": EntityOptions()}})
    bus = SqliteMessageBus(tmp_path / "bus.sqlite3", topology)
    bus.send("t", [_event("A", 1), _event("B", 2), OutgoingMessage(body=b"{}", message_id="untyped")])
    some = [m.message_id for m in bus.receive(subscription_path("t", "some"), max_messages=10)]
    every = [m.message_id for m in bus.receive(subscription_path("t", "all"), max_messages=10)]
    assert some == ["A-1"]
    assert sorted(every) == ["A-1", "B-2", "untyped"]


def test_every_events_subscription_has_one_consumer_whose_handlers_name_its_filter() -> None:
    filters = subscription_filters()
    assert set(filters) == {subscription_path(EVENTS_TOPIC, s) for s in EVENT_SUBSCRIPTIONS}
    assert all(filters.values()), "a subscription filtered to nothing would receive nothing"
    topics = bus_topology().topics[EVENTS_TOPIC]
    for name in EVENT_SUBSCRIPTIONS:
        assert topics[name].event_types == filters[subscription_path(EVENTS_TOPIC, name)]
    consumers = [c for spec in CONTEXTS for c in spec.consumers if c.entity.startswith(f"{EVENTS_TOPIC}/")]
    assert all(c.events is not None for c in consumers), "a subscription consumer without its handlers"
