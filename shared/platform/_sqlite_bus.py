"""The embedded message bus: Service Bus semantics on one SQLite file.

Messages live in one table keyed by entity (a queue, a subscription path, or a
dead-letter path). Receiving takes a peek-lock: the message gets a new lock token and a
lock expiry, and its delivery count goes up; it is invisible until the lock expires,
it is abandoned, or it is settled.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.errors import NotFound
from shared.platform._sqlite import SqliteDatabase
from shared.platform.bus import (
    DEAD_LETTER_SUFFIX,
    MAX_DELIVERY_REASON,
    BusTopology,
    EntityOptions,
    MessageBus,
    MessageLockLost,
    OutgoingMessage,
    ReceivedMessage,
)
from shared.platform.clock import Clock, SystemClock

__all__ = ["SqliteMessageBus"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    message_id TEXT NOT NULL,
    body BLOB NOT NULL,
    subject TEXT,
    properties TEXT NOT NULL,
    enqueued_at REAL NOT NULL,
    visible_at REAL NOT NULL,
    delivery_count INTEGER NOT NULL DEFAULT 0,
    lock_token TEXT,
    locked_until REAL,
    dead_letter_reason TEXT,
    dead_letter_description TEXT
);
CREATE INDEX IF NOT EXISTS messages_ready ON messages (entity, visible_at, seq);
CREATE TABLE IF NOT EXISTS sent_ids (
    entity TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sent_at REAL NOT NULL,
    PRIMARY KEY (entity, message_id)
);
"""
_COLUMNS = (
    "seq, entity, message_id, body, subject, properties, enqueued_at, delivery_count, lock_token, "
    "dead_letter_reason, dead_letter_description"
)


