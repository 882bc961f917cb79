"""What ``sinawai serve`` keeps in MySQL: the getUpdates offset, the last run of each schedule, and the
lock that lets one server process run against a database at a time (migration 0024)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sinawai.platform import db as database
from sinawai.platform import updates
from sinawai.platform.clock import utcnow
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database

LOCK_NAME = "sinawai-serve"
RETRY_WITHIN = timedelta(hours=1)  # Lambda keeps an async event for retries up to an hour


class SchemaNotCurrentError(RuntimeError):
    """The tables of ``sinawai serve`` are missing: ``sinawai migrate`` has not run."""


def check_schema(db: Database) -> None:
    try:
        db.fetch_one("SELECT next_offset FROM poll_offset LIMIT 1")
        db.fetch_one("SELECT last_due FROM serve_schedule_run LIMIT 1")
    except Exception as e:  # a missing table (1146) or any schema error: the message says what to do
        if "1146" in str(e) or "doesn't exist" in str(e):
            raise SchemaNotCurrentError(str(e)) from e
        raise


# ---- the offset -----------------------------------------------------------------------------------------


def load_offset(db: Database, bot_id: int) -> int:
    """The next getUpdates offset of this bot (0: none stored yet, Telegram starts at the oldest update)."""
    row = db.fetch_one("SELECT next_offset FROM poll_offset WHERE bot_id = %s", (bot_id,))
    return int(row["next_offset"]) if row else 0


def save_offset(db: Database, bot_id: int, next_offset: int) -> None:
    """Never moves back: a late write of an older offset would make Telegram hand out updates again."""
    now = utcnow()
    db.execute(
        "INSERT INTO poll_offset (bot_id, next_offset, updated_at) VALUES (%s, %s, %s)"
        " ON DUPLICATE KEY UPDATE next_offset = GREATEST(next_offset, %s), updated_at = %s",
        (bot_id, next_offset, now, next_offset, now),
    )


# ---- schedules ------------------------------------------------------------------------------------------


def last_due(db: Database, name: str) -> datetime | None:
    """The due time (UTC, naive) a schedule last ran for."""
    row = db.fetch_one("SELECT last_due FROM serve_schedule_run WHERE name = %s", (name,))
    return row["last_due"] if row else None


def record_run(db: Database, name: str, due: datetime) -> None:
    now = utcnow()
    db.execute(
        "INSERT INTO serve_schedule_run (name, last_due, ran_at) VALUES (%s, %s, %s)"
        " ON DUPLICATE KEY UPDATE last_due = GREATEST(last_due, %s), ran_at = %s",
        (name, due, now, due, now),
    )


# ---- one server process per database ---------------------------------------------------------------------


class InstanceLock:
    """A MySQL named lock held on its own connection for the life of the process: a second ``sinawai
    serve`` against the same database is refused, and a killed one releases it (its connection closes)."""

    def __init__(self, settings: DatabaseSettings) -> None:
        self._settings = settings
        self._conn: Any = None

    @property
    def name(self) -> str:
        return f"{LOCK_NAME}:{self._settings.name}"

    def acquire(self) -> bool:
        conn = database.connect(self._settings)
        with conn.cursor() as cur:
            cur.execute("SELECT GET_LOCK(%s, 0) AS got", (self.name,))
            row = cur.fetchone()
        if not row or row["got"] != 1:
            conn.close()
            return False
        self._conn = conn
        return True

    def still_held(self) -> bool:
        """Checked on every round of the loop: the lock's session may have died with a network blip or a
        database restart (the lock with it). Then it is taken again; False when another server took it.
        While MySQL cannot be reached, True: nothing can be processed anyway, and the next round asks."""
        try:
            if self._conn is not None:
                with self._conn.cursor() as cur:
                    cur.execute("SELECT IS_USED_LOCK(%s) = CONNECTION_ID() AS mine", (self.name,))
                    row = cur.fetchone()
                if row and row["mine"] == 1:
                    return True
            self.release()
            return self.acquire()
        except Exception:  # the session is gone and MySQL is not back yet (any driver error)
            self.release()
            return True

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and conn.open:
            # closing the session releases the lock; one closed by a broken network has nothing left
            with contextlib.suppress(Exception):
                conn.close()


def release_leases(db: Database) -> int:
    """Under the instance lock, every claim still under its lease belongs to a process that is gone (the
    previous ``sinawai serve``, killed): its lease ends now, so the update is processed at once."""
    now = utcnow()
    return db.execute(
        "UPDATE update_inbox SET lease_until = %s WHERE status = 'processing' AND lease_until >= %s",
        (now - timedelta(seconds=1), now - timedelta(seconds=1)),
    )


@dataclass(frozen=True)
class FailedUpdate:
    update_id: int
    group: str
    payload: dict[str, Any]
    attempts: int


def failed_to_retry(db: Database, *, within: timedelta = RETRY_WITHIN) -> list[FailedUpdate]:
    """Updates that failed with tries left, recently: their retries (1 and 2 minutes later, kept in
    memory) died with the previous process; they are tried again at start, as Lambda would have."""
    rows = db.fetch_all(
        "SELECT update_id, command_group, payload, attempts FROM update_inbox"
        " WHERE status = 'failed' AND attempts < %s AND finished_at > %s AND command_group IS NOT NULL"
        " ORDER BY update_id LIMIT 200",
        (updates.MAX_ATTEMPTS, utcnow() - within),
    )
    return [
        FailedUpdate(
            int(r["update_id"]), str(r["command_group"]), json.loads(r["payload"]), int(r["attempts"])
        )
        for r in rows
    ]
