"""A chat's pending conversation (a guided step) and whether the chat may be typing a password."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sinawai.platform.chat_state import ChatState
from sinawai.platform.clock import utcnow
from sinawai.platform.config import secret_grace_seconds
from sinawai.platform.db import Database
from sinawai.platform.message_log import dumps


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
    new = (
        group,
        state,
        dumps(data) if data else None,
        sensitive_input,
        utcnow() + timedelta(seconds=ttl_seconds),
    )
    # The new values are passed twice rather than read back with VALUES(col), which MySQL 8.0.20+ deprecates
    # (MariaDB has no "INSERT ... AS new" row alias to replace it): one statement for both servers.
    db.execute(
        "INSERT INTO conversation (chat_id, command_group, state, data, sensitive_input, expires_at)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON DUPLICATE KEY UPDATE command_group = %s, state = %s, data = %s,"
        " sensitive_input = %s, expires_at = %s",
        (chat_id, *new, *new),
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


# ---- chats that may be typing a password ----------------------------------------------------------------


def chat_state(db: Database, chat_id: int) -> ChatState:
    """The chat's pending conversation and secret step, in one round trip (the router asks per message)."""
    now = utcnow()
    row = db.fetch_one(
        "SELECT c.command_group, c.sensitive_input, s.step_until, s.closed_at, s.finished"
        " FROM (SELECT 1 AS one) k"
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
        grace_after_success=bool(row["finished"]),
    )


def open_secret_step(db: Database, chat_id: int, command: str, *, ttl_seconds: int = 600) -> None:
    """From now until ``ttl_seconds`` every message of the chat answers a secret step (see routing)."""
    now = utcnow()
    step_until = now + timedelta(seconds=ttl_seconds)
    grace_until = step_until + timedelta(seconds=secret_grace_seconds())
    db.execute(  # new values passed twice, not VALUES(col): see start_conversation
        "INSERT INTO sensitive_chat (chat_id, command, opened_at, step_until, closed_at, grace_until)"
        " VALUES (%s, %s, %s, %s, NULL, %s) ON DUPLICATE KEY UPDATE command = %s, opened_at = %s,"
        # a new step has not succeeded yet: an earlier success must not soften its grace period
        " step_until = %s, closed_at = NULL, grace_until = %s, finished = FALSE",
        (chat_id, command, now, step_until, grace_until, command, now, step_until, grace_until),
    )


def close_secret_step(db: Database, chat_id: int) -> None:
    """The secret step ended (finished or cancelled): a text in the grace period may still be a password."""
    now = utcnow()
    db.execute(
        "UPDATE sensitive_chat SET closed_at = %s, grace_until = %s WHERE chat_id = %s AND closed_at IS NULL",
        (now, now + timedelta(seconds=secret_grace_seconds()), chat_id),
    )


def finish_secret_step(db: Database, chat_id: int) -> None:
    """The password was accepted (registered, or changed): only a text shaped like a password (one word)
    is held in the grace period now; a sentence is a question and goes through."""
    now = utcnow()
    db.execute(
        "UPDATE sensitive_chat SET closed_at = COALESCE(closed_at, %s), grace_until = %s, finished = TRUE"
        " WHERE chat_id = %s",
        (now, now + timedelta(seconds=secret_grace_seconds()), chat_id),
    )


def drop_secret_step(db: Database, chat_id: int) -> None:
    """No password was asked after all (already registered, not registered): the chat is ordinary again."""
    db.execute("DELETE FROM sensitive_chat WHERE chat_id = %s", (chat_id,))


def secret_step_command(db: Database, chat_id: int) -> str | None:
    row = db.fetch_one("SELECT command FROM sensitive_chat WHERE chat_id = %s", (chat_id,))
    return str(row["command"]) if row else None
