"""The records every function shares: the update inbox, the message log (pesan) and conversations."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pymysql

from sinawai.config import secret_grace_seconds
from sinawai.db import Database
from sinawai.errors import ConfigurationError, TransactionConflictError
from sinawai.redact import redact_update, stored_form
from sinawai.routing import MESSAGE_KINDS, ChatState, Route, parse_command, update_kind

# Processing states of an update. A worker claims an update that was received or dispatched, one that
# failed fewer than MAX_ATTEMPTS times, or one whose claim is over: its lease (the worker's deadline plus
# a margin) ended without a result because the worker timed out, died, or could not record its failure.
MAX_ATTEMPTS = 3
ER_DUP_ENTRY = 1062
CLAIM_ATTEMPTS = 3
ORDER_WAIT_SECONDS = 3.0  # how long a private message waits for its chat's earlier updates to finish
DEFAULT_LEASE_SECONDS = 45  # a worker that cannot tell its deadline (the functions' timeout is 30 s)
SEALED_TTL_SECONDS = 600  # the secret half of an update outlives Lambda's two retries (1 and 2 minutes)
SWEEP_AFTER_SECONDS = 120  # a received or dispatched update nobody claimed by then is dispatched again


def lease_margin_seconds() -> float:
    """How long a claim holds beyond its worker's deadline (CLAIM_LEASE_MARGIN_SECONDS, default 10).

    Lambda's first retry of an asynchronous invocation comes a minute after it failed: past the lease of
    a 30 s function, so the retry takes the update over while a duplicate inside the lease does not."""
    raw = os.environ.get("CLAIM_LEASE_MARGIN_SECONDS", "").strip()
    try:
        return max(0.0, float(raw)) if raw else 10.0
    except ValueError as e:
        raise ConfigurationError(f"CLAIM_LEASE_MARGIN_SECONDS must be seconds, got {raw!r}") from e


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---- update inbox -------------------------------------------------------------------------------------


def record_update(
    db: Database, update: Mapping[str, Any], route: Route, *, status: str, sealed: bytes | None = None
) -> bool:
    """Store a delivered (redacted) update durably; return False when its update_id is already recorded.

    ``sealed`` is the secret half of an update that carried a password (see ``sinawai.seal``)."""
    args = (update["update_id"], utcnow(), status, route.group, route.chat_id, _dumps(stored_form(update)))
    try:
        if status == "ignored":
            with db.transaction() as cur:
                cur.execute(_INSERT_INBOX, (*args, None))
                _insert_inbound(cur, update, route.group, secret_text=False)
        else:
            db.execute(_INSERT_INBOX, (*args, sealed))
    except pymysql.err.IntegrityError as e:
        if e.args and e.args[0] == ER_DUP_ENTRY:
            return False
        raise
    return True


_INSERT_INBOX = (
    "INSERT INTO update_inbox (update_id, received_at, status, command_group, chat_id, payload, sealed)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


def count_ignored(db: Database, route: Route) -> None:
    """Chatter the bot does not act on is counted per day, kind and chat type; its text is not kept."""
    db.execute(
        "INSERT INTO update_counter (day, chat_type, kind, n) VALUES (%s, %s, %s, 1)"
        " ON DUPLICATE KEY UPDATE n = n + 1",
        (utcnow().date(), (route.chat_type or "none")[:16], route.kind[:32]),
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

    ``replay`` is an operator's explicit re-drive: a failed update is taken whatever its attempts.
    The claim is a lease of ``lease_seconds`` recorded with the invocation's ``request_id``.
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
                    (update_id, now, group, chat.get("id"), _dumps(stored_form(redacted)), now, lease_until,
                     request_id),
                )  # fmt: skip
            except pymysql.err.IntegrityError as e:
                if e.args and e.args[0] == ER_DUP_ENTRY:
                    raise TransactionConflictError("update recorded concurrently") from e
                raise
            _insert_inbound(cur, redacted, group, secret_text=False)
            return Claim(won=True, attempts=1)
        if not _claimable(row, now, replay):
            held = row["status"] == "processing" and request_id is not None
            busy = held and row["request_id"] == request_id
            return Claim(won=False, attempts=int(row["attempts"]), busy=busy)
        cur.execute(
            "UPDATE update_inbox SET status = 'processing', attempts = attempts + 1, claimed_at = %s,"
            " lease_until = %s, request_id = %s, command_group = %s WHERE update_id = %s",
            (now, lease_until, request_id, group, update_id),
        )
        if row["status"] in ("received", "dispatched"):
            _insert_inbound(cur, redacted, group, secret_text=False)
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


def stuck_updates(db: Database, *, limit: int = 200) -> list[StuckUpdate]:
    """Updates nobody is working on: received or dispatched long ago and never claimed, or claimed by a
    worker whose lease ended without a result (it timed out, crashed, or could not record its failure)."""
    now = utcnow()
    rows = db.fetch_all(
        "(SELECT update_id, command_group, payload, status FROM update_inbox"
        "  WHERE status IN ('received', 'dispatched') AND received_at < %s AND command_group IS NOT NULL"
        "  ORDER BY received_at LIMIT %s)"
        " UNION ALL (SELECT update_id, command_group, payload, status FROM update_inbox"
        "  WHERE status = 'processing' AND lease_until < %s AND attempts < %s"
        "  AND command_group IS NOT NULL ORDER BY lease_until LIMIT %s)",
        (now - timedelta(seconds=SWEEP_AFTER_SECONDS), limit, now, MAX_ATTEMPTS, limit),
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


# ---- chats that may be typing a password ----------------------------------------------------------------


def chat_state(db: Database, chat_id: int) -> ChatState:
    """The chat's pending conversation and secret step, in one round trip (the router asks per message)."""
    now = utcnow()
    row = db.fetch_one(
        "SELECT c.command_group, c.sensitive_input, s.step_until, s.closed_at FROM (SELECT 1 AS one) k"
        " LEFT JOIN conversation c ON c.chat_id = %s AND c.expires_at > %s"
        " LEFT JOIN sensitive_chat s ON s.chat_id = %s AND s.grace_until > %s",
        (chat_id, now, chat_id, now),
    )
    if row is None:  # pragma: no cover - the derived table always yields one row
        return ChatState()
    open_step = row["step_until"] is not None and row["closed_at"] is None and row["step_until"] > now
    return ChatState(
        conversation_group=row["command_group"],
        conversation_sensitive=bool(row["sensitive_input"]),
        secret_step=open_step,
        secret_grace=row["step_until"] is not None and not open_step,
    )


