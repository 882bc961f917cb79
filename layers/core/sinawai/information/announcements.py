"""Announcements (/umumkan, /terkini): stored in MySQL with their delivery rows, and their texts.

A broadcast is one ``announcement_delivery`` row per recipient, written at once (``start_broadcast``);
``broadcast`` sends them and marks each row, so nobody gets the announcement twice.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sinawai.common.numbers import parse_int
from sinawai.common.text_limits import cut_escaped_utf16, utf16_len
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database, Row
from sinawai.platform.errors import DuplicateKeyError

# In UTF-16 code units, as Telegram counts (an emoji is two): the broadcast wraps the body in a header and
# a footer, and /terkini shows it under a date, both far under Telegram's 4096.
MAX_BODY_UTF16 = 3000
LATEST = 3


@dataclass(frozen=True)
class Announcement:
    id: int
    body: str  # Telegram HTML
    posted_by_name: str | None
    staff_chat_id: int
    posted_at: datetime
    broadcast_at: datetime | None
    withdrawn_at: datetime | None = None
    edited_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Row) -> Announcement:
        return cls(
            int(row["id"]),
            str(row["body"]),
            row["posted_by_name"],
            int(row["staff_chat_id"]),
            row["posted_at"],
            row["broadcast_at"],
            row["withdrawn_at"],
            row["edited_at"],
        )


_COLUMNS = "id, body, posted_by_name, staff_chat_id, posted_at, broadcast_at, withdrawn_at, edited_at"
STAFF_LIST = 5  # /umumkan without text: the recent announcements, each with its Ubah and Tarik buttons
AUDIT_EDITED = "announcement_edited"
AUDIT_WITHDRAWN = "announcement_withdrawn"


def post(
    db: Database,
    *,
    text: str,
    posted_by: int | None,
    posted_by_name: str | None,
    staff_chat_id: int,
    source_message_id: int | None,
    update_id: int,
) -> Announcement:
    """Store an announcement (plain text, escaped here); a retried update returns the stored one."""
    with contextlib.suppress(DuplicateKeyError):  # a retried update: its announcement is stored already
        db.execute(
            "INSERT INTO announcement (body, posted_by, posted_by_name, staff_chat_id, source_message_id,"
            " update_id, posted_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (
                html.escape(text.strip(), quote=False),
                posted_by,
                posted_by_name,
                staff_chat_id,
                source_message_id,
                update_id,
                utcnow(),
            ),
        )
    row = db.fetch_one(f"SELECT {_COLUMNS} FROM announcement WHERE update_id = %s", (update_id,))  # noqa: S608
    assert row is not None
    return Announcement.from_row(row)


def get(db: Database, announcement_id: int) -> Announcement | None:
    row = db.fetch_one(f"SELECT {_COLUMNS} FROM announcement WHERE id = %s", (announcement_id,))  # noqa: S608
    return Announcement.from_row(row) if row else None


def latest(db: Database, limit: int = LATEST) -> list[Announcement]:
    """The latest announcements not withdrawn, newest first (/terkini, and the staff group's list)."""
    rows = db.fetch_all(
        f"SELECT {_COLUMNS} FROM announcement WHERE withdrawn_at IS NULL"  # noqa: S608
        " ORDER BY posted_at DESC, id DESC LIMIT %s",
        (limit,),
    )
    return [Announcement.from_row(r) for r in rows]


def edit(db: Database, announcement_id: int, text: str) -> bool:
    """Replace the body (plain text, escaped here) of an announcement not withdrawn; False otherwise."""
    return (
        db.execute(
            "UPDATE announcement SET body = %s, edited_at = %s WHERE id = %s AND withdrawn_at IS NULL",
            (html.escape(text.strip(), quote=False), utcnow(), announcement_id),
        )
        == 1
    )


def withdraw(db: Database, announcement_id: int, by: int | None) -> bool:
    """Take an announcement off /terkini (the row stays); False when it was withdrawn already."""
    return (
        db.execute(
            "UPDATE announcement SET withdrawn_at = %s, withdrawn_by = %s"
            " WHERE id = %s AND withdrawn_at IS NULL",
            (utcnow(), by, announcement_id),
        )
        == 1
    )


def recipients_count(db: Database) -> int:
    row = db.fetch_one(
        "SELECT COUNT(*) AS n FROM pengguna WHERE id_telegram IS NOT NULL AND status = 'aktif'"
    )
    return int(row["n"]) if row else 0


def start_broadcast(db: Database, announcement_id: int) -> int | None:
    """Write one pending row per registered, active employee; None when it was broadcast (or withdrawn)
    already."""
    with db.transaction() as cur:
        cur.execute(
            "UPDATE announcement SET broadcast_at = %s WHERE id = %s AND broadcast_at IS NULL"
            " AND withdrawn_at IS NULL",
            (utcnow(), announcement_id),
        )
        if cur.rowcount != 1:
            return None
        cur.execute(
            "INSERT INTO announcement_delivery (announcement_id, chat_id)"
            " SELECT %s, id_telegram FROM pengguna WHERE id_telegram IS NOT NULL AND status = 'aktif'",
            (announcement_id,),
        )
        return int(cur.rowcount)


def pending(db: Database, announcement_id: int, chat_ids: Sequence[int] | None = None) -> list[int]:
    rows = db.fetch_all(
        "SELECT chat_id FROM announcement_delivery WHERE announcement_id = %s AND status = 'pending'"
        " ORDER BY chat_id",
        (announcement_id,),
    )
    found = [int(r["chat_id"]) for r in rows]
    if chat_ids is None:
        return found
    wanted = set(chat_ids)
    return [c for c in found if c in wanted]


def next_pending(db: Database, limit: int) -> tuple[int, list[int]] | None:
    """Up to ``limit`` pending recipients of the oldest broadcast that has any, or None."""
    rows = db.fetch_all(
        "SELECT announcement_id, chat_id FROM announcement_delivery WHERE status = 'pending'"
        " AND announcement_id = (SELECT MIN(announcement_id) FROM announcement_delivery"
        " WHERE status = 'pending') ORDER BY chat_id LIMIT %s",
        (limit,),
    )
    if not rows:
        return None
    return int(rows[0]["announcement_id"]), [int(r["chat_id"]) for r in rows]


def mark(db: Database, announcement_id: int, chat_id: int, status: str, error: str | None = None) -> None:
    db.execute(
        "UPDATE announcement_delivery SET status = %s, attempts = attempts + 1, error = %s, sent_at = %s"
        " WHERE announcement_id = %s AND chat_id = %s AND status = 'pending'",
        (status, error[:255] if error else None, utcnow(), announcement_id, chat_id),
    )


def counts(db: Database, announcement_id: int) -> dict[str, int]:
    rows = db.fetch_all(
        "SELECT status, COUNT(*) AS n FROM announcement_delivery WHERE announcement_id = %s GROUP BY status",
        (announcement_id,),
    )
    result = {"pending": 0, "sent": 0, "blocked": 0, "failed": 0}
    result.update({str(r["status"]): int(r["n"]) for r in rows})
    return result


def claim_summary(db: Database, announcement_id: int) -> bool:
    """True for the one caller that may send the summary: nothing pending, and no summary sent yet."""
    return (
        db.execute(
            "UPDATE announcement SET summary_sent_at = %s WHERE id = %s AND summary_sent_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM announcement_delivery"
            " WHERE announcement_id = %s AND status = 'pending')",
            (utcnow(), announcement_id, announcement_id),
        )
        == 1
    )


def release_summary(db: Database, announcement_id: int) -> None:
    db.execute("UPDATE announcement SET summary_sent_at = NULL WHERE id = %s", (announcement_id,))


# ---- rules ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EditRequest:
    announcement_id: int
    text: str


def parse_edit(given: str) -> EditRequest | None:
    """``ubah N TEKS`` (the words after /umumkan that start with "ubah"): the announcement and its new text;
    None when N is not a number or the text is missing."""
    parts = given.split(maxsplit=2)
    if len(parts) < 3 or parts[0].lower() != "ubah":
        return None
    announcement_id = parse_int(parts[1].lstrip("#"), minimum=1)
    text = parts[2].strip()
    return EditRequest(announcement_id, text) if announcement_id is not None and text else None


def is_edit(given: str) -> bool:
    """Whether the words after /umumkan ask for an edit (they start with the word "ubah")."""
    first = given.split(maxsplit=1)
    return bool(first) and first[0].lower() == "ubah"


# ---- texts ----------------------------------------------------------------------------------------------


def _angka(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def body_problem(text: str) -> str | None:
    """Why ``text`` (plain, as staff typed it) cannot be announced, for the staff group; None if it can."""
    length = utf16_len(text.strip())
    if length <= MAX_BODY_UTF16:
        return None
    return (
        f"Pengumuman terlalu panjang: {_angka(length)} karakter menurut hitungan Telegram (emoji dan "
        f"beberapa simbol dihitung 2), maksimal {_angka(MAX_BODY_UTF16)}. Silakan persingkat, atau bagi "
        "menjadi beberapa pengumuman, lalu kirim ulang."
    )


def shown_body(announcement: Announcement) -> str:
    """The body within MAX_BODY_UTF16 as shown; one stored before that was counted so is cut with "…"."""
    return cut_escaped_utf16(announcement.body, MAX_BODY_UTF16)


def broadcast_text(announcement: Announcement) -> str:
    return (
        f"📢 <b>Pengumuman Biro OSDM</b>\n\n{shown_body(announcement)}\n\n"
        "Pengumuman lainnya dapat dilihat dengan /terkini."
    )


def summary_text(announcement_id: int, result: dict[str, int]) -> str:
    return (
        f"📊 <b>Siaran pengumuman #{announcement_id} selesai.</b>\n"
        f"Terkirim: {result['sent']} · Memblokir bot: {result['blocked']} · Gagal: {result['failed']}"
    )
