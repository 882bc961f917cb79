"""Which staff-group message belongs to which ticket (``ticket_message``): a reply to any of them is an
answer to that ticket, after any cold start."""

from __future__ import annotations

import contextlib
from typing import Literal

from sinawai.consultation import staff_list_store
from sinawai.consultation.store import Ticket, get
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database
from sinawai.platform.errors import DuplicateKeyError

MessageKind = Literal["header", "question", "followup", "answer", "notice", "note", "moved"]


def map_message(
    db: Database,
    ticket_id: int,
    staff_chat_id: int,
    staff_message_id: int,
    kind: MessageKind,
    private_message_id: int | None = None,
) -> None:
    with contextlib.suppress(DuplicateKeyError):  # a retry: the mapping is recorded already
        db.execute(
            "INSERT INTO ticket_message (ticket_id, staff_chat_id, staff_message_id, kind,"
            " private_message_id, created_at) VALUES (%s, %s, %s, %s, %s, %s)",
            (ticket_id, staff_chat_id, staff_message_id, kind, private_message_id, utcnow()),
        )


def ticket_of_staff_message(db: Database, staff_chat_id: int, staff_message_id: int) -> Ticket | None:
    row = db.fetch_one(
        "SELECT ticket_id FROM ticket_message WHERE staff_chat_id = %s AND staff_message_id = %s",
        (staff_chat_id, staff_message_id),
    )
    return get(db, int(row["ticket_id"])) if row else None


def kind_of(db: Database, staff_chat_id: int, staff_message_id: int) -> str | None:
    """How a staff-group message is mapped to its ticket (None: it is not)."""
    row = db.fetch_one(
        "SELECT kind FROM ticket_message WHERE staff_chat_id = %s AND staff_message_id = %s",
        (staff_chat_id, staff_message_id),
    )
    return None if row is None else str(row["kind"])


def anchor(db: Database, ticket: Ticket) -> int | None:
    """The staff-group message the ticket's later posts reply to: the notice in the area topic it was last
    moved to (CONSULTATION_FORUM_TOPICS=area: a reply cannot cross topics), else its header, else (a ticket
    of a burst's list not taken yet) the list message."""
    row = db.fetch_one(
        "SELECT staff_message_id FROM ticket_message WHERE ticket_id = %s AND staff_chat_id = %s"
        " AND kind = 'moved' ORDER BY id DESC LIMIT 1",
        (ticket.id, ticket.staff_chat_id),
    )
    if row:
        return int(row["staff_message_id"])
    if ticket.header_message_id is None and ticket.message_thread_id is None:
        # Still a line of a burst's list (nobody has taken it): its later posts reply to the list.
        lists = staff_list_store.lists_of_ticket(db, ticket.id)
        return lists[-1].staff_message_id if lists else None
    return ticket.header_message_id
