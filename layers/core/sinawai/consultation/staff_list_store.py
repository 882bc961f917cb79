"""The burst's list messages in MySQL (the adapter of ``staff_list``): which 'list' items wait for the staff
group, which tickets each posted list shows, what it shows now, and the full question a take queues."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sinawai.consultation.outbox import OUTBOX_COLUMNS, OutboxItem, _outbox_item
from sinawai.consultation.staff_list import ListEntry
from sinawai.consultation.tickets import Status
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database, Row


@dataclass(frozen=True)
class PostedList:
    id: int
    staff_chat_id: int
    staff_message_id: int
    shown_digest: str | None


@contextmanager
def named_lock(db: Database, name: str, timeout: int = 30) -> Iterator[None]:
    """MySQL's named lock, for every instance; waits as long as it takes (in ``timeout`` s steps)."""
    while True:
        row = db.fetch_one("SELECT GET_LOCK(%s, %s) AS locked", (name, timeout))
        if row is not None and row["locked"] == 1:
            break
    try:
        yield
    finally:
        db.fetch_one("SELECT RELEASE_LOCK(%s) AS released", (name,))


@contextmanager
def group_lock(db: Database, staff_chat_id: int) -> Iterator[None]:
    """Held while a list message is made: two deliveries never post the same waiting ticket twice."""
    with named_lock(db, f"sinawai-list-{staff_chat_id}"):
        yield


@contextmanager
def list_lock(db: Database, list_id: int) -> Iterator[None]:
    """Held while a posted list is edited: what it shows is rendered and recorded one edit at a time."""
    with named_lock(db, f"sinawai-list-edit-{list_id}"):
        yield


def waiting(db: Database, staff_chat_id: int, limit: int) -> list[OutboxItem]:
    """The group's 'list' items still waiting, oldest first."""
    rows = db.fetch_all(
        f"SELECT {OUTBOX_COLUMNS} FROM staff_outbox WHERE staff_chat_id = %s AND kind = 'list'"  # noqa: S608
        " AND status = 'pending' ORDER BY id LIMIT %s",
        (staff_chat_id, limit),
    )
    return [_outbox_item(r) for r in rows]


# The entry of a ticket: its state now, and the question its 'list' item names (the private message as the
# webhook recorded it in ``pesan``: its text or caption, and what media it carried).
_ENTRY_SELECT = (
    "SELECT o.id AS outbox_id, t.id AS ticket_id, t.area, t.status, t.assigned_staff_name, t.nip,"
    " (SELECT p.isi_pesan FROM pesan p WHERE p.chat_id = o.from_chat_id AND p.id_pesan = o.private_message_id"
    "  AND p.direction = 'in' AND p.kind = 'message' ORDER BY p.id LIMIT 1) AS question,"
    " (SELECT p.data FROM pesan p WHERE p.chat_id = o.from_chat_id AND p.id_pesan = o.private_message_id"
    "  AND p.direction = 'in' AND p.kind = 'message' ORDER BY p.id LIMIT 1) AS question_data"
    " FROM staff_outbox o JOIN ticket t ON t.id = o.ticket_id"
)


def _entry(row: Row) -> ListEntry:
    media = None
    if row["question_data"]:
        data = row["question_data"]
        media = (json.loads(data) if isinstance(data, str | bytes) else data).get("media")
    return ListEntry(
        ticket_id=int(row["ticket_id"]),
        area=str(row["area"] or "umum"),
        status=Status(row["status"]),
        taken_by=row["assigned_staff_name"],
        guest=row["nip"] is None,
        text=row["question"],
        media=media,
    )


def entries_of_items(db: Database, items: Sequence[OutboxItem]) -> list[ListEntry]:
    """The entries of waiting 'list' items, in the items' order."""
    if not items:
        return []
    marks = ", ".join(["%s"] * len(items))
    rows = db.fetch_all(f"{_ENTRY_SELECT} WHERE o.id IN ({marks}) ORDER BY o.id", [i.id for i in items])
    return [_entry(r) for r in rows]


