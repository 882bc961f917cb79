"""The records every function shares: the update inbox, the message log (pesan) and conversations."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pymysql

from sinawai.db import Database
from sinawai.errors import TransactionConflictError
from sinawai.redact import redact_update
from sinawai.routing import MESSAGE_KINDS, Route, parse_command, update_kind

# Processing states of an update. A worker may claim an update that was received or dispatched, one that
# failed fewer than MAX_ATTEMPTS times, or one whose worker vanished (claimed longer ago than STALE_CLAIM).
MAX_ATTEMPTS = 3
STALE_CLAIM_SECONDS = 120
ER_DUP_ENTRY = 1062
CLAIM_ATTEMPTS = 3


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---- update inbox -------------------------------------------------------------------------------------


def record_update(db: Database, update: Mapping[str, Any], route: Route, *, status: str) -> bool:
    """Store a delivered update durably; return False when its update_id is already recorded."""
    try:
        if status == "ignored":
            with db.transaction() as cur:
                cur.execute(_INSERT_INBOX, _inbox_args(update, route, status))
                _insert_inbound(cur, update, route.group, secret_text=False)
        else:
            db.execute(_INSERT_INBOX, _inbox_args(update, route, status))
    except pymysql.err.IntegrityError as e:
        if e.args and e.args[0] == ER_DUP_ENTRY:
            return False
        raise
    return True


_INSERT_INBOX = (
    "INSERT INTO update_inbox (update_id, received_at, status, command_group, chat_id, payload)"
    " VALUES (%s, %s, %s, %s, %s, %s)"
)


def _inbox_args(update: Mapping[str, Any], route: Route, status: str) -> tuple[Any, ...]:
    return (update["update_id"], utcnow(), status, route.group, route.chat_id, _dumps(update))


def inbox_status(db: Database, update_id: int) -> str | None:
    row = db.fetch_one("SELECT status FROM update_inbox WHERE update_id = %s", (update_id,))
    return str(row["status"]) if row else None


def mark_dispatched(db: Database, update_id: int) -> None:
    db.execute(
        "UPDATE update_inbox SET status = 'dispatched', dispatched_at = %s"
        " WHERE update_id = %s AND status = 'received'",
        (utcnow(), update_id),
    )


def claim_update(db: Database, update: Mapping[str, Any], group: str, *, secret_text: bool) -> bool:
    """Take an update for processing, exactly once; log it as an incoming message in the same transaction.

    Returns False when another invocation already processed it or is processing it.
    """
    for attempt in range(1, CLAIM_ATTEMPTS + 1):
        try:
            return _claim_once(db, update, group, secret_text=secret_text)
        except TransactionConflictError:
            if attempt == CLAIM_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _claim_once(db: Database, update: Mapping[str, Any], group: str, *, secret_text: bool) -> bool:
    update_id = update["update_id"]
    now = utcnow()
    redacted, _ = redact_update(update, secret_text=secret_text)
    with db.transaction() as cur:
        cur.execute(
            "SELECT status, attempts, claimed_at FROM update_inbox WHERE update_id = %s FOR UPDATE",
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
                    " payload, attempts, claimed_at) VALUES (%s, %s, 'processing', %s, %s, %s, 1, %s)",
                    (update_id, now, group, chat.get("id"), _dumps(redacted), now),
                )
            except pymysql.err.IntegrityError as e:
                if e.args and e.args[0] == ER_DUP_ENTRY:
                    raise TransactionConflictError("update recorded concurrently") from e
                raise
        else:
            status, attempts, claimed_at = row["status"], row["attempts"], row["claimed_at"]
            stale = claimed_at is not None and (now - claimed_at).total_seconds() > STALE_CLAIM_SECONDS
            claimable = (
                status in ("received", "dispatched")
                or (status == "failed" and attempts < MAX_ATTEMPTS)
                or (status == "processing" and stale)
            )
            if not claimable:
                return False
            cur.execute(
                "UPDATE update_inbox SET status = 'processing', attempts = attempts + 1, claimed_at = %s,"
                " command_group = %s WHERE update_id = %s",
                (now, group, update_id),
            )
            if status not in ("received", "dispatched"):
                return True  # a retry: the incoming message is logged already
        _insert_inbound(cur, redacted, group, secret_text=False)
    return True


def finish_update(db: Database, update_id: int, *, status: str = "done", error: str | None = None) -> None:
    """Close an update: ``done`` (possibly with a note why nothing was delivered) or ``failed``."""
    db.execute(
        "UPDATE update_inbox SET status = %s, finished_at = %s, error = %s WHERE update_id = %s",
        (status, utcnow(), error[:1000] if error else None, update_id),
    )


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