def open_secret_step(db: Database, chat_id: int, command: str, *, ttl_seconds: int = 600) -> None:
    """From now until ``ttl_seconds`` every message of the chat answers a secret step (see routing)."""
    now = utcnow()
    step_until = now + timedelta(seconds=ttl_seconds)
    db.execute(
        "INSERT INTO sensitive_chat (chat_id, command, opened_at, step_until, closed_at, grace_until)"
        " VALUES (%s, %s, %s, %s, NULL, %s) ON DUPLICATE KEY UPDATE command = VALUES(command),"
        " opened_at = VALUES(opened_at), step_until = VALUES(step_until), closed_at = NULL,"
        " grace_until = VALUES(grace_until)",
        (chat_id, command, now, step_until, step_until + timedelta(seconds=secret_grace_seconds())),
    )


def close_secret_step(db: Database, chat_id: int) -> None:
    """The secret step ended (finished or cancelled): a text in the grace period may still be a password."""
    now = utcnow()
    db.execute(
        "UPDATE sensitive_chat SET closed_at = %s, grace_until = %s WHERE chat_id = %s AND closed_at IS NULL",
        (now, now + timedelta(seconds=secret_grace_seconds()), chat_id),
    )


def drop_secret_step(db: Database, chat_id: int) -> None:
    """No password was asked after all (already registered, not registered): the chat is ordinary again."""
    db.execute("DELETE FROM sensitive_chat WHERE chat_id = %s", (chat_id,))


def secret_step_command(db: Database, chat_id: int) -> str | None:
    row = db.fetch_one("SELECT command FROM sensitive_chat WHERE chat_id = %s", (chat_id,))
    return str(row["command"]) if row else None


# ---- message log (pesan) ------------------------------------------------------------------------------


def chat_of(update: Mapping[str, Any]) -> Mapping[str, Any]:
    obj = update[update_kind(update)]
    if "chat" in obj:
        return dict(obj["chat"])
    message = obj.get("message")
    if isinstance(message, dict):
        return dict(message.get("chat") or {})
    return {}


def _display_name(user: Mapping[str, Any]) -> str | None:
    if not user:
        return None
    name = " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p)
    return name or user.get("username") or user.get("title")


