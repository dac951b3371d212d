"""The embedded message bus: Service Bus semantics on one SQLite file.

Messages live in one table keyed by entity (a queue, a subscription path, or a
dead-letter path). Receiving takes a peek-lock: the message gets a new lock token and a
lock expiry, and its delivery count goes up; it is invisible until the lock expires,
it is abandoned, or it is settled. Every write is one ``BEGIN IMMEDIATE`` transaction,
so a batch is sent whole or not at all and two receivers never lock the same message.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.errors import InvalidInput, NotFound
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
    subscription_path,
    validate_outgoing,
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


def _add_lock_owner(db: SqliteDatabase) -> None:
    """The ``lock_owner`` column, added to a bus file made before it existed."""
    with db.write() as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(messages)")}
        if "lock_owner" not in columns:
            conn.execute("ALTER TABLE messages ADD COLUMN lock_owner TEXT")


_COLUMNS = (
    "seq, entity, message_id, body, subject, properties, enqueued_at, delivery_count, "
    "dead_letter_reason, dead_letter_description"
)
# A message is ready when it is due and nobody holds a live lock on it.
_READY = "entity = ? AND visible_at <= ? AND (locked_until IS NULL OR locked_until <= ?)"
_POLL_SECONDS = 0.05


def _process_identity(pid: int) -> str | None:
    """``pid:start`` of a live process (its start time in clock ticks since boot, from /proc, so a
    recycled pid is another process); None when no such process runs."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)  # no /proc (macOS): the pid alone, which is what there is
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return f"{pid}:"
    # The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    fields = stat.rsplit(")", 1)[1].split()
    return f"{pid}:{fields[19]}"


def _is_alive(owner: str) -> bool:
    pid, _, _ = owner.partition(":")
    return pid.isdigit() and _process_identity(int(pid)) == owner


class SqliteMessageBus(MessageBus):
    """Locks name the process that holds them; a bus opened in a new process first takes back the
    messages locked by processes that no longer run (a worker killed mid-transcode), so they are
    delivered again at once instead of when their lock would have expired. A take-back counts as a
    delivery, as a lock expiring does on Service Bus."""

    def __init__(self, path: str | Path, topology: BusTopology, *, clock: Clock | None = None) -> None:
        self._db = SqliteDatabase(path, _SCHEMA)
        _add_lock_owner(self._db)
        self._topology = topology
        self._clock = clock or SystemClock()
        self._owner = _process_identity(os.getpid()) or f"{os.getpid()}:"
        self.release_orphaned_locks()

    def release_orphaned_locks(self) -> int:
        """Unlock the messages whose lock holder is a process that no longer runs; how many."""
        with self._db.write() as db:
            held = db.execute(
                "SELECT seq, lock_owner FROM messages WHERE lock_token IS NOT NULL AND locked_until > ?",
                (self._now(),),
            ).fetchall()
            orphans = [seq for seq, owner in held if owner and owner != self._owner and not _is_alive(owner)]
            db.executemany(
                "UPDATE messages SET lock_token = NULL, locked_until = NULL, lock_owner = NULL WHERE seq = ?",
                [(seq,) for seq in orphans],
            )
        return len(orphans)

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _options(self, entity: str) -> EntityOptions:
        """The options of a receivable entity (a dead-letter queue shares its parent's)."""
        base = entity.removesuffix(DEAD_LETTER_SUFFIX)
        if base in self._topology.queues:
            return self._topology.queues[base]
        topic, _, sub = base.partition("/subscriptions/")
        subs = self._topology.topics.get(topic, {})
        if sub in subs:
            return subs[sub]
        raise NotFound(f"no bus entity {entity!r}")

    def _targets(self, entity: str) -> tuple[dict[str, EntityOptions], float]:
        """Where a send to ``entity`` may land (each with its options, whose filter says whether a
        message does), and its duplicate detection window."""
        if entity in self._topology.queues:
            return {entity: EntityOptions()}, self._topology.queues[entity].duplicate_window_seconds
        if entity not in self._topology.topics:
            raise NotFound(f"no queue or topic {entity!r}")
        subs = self._topology.topics[entity]
        # Azure keeps one window per topic; the widest subscription setting stands in for it.
        window = max(
            (o.duplicate_window_seconds for o in subs.values()), default=EntityOptions().duplicate_window_seconds
        )
        return {subscription_path(entity, s): options for s, options in subs.items()}, window

    def send(self, entity: str, messages: Sequence[OutgoingMessage]) -> None:
        """Send to a queue or topic; the whole batch is one transaction."""
        targets, window = self._targets(entity)
        for m in messages:
            validate_outgoing(m)
        now = self._now()
        with self._db.write() as db:
            db.execute("DELETE FROM sent_ids WHERE entity = ? AND sent_at <= ?", (entity, now - window))
            for m in messages:
                first = db.execute(
                    "INSERT OR IGNORE INTO sent_ids (entity, message_id, sent_at) VALUES (?, ?, ?)",
                    (entity, m.message_id, now),
                )
                if first.rowcount == 0:
                    continue  # a duplicate within the window: dropped, as Service Bus does
                visible = _timestamp(m.scheduled_at) if m.scheduled_at else now
                db.executemany(
                    "INSERT INTO messages (entity, message_id, body, subject, properties, enqueued_at, visible_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (t, m.message_id, m.body, m.subject, json.dumps(dict(m.properties)), now, visible)
                        for t, options in targets.items()
                        if options.admits(m)
                    ],
                )

    def receive(self, entity: str, *, max_messages: int = 10, max_wait_seconds: float = 0.0) -> list[ReceivedMessage]:
        """Peek-lock up to ``max_messages`` visible messages, oldest first, waiting up to ``max_wait_seconds``."""
        options = self._options(entity)
        if max_messages < 1:
            raise InvalidInput("max_messages must be at least 1")
        # Real time, not the injected clock: the wait is about this process, not message time.
        deadline = time.monotonic() + max_wait_seconds
        while True:
            received = self._lock_batch(entity, options, max_messages)
            remaining = deadline - time.monotonic()
            if received or remaining <= 0:
                return received
            time.sleep(min(_POLL_SECONDS, remaining))

    def _lock_batch(self, entity: str, options: EntityOptions, limit: int) -> list[ReceivedMessage]:
        now = self._now()
        with self._db.write() as db:
            # Service Bus moves a message out of deliveries when its last lock expires, so a
            # receive from the entity or from its dead-letter queue first catches up on that.
            _dead_letter_exhausted(db, entity.removesuffix(DEAD_LETTER_SUFFIX), options, now)
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM messages WHERE {_READY} ORDER BY seq LIMIT ?", (entity, now, now, limit)
            ).fetchall()
            received = []
            for row in rows:
                token = uuid.uuid4().hex
                db.execute(
                    "UPDATE messages SET delivery_count = delivery_count + 1, lock_token = ?, locked_until = ?, "
                    "lock_owner = ? WHERE seq = ?",
                    (token, now + options.lock_seconds, self._owner, row[0]),
                )
                received.append(_received(row, token))
        return received

    def _locked_seq(self, db: sqlite3.Connection, message: ReceivedMessage) -> tuple[int, int]:
        """The row (and its delivery count) that ``message`` still holds a live lock on."""
        row = db.execute(
            "SELECT seq, delivery_count FROM messages WHERE entity = ? AND lock_token = ? AND locked_until > ?",
            (message.entity, message.lock_token, self._now()),
        ).fetchone()
        if row is None:
            raise MessageLockLost(f"the lock on message {message.message_id!r} was lost")
        return int(row[0]), int(row[1])

    def complete(self, message: ReceivedMessage) -> None:
        """Remove a locked message for good."""
        with self._db.write() as db:
            seq, _ = self._locked_seq(db, message)
            db.execute("DELETE FROM messages WHERE seq = ?", (seq,))

    def renew_lock(self, message: ReceivedMessage) -> None:
        """Extend a live lock by the entity's lock duration from now."""
        with self._db.write() as db:
            seq, _ = self._locked_seq(db, message)
            lock_seconds = self._options(message.entity).lock_seconds
            db.execute("UPDATE messages SET locked_until = ? WHERE seq = ?", (self._now() + lock_seconds, seq))

    def abandon(self, message: ReceivedMessage) -> None:
        """Release the lock so the message is delivered again now (or dead-lettered if out of deliveries)."""
        with self._db.write() as db:
            seq, delivered = self._locked_seq(db, message)
            # Service Bus dead-letters at once the abandon of a message out of deliveries.
            exhausted = delivered >= self._options(message.entity).max_delivery_count
            if exhausted and not message.entity.endswith(DEAD_LETTER_SUFFIX):
                _move_to_dead_letters(db, seq, message.entity, MAX_DELIVERY_REASON, _exhausted(delivered))
                return
            db.execute("UPDATE messages SET lock_token = NULL, locked_until = NULL WHERE seq = ?", (seq,))

    def dead_letter(self, message: ReceivedMessage, reason: str, description: str = "") -> None:
        """Move a locked message to its entity's dead-letter queue, keeping reason and description."""
        if message.entity.endswith(DEAD_LETTER_SUFFIX):
            raise InvalidInput("a message of a dead-letter queue cannot be dead-lettered again")
        with self._db.write() as db:
            seq, _ = self._locked_seq(db, message)
            _move_to_dead_letters(db, seq, message.entity, reason, description)

    def ping(self) -> None:
        """Raise ``Unavailable`` if the bus file cannot be read."""
        self._db.ping()