def entries_of_list(db: Database, list_id: int) -> list[ListEntry]:
    rows = db.fetch_all(
        f"{_ENTRY_SELECT} JOIN staff_list_entry e ON e.outbox_id = o.id WHERE e.list_id = %s"
        " ORDER BY e.position",
        (list_id,),
    )
    return [_entry(r) for r in rows]


def record_posted(
    db: Database, staff_chat_id: int, staff_message_id: int, items: Sequence[OutboxItem], shown_digest: str
) -> None:
    """The list message went out with ``items``: remembered with its tickets, the items sent, at once."""
    now = utcnow()
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO staff_list (staff_chat_id, staff_message_id, shown_digest, created_at)"
            " VALUES (%s, %s, %s, %s)",
            (staff_chat_id, staff_message_id, shown_digest, now),
        )
        list_id = int(cur.lastrowid)
        for position, item in enumerate(items):
            cur.execute(
                "INSERT INTO staff_list_entry (list_id, ticket_id, position, outbox_id)"
                " VALUES (%s, %s, %s, %s)",
                (list_id, item.ticket_id, position, item.id),
            )
            cur.execute(
                "UPDATE staff_outbox SET status = 'sent', staff_message_id = %s, sent_at = %s"
                " WHERE id = %s AND status = 'pending'",
                (staff_message_id, now, item.id),
            )


def _posted(row: Row) -> PostedList:
    return PostedList(
        id=int(row["id"]),
        staff_chat_id=int(row["staff_chat_id"]),
        staff_message_id=int(row["staff_message_id"]),
        shown_digest=row["shown_digest"],
    )


def lists_of_ticket(db: Database, ticket_id: int) -> list[PostedList]:
    """The list messages that show the ticket (one, unless an item was posted twice after a lost answer)."""
    rows = db.fetch_all(
        "SELECT l.id, l.staff_chat_id, l.staff_message_id, l.shown_digest FROM staff_list l"
        " JOIN staff_list_entry e ON e.list_id = l.id WHERE e.ticket_id = %s ORDER BY l.id",
        (ticket_id,),
    )
    return [_posted(r) for r in rows]


def posted_list(db: Database, list_id: int) -> PostedList | None:
    row = db.fetch_one(
        "SELECT id, staff_chat_id, staff_message_id, shown_digest FROM staff_list WHERE id = %s", (list_id,)
    )
    return _posted(row) if row else None


def is_list_message(db: Database, staff_chat_id: int, staff_message_id: int) -> bool:
    row = db.fetch_one(
        "SELECT id FROM staff_list WHERE staff_chat_id = %s AND staff_message_id = %s",
        (staff_chat_id, staff_message_id),
    )
    return row is not None


def set_shown(db: Database, list_id: int, shown_digest: str) -> None:
    db.execute("UPDATE staff_list SET shown_digest = %s WHERE id = %s", (shown_digest, list_id))


def queue_full_question(db: Database, ticket_id: int) -> bool:
    """A ticket taken from a list: its header and the copy of its question queued for the staff group, once
    (True when queued now; False when it did not come in a list, or they are queued or posted already)."""
    with db.transaction() as cur:
        cur.execute("SELECT header_message_id FROM ticket WHERE id = %s FOR UPDATE", (ticket_id,))
        ticket = cur.fetchone()
        if ticket is None or ticket["header_message_id"] is not None:
            return False
        cur.execute(
            "SELECT kind, staff_chat_id, from_chat_id, private_message_id FROM staff_outbox"
            " WHERE ticket_id = %s AND kind IN ('list', 'header') ORDER BY id",
            (ticket_id,),
        )
        rows = cur.fetchall()
        if not rows or any(r["kind"] == "header" for r in rows):
            return False
        listed = rows[0]
        now = utcnow()
        for kind in ("header", "question"):
            cur.execute(
                "INSERT INTO staff_outbox (ticket_id, kind, staff_chat_id, from_chat_id, private_message_id,"
                " created_at) VALUES (%s, %s, %s, %s, %s, %s)",
                (
                    ticket_id,
                    kind,
                    listed["staff_chat_id"],
                    None if kind == "header" else listed["from_chat_id"],
                    None if kind == "header" else listed["private_message_id"],
                    now,
                ),
            )
    return True