_INSERT_PESAN = (
    "INSERT INTO pesan (waktu, direction, chat_id, chat_type, id_pengirim, pengirim, isi_pesan, data,"
    " id_pesan, update_id, kind, command, command_group) VALUES"
    " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _insert_inbound(cur: Any, update: Mapping[str, Any], group: str | None, *, secret_text: bool) -> None:
    if secret_text:
        update, _ = redact_update(update, secret_text=True)
    kind = update_kind(update)
    obj = update[kind]
    chat = chat_of(update)
    sender = obj.get("from") or obj.get("sender_chat") or {}
    text: str | None
    extra: dict[str, Any] = {}
    message_id = obj.get("message_id")
    command = None
    if kind == "callback_query":
        text = obj.get("data")
        message_id = (obj.get("message") or {}).get("message_id")
    elif kind in MESSAGE_KINDS:
        text = obj.get("text") or obj.get("caption")
        for media in ("photo", "document", "voice", "video", "sticker", "audio", "location", "contact"):
            if media in obj:
                extra["media"] = media
        if "forward_origin" in obj:
            extra["forwarded"] = True
        parsed = parse_command(obj.get("text") or "")
        command = parsed[0] if parsed else None
    else:
        text = None
        extra["update"] = kind
    cur.execute(
        _INSERT_PESAN,
        (
            utcnow(),
            "in",
            chat.get("id") or sender.get("id") or 0,
            chat.get("type"),
            sender.get("id"),
            _display_name(sender),
            text,
            _dumps(extra) if extra else None,
            message_id,
            update.get("update_id"),
            kind,
            command,
            group,
        ),
    )


@dataclass(frozen=True)
class OutboundMessage:
    method: str
    chat_id: int
    message_id: int | None
    text: str | None
    data: Mapping[str, Any] | None
    update_id: int | None
    group: str | None
    bot_id: int | None
    bot_name: str | None


def log_outbound(db: Database, message: OutboundMessage) -> None:
    db.execute(
        _INSERT_PESAN,
        (
            utcnow(),
            "out",
            message.chat_id,
            None,
            message.bot_id,
            message.bot_name,
            message.text,
            _dumps(message.data) if message.data else None,
            message.message_id,
            message.update_id,
            message.method,
            None,
            message.group,
        ),
    )


# ---- conversations ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingConversation:
    group: str
    state: str
    sensitive_input: bool


def pending_conversation(db: Database, chat_id: int) -> PendingConversation | None:
    row = db.fetch_one(
        "SELECT command_group, state, sensitive_input FROM conversation"
        " WHERE chat_id = %s AND expires_at > %s",
        (chat_id, utcnow()),
    )
    if row is None:
        return None
    return PendingConversation(str(row["command_group"]), str(row["state"]), bool(row["sensitive_input"]))


def start_conversation(
    db: Database,
    chat_id: int,
    group: str,
    state: str,
    *,
    data: Mapping[str, Any] | None = None,
    sensitive_input: bool = False,
    ttl_seconds: int = 600,
) -> None:
    """Set the chat's pending conversation; the router sends the chat's next plain text to ``group``."""
    now = utcnow()
    db.execute(
        "INSERT INTO conversation (chat_id, command_group, state, data, sensitive_input, expires_at)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON DUPLICATE KEY UPDATE command_group = VALUES(command_group),"
        " state = VALUES(state), data = VALUES(data), sensitive_input = VALUES(sensitive_input),"
        " expires_at = VALUES(expires_at)",
        (
            chat_id,
            group,
            state,
            _dumps(data) if data else None,
            sensitive_input,
            now + timedelta(seconds=ttl_seconds),
        ),
    )


def conversation_state(db: Database, chat_id: int, group: str) -> tuple[str, dict[str, Any]] | None:
    row = db.fetch_one(
        "SELECT state, data FROM conversation WHERE chat_id = %s AND command_group = %s AND expires_at > %s",
        (chat_id, group, utcnow()),
    )
    if row is None:
        return None
    return str(row["state"]), (json.loads(row["data"]) if row["data"] else {})


def end_conversation(db: Database, chat_id: int) -> bool:
    """End the chat's pending conversation; a secret step it held ends too (its grace period starts)."""
    close_secret_step(db, chat_id)
    return db.execute("DELETE FROM conversation WHERE chat_id = %s", (chat_id,)) > 0


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