def _timestamp(at: datetime) -> float:
    # A naive time is taken as UTC, as the Service Bus SDK does, never as the host's zone.
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def _dead_letter_exhausted(db: sqlite3.Connection, entity: str, options: EntityOptions, now: float) -> None:
    """Dead-letter the ready messages of ``entity`` that were delivered ``max_delivery_count`` times."""
    db.execute(
        f"UPDATE messages SET entity = ?, lock_token = NULL, locked_until = NULL, dead_letter_reason = ?, "
        f"dead_letter_description = ? WHERE {_READY} AND delivery_count >= ?",
        (
            entity + DEAD_LETTER_SUFFIX,
            MAX_DELIVERY_REASON,
            _exhausted(options.max_delivery_count),
            entity,
            now,
            now,
            options.max_delivery_count,
        ),
    )


def _exhausted(deliveries: int) -> str:
    return f"Message could not be consumed after {deliveries} delivery attempts."


def _move_to_dead_letters(db: sqlite3.Connection, seq: int, entity: str, reason: str, description: str) -> None:
    db.execute(
        "UPDATE messages SET entity = ?, lock_token = NULL, locked_until = NULL, dead_letter_reason = ?, "
        "dead_letter_description = ? WHERE seq = ?",
        (entity + DEAD_LETTER_SUFFIX, reason, description, seq),
    )


def _received(row: tuple[Any, ...], token: str) -> ReceivedMessage:
    properties: Mapping[str, str] = json.loads(row[5])
    return ReceivedMessage(
        entity=row[1],
        message_id=row[2],
        body=bytes(row[3]),
        subject=row[4],
        properties=properties,
        delivery_count=row[7] + 1,
        enqueued_at=datetime.fromtimestamp(row[6], UTC),
        lock_token=token,
        dead_letter_reason=row[8],
        dead_letter_description=row[9],
    )