class SqliteMessageBus(MessageBus):
    def __init__(self, path: str | Path, topology: BusTopology, *, clock: Clock | None = None) -> None:
        self._db = SqliteDatabase(path, _SCHEMA)
        self._topology = topology
        self._clock = clock or SystemClock()

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _options(self, entity: str) -> EntityOptions:
        base = entity.removesuffix(DEAD_LETTER_SUFFIX)
        if base in self._topology.queues:
            return self._topology.queues[base]
        topic, _, sub = base.partition("/subscriptions/")
        subs = self._topology.topics.get(topic, {})
        if sub in subs:
            return subs[sub]
        raise NotFound(f"no bus entity {entity!r}")

    def _targets(self, entity: str) -> list[str]:
        if entity in self._topology.queues:
            return [entity]
        if entity in self._topology.topics:
            return [f"{entity}/subscriptions/{s}" for s in self._topology.topics[entity]]
        raise NotFound(f"no queue or topic {entity!r}")

    def _is_duplicate(self, db: sqlite3.Connection, entity: str, message_id: str, now: float) -> bool:
        window = self._options(self._targets(entity)[0]).duplicate_window_seconds
        row = db.execute(
            "SELECT sent_at FROM sent_ids WHERE entity = ? AND message_id = ?", (entity, message_id)
        ).fetchone()
        if row is not None and row[0] > now - window:
            return True
        db.execute(
            "INSERT OR REPLACE INTO sent_ids (entity, message_id, sent_at) VALUES (?, ?, ?)",
            (entity, message_id, now),
        )
        return False

    def send(self, entity: str, messages: Sequence[OutgoingMessage]) -> None:
        """Send to a queue or topic (one transaction for the batch)."""
        targets = self._targets(entity)
        now = self._now()
        with self._db.write() as db:
            for m in messages:
                if self._is_duplicate(db, entity, m.message_id, now):
                    continue
                visible = m.scheduled_at.timestamp() if m.scheduled_at else now
                for target in targets:
                    db.execute(
                        "INSERT INTO messages (entity, message_id, body, subject, properties, enqueued_at, visible_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (target, m.message_id, m.body, m.subject, _props(m.properties), now, visible),
                    )
            db.execute("DELETE FROM sent_ids WHERE sent_at < ?", (now - 7 * 24 * 3600,))

    def receive(self, entity: str, *, max_messages: int = 10, max_wait_seconds: float = 0.0) -> list[ReceivedMessage]:
        """Peek-lock up to ``max_messages`` visible messages, oldest first."""
        options = self._options(entity)
        deadline = time.monotonic() + max_wait_seconds
        while True:
            received = self._lock_batch(entity, options, max(1, min(max_messages, 100)))
            if received or time.monotonic() >= deadline:
                return received
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))

    def _lock_batch(self, entity: str, options: EntityOptions, limit: int) -> list[ReceivedMessage]:
        now = self._now()
        dead_letters = entity.endswith(DEAD_LETTER_SUFFIX)
        received: list[ReceivedMessage] = []
        with self._db.write() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM messages WHERE entity = ? AND visible_at <= ? "
                "AND (locked_until IS NULL OR locked_until <= ?) ORDER BY seq LIMIT ?",
                (entity, now, now, limit * 4),
            ).fetchall()
            for row in rows:
                if len(received) == limit:
                    break
                if not dead_letters and row[7] >= options.max_delivery_count:
                    self._move_to_dead_letters(db, row[0], entity, MAX_DELIVERY_REASON, "")
                    continue
                token = uuid.uuid4().hex
                db.execute(
                    "UPDATE messages SET delivery_count = delivery_count + 1, lock_token = ?, locked_until = ? "
                    "WHERE seq = ?",
                    (token, now + options.lock_seconds, row[0]),
                )
                received.append(_received(row, token))
        return received

    @staticmethod
    def _move_to_dead_letters(db: sqlite3.Connection, seq: int, entity: str, reason: str, description: str) -> None:
        db.execute(
            "UPDATE messages SET entity = ?, lock_token = NULL, locked_until = NULL, dead_letter_reason = ?, "
            "dead_letter_description = ? WHERE seq = ?",
            (entity + DEAD_LETTER_SUFFIX, reason, description, seq),
        )

    def _locked_seq(self, db: sqlite3.Connection, message: ReceivedMessage) -> int:
        row = db.execute(
            "SELECT seq FROM messages WHERE entity = ? AND lock_token = ? AND locked_until > ?",
            (message.entity, message.lock_token, self._now()),
        ).fetchone()
        if row is None:
            raise MessageLockLost(f"the lock on message {message.message_id!r} was lost")
        return int(row[0])

    def complete(self, message: ReceivedMessage) -> None:
        """Remove a locked message."""
        with self._db.write() as db:
            db.execute("DELETE FROM messages WHERE seq = ?", (self._locked_seq(db, message),))

    def abandon(self, message: ReceivedMessage) -> None:
        """Release the lock so the message is delivered again now."""
        with self._db.write() as db:
            seq = self._locked_seq(db, message)
            db.execute("UPDATE messages SET lock_token = NULL, locked_until = NULL WHERE seq = ?", (seq,))

    def dead_letter(self, message: ReceivedMessage, reason: str, description: str = "") -> None:
        """Move a locked message to its entity's dead-letter queue."""
        if message.entity.endswith(DEAD_LETTER_SUFFIX):
            raise MessageLockLost("a dead-lettered message cannot be dead-lettered again")
        with self._db.write() as db:
            seq = self._locked_seq(db, message)
            self._move_to_dead_letters(db, seq, message.entity, reason, description)

    def ping(self) -> None:
        self._db.ping()


def _props(properties: Mapping[str, str]) -> str:
    return json.dumps(dict(properties))


def _received(row: tuple[Any, ...], token: str) -> ReceivedMessage:
    return ReceivedMessage(
        entity=row[1],
        message_id=row[2],
        body=bytes(row[3]),
        subject=row[4],
        properties=json.loads(row[5]),
        delivery_count=row[7] + 1,
        enqueued_at=datetime.fromtimestamp(row[6], UTC),
        lock_token=token,
        dead_letter_reason=row[9],
        dead_letter_description=row[10],
    )
