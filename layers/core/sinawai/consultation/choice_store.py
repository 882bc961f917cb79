"""The messages that wait for the employee's choice (``ticket_choice``) and the bot's private messages that
belong to a ticket (``ticket_private_message``), in MySQL: the adapter of ``choices``."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sinawai.consultation.store import TICKET_COLUMNS, Ticket
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database, Row
from sinawai.platform.errors import DuplicateKeyError

_COLUMNS = (
    "id, update_id, chat_id, nip, message_id, offered, prompt_message_id, status, choice, chosen_update_id,"
    " created_at, expires_at"
)


@dataclass(frozen=True)
class PendingMessage:
    id: int
    update_id: int
    chat_id: int
    nip: str
    message_id: int
    offered: tuple[int, ...]
    prompt_message_id: int | None
    status: Literal["menunggu", "dipilih"]
    choice: str | None
    chosen_update_id: int | None
    created_at: datetime
    expires_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> PendingMessage:
        return cls(
            id=int(row["id"]),
            update_id=int(row["update_id"]),
            chat_id=int(row["chat_id"]),
            nip=str(row["nip"]),
            message_id=int(row["message_id"]),
            offered=tuple(int(n) for n in json.loads(row["offered"])),
            prompt_message_id=row["prompt_message_id"],
            status=row["status"],
            choice=row["choice"],
            chosen_update_id=row["chosen_update_id"],
            created_at=row["created_at"],
            expires_at=row["expires_at"],
        )


def hold(
    db: Database,
    *,
    update_id: int,
    chat_id: int,
    nip: str,
    message_id: int,
    offered: Sequence[int],
    ttl: timedelta,
) -> PendingMessage:
    """Keep the message until the employee chooses (a retried update gets the row it kept already)."""
    now = utcnow()
    with contextlib.suppress(DuplicateKeyError):
        db.execute(
            "INSERT INTO ticket_choice (update_id, chat_id, nip, message_id, offered, created_at, expires_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (update_id, chat_id, nip, message_id, json.dumps(list(offered)), now, now + ttl),
        )
    row = db.fetch_one(f"SELECT {_COLUMNS} FROM ticket_choice WHERE update_id = %s", (update_id,))  # noqa: S608
    assert row is not None
    return PendingMessage.from_row(row)


def get(db: Database, choice_id: int) -> PendingMessage | None:
    row = db.fetch_one(f"SELECT {_COLUMNS} FROM ticket_choice WHERE id = %s", (choice_id,))  # noqa: S608
    return PendingMessage.from_row(row) if row else None


def set_prompt(db: Database, choice_id: int, message_id: int) -> None:
    db.execute("UPDATE ticket_choice SET prompt_message_id = %s WHERE id = %s", (message_id, choice_id))


def claim(db: Database, choice_id: int, choice: str, update_id: int) -> bool:
    """Decide the pending message once: True for the press that decided it (and for its retries); False
    when another press decided it already, or when it expired."""
    now = utcnow()
    changed = db.execute(
        "UPDATE ticket_choice SET status = 'dipilih', choice = %s, chosen_update_id = %s, decided_at = %s"
        " WHERE id = %s AND status = 'menunggu' AND expires_at > %s",
        (choice, update_id, now, choice_id, now),
    )
    if changed:
        return True
    row = db.fetch_one("SELECT chosen_update_id FROM ticket_choice WHERE id = %s", (choice_id,))
    return row is not None and row["chosen_update_id"] == update_id


def release(db: Database, choice_id: int, update_id: int) -> None:
    """Undo this press's claim (its new ticket was refused at the limit): the message waits again."""
    db.execute(
        "UPDATE ticket_choice SET status = 'menunggu', choice = NULL, chosen_update_id = NULL,"
        " decided_at = NULL WHERE id = %s AND chosen_update_id = %s",
        (choice_id, update_id),
    )


def held_since(db: Database, chat_id: int, since: datetime) -> int:
    """Messages of the chat held since ``since`` that still wait for a choice (for the rate limit)."""
    row = db.fetch_one(
        "SELECT COUNT(*) AS n FROM ticket_choice WHERE chat_id = %s AND status = 'menunggu'"
        " AND created_at > %s",
        (chat_id, since),
    )
    return int(row["n"]) if row else 0


def logged_text(db: Database, chat_id: int, message_id: int) -> str | None:
    """A message's text as the message log (``pesan``) recorded it; None for media or when purged."""
    row = db.fetch_one(
        "SELECT isi_pesan, data FROM pesan WHERE direction = 'in' AND chat_id = %s AND id_pesan = %s"
        " AND kind = 'message' ORDER BY id LIMIT 1",
        (chat_id, message_id),
    )
    if row is None or not row["isi_pesan"]:
        return None
    extra = json.loads(row["data"]) if row["data"] else {}
    return None if isinstance(extra, dict) and extra.get("media") else str(row["isi_pesan"])


# ---- the bot's private messages of a ticket --------------------------------------------------------------


def map_private(db: Database, chat_id: int, message_id: int, ticket_id: int) -> None:
    with contextlib.suppress(DuplicateKeyError):  # a retry: mapped already
        db.execute(
            "INSERT INTO ticket_private_message (chat_id, message_id, ticket_id, created_at)"
            " VALUES (%s, %s, %s, %s)",
            (chat_id, message_id, ticket_id, utcnow()),
        )


def ticket_of_private(db: Database, chat_id: int, message_id: int, nip: str) -> Ticket | None:
    """The NIP's ticket a bot message in its private chat belongs to: an acknowledgement or notice of the
    ticket, or a relayed staff answer (None: the message is no ticket's, or another NIP's)."""
    row = db.fetch_one(
        "SELECT ticket_id FROM ticket_private_message WHERE chat_id = %s AND message_id = %s",
        (chat_id, message_id),
    )
    if row is None:
        row = db.fetch_one(
            "SELECT tm.ticket_id FROM ticket_message tm JOIN ticket t ON t.id = tm.ticket_id"
            " WHERE tm.private_message_id = %s AND tm.kind = 'answer' AND t.nip = %s"
            " ORDER BY tm.id DESC LIMIT 1",
            (message_id, nip),
        )
    if row is None:
        return None
    found = db.fetch_one(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE id = %s AND nip = %s",  # noqa: S608
        (row["ticket_id"], nip),
    )
    return Ticket.from_row(found) if found else None
