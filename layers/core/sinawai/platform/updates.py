"""The update inbox: one row per update_id, durable before the webhook's 200; the claim (a lease) that
lets exactly one worker process an update; its steps, so a retry does not repeat a Telegram call; and the
sweep that dispatches again the updates whose worker is gone."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sinawai.platform.anatomy import chat_of
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database
from sinawai.platform.errors import DuplicateKeyError, TransactionConflictError
from sinawai.platform.message_log import dumps, insert_inbound
from sinawai.platform.redact import redact_update, stored_form

# Processing states of an update. A worker claims an update that was received or dispatched, one that
# failed fewer than MAX_ATTEMPTS times, or one whose claim is over: its lease (the worker's deadline plus
# a margin) ended without a result because the worker timed out, died, or could not record its failure.
MAX_ATTEMPTS = 3
CLAIM_ATTEMPTS = 3
ORDER_WAIT_SECONDS = 3.0  # how long a private message waits for its chat's earlier updates to finish
DEFAULT_LEASE_SECONDS = 45  # a worker that cannot tell its deadline (the functions' timeout is 30 s)
SEALED_TTL_SECONDS = 600  # the secret half of an update outlives Lambda's two retries (1 and 2 minutes)
SWEEP_AFTER_SECONDS = 120  # a received or dispatched update nobody claimed by then is dispatched again


# ---- update inbox -------------------------------------------------------------------------------------


def record_update(
    db: Database,
    update: Mapping[str, Any],
    *,
    group: str | None,
    chat_id: int | None,
    status: str,
    sealed: bytes | None = None,
) -> bool:
    """Store a delivered (redacted) update durably; return False when its update_id is already recorded.

    ``sealed`` is the secret half of an update that carried a password (see ``sinawai.platform.seal``)."""
    args = (update["update_id"], utcnow(), status, group, chat_id, dumps(stored_form(update)))
    try:
        if status == "ignored":
            with db.transaction() as cur:
                cur.execute(_INSERT_INBOX, (*args, None))
                insert_inbound(cur, update, group, secret_text=False)
        else:
            db.execute(_INSERT_INBOX, (*args, sealed))
    except DuplicateKeyError:
        return False
    return True


_INSERT_INBOX = (
    "INSERT INTO update_inbox (update_id, received_at, status, command_group, chat_id, payload, sealed)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


def count_ignored(db: Database, *, chat_type: str | None, kind: str) -> None:
    """Chatter the bot does not act on is counted per day, kind and chat type; its text is not kept."""
    db.execute(
        "INSERT INTO update_counter (day, chat_type, kind, n) VALUES (%s, %s, %s, 1)"
        " ON DUPLICATE KEY UPDATE n = n + 1",
        (utcnow().date(), (chat_type or "none")[:16], kind[:32]),
    )


def replace_sealed(db: Database, update_id: int, sealed: bytes) -> None:
    """A redelivery dispatched anew carries a new pad: its stored half must match it."""
    db.execute(
        "UPDATE update_inbox SET sealed = %s WHERE update_id = %s AND status = 'received'",
        (sealed, update_id),
    )


def inbox_status(db: Database, update_id: int) -> str | None:
    row = db.fetch_one("SELECT status FROM update_inbox WHERE update_id = %s", (update_id,))
    return str(row["status"]) if row else None


def mark_dispatched(db: Database, update_id: int) -> None:
    db.execute(
        "UPDATE update_inbox SET status = 'dispatched', dispatched_at = %s"
        " WHERE update_id = %s AND status = 'received'",
        (utcnow(), update_id),
    )


@dataclass(frozen=True)
class Claim:
    won: bool
    attempts: int = 0
    # The secret half the router kept of an update that carried a password, while it is fresh; None when
    # there is none or it was wiped (finished, or older than SEALED_TTL_SECONDS).
    sealed: bytes | None = None
    had_secret: bool = False  # a secret half was kept once (it may be wiped by now)
    busy: bool = False  # not won, and held under this same request id: see ClaimBusyError
    # Not won: the update's state, so that a re-drive can tell "done already" (nothing left to do) from
    # "another worker holds it" (not finished yet: the dead letter must stay until it is).
    status: str | None = None


def claim_update(
    db: Database,
    update: Mapping[str, Any],
    group: str,
    *,
    secret_text: bool,
    request_id: str | None = None,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
    replay: bool = False,
) -> Claim:
    """Take an update for processing, exactly once; log it as an incoming message in the same transaction.

    ``replay`` is an operator's explicit re-drive (``sinawai dlq redrive``): a failed update, or one whose
    last worker is gone, is taken whatever its attempts. It is accepted once: the replay takes the lease
    like any claim, so a second replay (another operator, the same record delivered twice) while it runs
    is a duplicate, and once the update is done no replay runs it again. A replay that fails leaves the
    update failed, for the next explicit re-drive. The claim is a lease of ``lease_seconds`` recorded with
    the invocation's ``request_id``.
    """
    for attempt in range(1, CLAIM_ATTEMPTS + 1):
        try:
            return _claim_once(
                db, update, group, secret_text=secret_text, request_id=request_id,
                lease_seconds=lease_seconds, replay=replay,
            )  # fmt: skip
        except TransactionConflictError:
            if attempt == CLAIM_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _claimable(row: Mapping[str, Any], now: datetime, replay: bool) -> bool:
    status = row["status"]
    if status in ("received", "dispatched"):
        return True
    if status == "failed":
        return replay or row["attempts"] < MAX_ATTEMPTS
    if status != "processing":
        return False  # done or ignored: never twice, not even on a replay
    lease_until = row["lease_until"]
    if lease_until is None:  # claimed before leases existed
        lease_until = (row["claimed_at"] or now) + timedelta(seconds=DEFAULT_LEASE_SECONDS)
    # Within the lease a worker may still be running: another request id is a second dispatch and is
    # skipped; the same one is either a duplicate of the running attempt or Lambda's retry of one that
    # died early, and is sent back to be retried later (Claim.busy). Lambda's retries come a minute or
    # more after the attempt ended, past the lease of a 30 s function, and so does the sweep.
    return lease_until <= now and (replay or row["attempts"] < MAX_ATTEMPTS)


def _claim_once(
    db: Database,
    update: Mapping[str, Any],
    group: str,
    *,
    secret_text: bool,
    request_id: str | None,
    lease_seconds: float,
    replay: bool,
) -> Claim:
    update_id = update["update_id"]
    now = utcnow()
    lease_until = now + timedelta(seconds=lease_seconds)
    redacted, _ = redact_update(update, secret_text=secret_text)
    with db.transaction() as cur:
        cur.execute(
            "SELECT status, attempts, claimed_at, lease_until, request_id, received_at, sealed"
            " FROM update_inbox WHERE update_id = %s FOR UPDATE",
            (update_id,),
        )
        row = cur.fetchone()
        if row is None:
            # Invoked directly (sam local invoke, a replay): record it now. Two invocations doing this at
            # once both find no row; the primary key lets one insert, the other retries and sees its claim.
            chat = chat_of(update)
            try:
                cur.execute(
                    "INSERT INTO update_inbox (update_id, received_at, status, command_group, chat_id,"
                    " payload, attempts, claimed_at, lease_until, request_id)"
                    " VALUES (%s, %s, 'processing', %s, %s, %s, 1, %s, %s, %s)",
                    (update_id, now, group, chat.get("id"), dumps(stored_form(redacted)), now, lease_until,
                     request_id),
                )  # fmt: skip
            except DuplicateKeyError as e:
                raise TransactionConflictError("update recorded concurrently") from e
            insert_inbound(cur, redacted, group, secret_text=False)
            return Claim(won=True, attempts=1)
        if not _claimable(row, now, replay):
            held = row["status"] == "processing" and request_id is not None
            busy = held and row["request_id"] == request_id
            return Claim(won=False, attempts=int(row["attempts"]), busy=busy, status=str(row["status"]))
        cur.execute(
            "UPDATE update_inbox SET status = 'processing', attempts = attempts + 1, claimed_at = %s,"
            " lease_until = %s, request_id = %s, command_group = %s WHERE update_id = %s",
            (now, lease_until, request_id, group, update_id),
        )
        if row["status"] in ("received", "dispatched"):
            insert_inbound(cur, redacted, group, secret_text=False)
        # else a retry: the incoming message is logged already
    sealed = row["sealed"]
    fresh = sealed is not None and (now - row["received_at"]).total_seconds() < SEALED_TTL_SECONDS
    return Claim(
        won=True,
        attempts=int(row["attempts"]) + 1,
        sealed=bytes(sealed) if fresh else None,
        had_secret=sealed is not None,
    )


def finish_update(db: Database, update_id: int, *, status: str = "done", error: str | None = None) -> None:
    """Close an update: ``done`` (possibly with a note why nothing was delivered) or ``failed``.

    A finished update's secret half is wiped; a failed one keeps it for Lambda's retry (and the sweep
    wipes it after SEALED_TTL_SECONDS)."""
    db.execute(
        "UPDATE update_inbox SET status = %s, finished_at = %s, error = %s, lease_until = NULL,"
        " sealed = IF(%s = 'done', NULL, sealed) WHERE update_id = %s",
        (status, utcnow(), error[:1000] if error else None, status, update_id),
    )


def earlier_unfinished(db: Database, chat_id: int, update_id: int) -> bool:
    """Is an earlier update of the chat (Telegram numbers them in order) received but not finished?"""
    row = db.fetch_one(
        "SELECT 1 AS one FROM update_inbox WHERE chat_id = %s AND update_id < %s"
        " AND status IN ('received', 'dispatched', 'processing') AND received_at > %s LIMIT 1",
        (chat_id, update_id, utcnow() - timedelta(seconds=60)),
    )
    return row is not None


# ---- the sweep: updates whose worker is gone ------------------------------------------------------------


@dataclass(frozen=True)
class StuckUpdate:
    update_id: int
    group: str
    payload: dict[str, Any]
    status: str


def stuck_updates(
    db: Database, *, limit: int = 200, older_than_seconds: float = SWEEP_AFTER_SECONDS
) -> list[StuckUpdate]:
    """Updates nobody is working on: received or dispatched long ago and never claimed, or claimed by a
    worker whose lease ended without a result (it timed out, crashed, or could not record its failure).
    ``older_than_seconds`` 0: every unclaimed one (``sinawai serve`` at start, the only worker)."""
    now = utcnow()
    rows = db.fetch_all(
        "(SELECT update_id, command_group, payload, status FROM update_inbox"
        "  WHERE status IN ('received', 'dispatched') AND received_at < %s AND command_group IS NOT NULL"
        "  ORDER BY received_at LIMIT %s)"
        " UNION ALL (SELECT update_id, command_group, payload, status FROM update_inbox"
        "  WHERE status = 'processing' AND lease_until < %s AND attempts < %s"
        "  AND command_group IS NOT NULL ORDER BY lease_until LIMIT %s)",
        (now - timedelta(seconds=older_than_seconds), limit, now, MAX_ATTEMPTS, limit),
    )
    return [
        StuckUpdate(int(r["update_id"]), str(r["command_group"]), json.loads(r["payload"]), str(r["status"]))
        for r in rows
    ]


def abandon_exhausted(db: Database) -> int:
    """Claims that ran out of attempts and whose last worker is gone become failed (for a re-drive)."""
    now = utcnow()
    return db.execute(
        "UPDATE update_inbox SET status = 'failed', finished_at = %s, lease_until = NULL,"
        " error = CONCAT('abandoned: no worker finished it in ', attempts, ' attempts')"
        " WHERE status = 'processing' AND lease_until < %s AND attempts >= %s",
        (now, now, MAX_ATTEMPTS),
    )


def wipe_stale_secrets(db: Database) -> int:
    """The secret half of an update is useless after SEALED_TTL_SECONDS: wipe it."""
    cutoff = utcnow() - timedelta(seconds=SEALED_TTL_SECONDS)
    return db.execute(
        "UPDATE update_inbox SET sealed = NULL WHERE status IN ('received', 'dispatched', 'processing',"
        " 'failed') AND received_at < %s AND sealed IS NOT NULL",
        (cutoff,),
    )


# ---- steps of an update's processing: what a Lambda retry must not do twice ----------------------------


def insert_step(cur: Any, update_id: int, step: str, result: int | None, now: datetime | None = None) -> None:
    cur.execute(
        "INSERT INTO update_step (update_id, step, result, created_at) VALUES (%s, %s, %s, %s)",
        (update_id, step, result, now or utcnow()),
    )


def step_done(db: Database, update_id: int, step: str) -> tuple[bool, int | None]:
    """(True, its result) when the update's step was completed by an earlier attempt."""
    row = db.fetch_one("SELECT result FROM update_step WHERE update_id = %s AND step = %s", (update_id, step))
    return (True, row["result"]) if row else (False, None)


def record_step(db: Database, update_id: int, step: str, result: int | None) -> None:
    with db.transaction() as cur:
        insert_step(cur, update_id, step, result)
