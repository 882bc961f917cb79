"""A known week of activity for the report tests: Monday 28 December 2026 and the seven days before it.

Working hours are the default (Mon–Thu 07:30–16:00, Fri 07:30–16:30, WIB); Friday 25 December 2026 is
a national holiday (Hari Raya Natal). Every expected value in the tests is computed by hand from the rows
here; the comments give the arithmetic.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sinawai.platform.db import Database

WIB = ZoneInfo("Asia/Jakarta")
DAY = date(2026, 12, 28)  # Monday
MANAGERS = -1001000000002

BUDI, SITI, ANDI, DEWI = 7001, 7002, 7003, 7004
RINA, JOKO = 8001, 8002
NIP = {
    BUDI: "199001172015031001",
    SITI: "199203042016042002",
    ANDI: "198805052010011003",
    DEWI: "198101012005012004",
}


def wib(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A WIB wall-clock moment of December 2026 as the naive UTC the database stores."""
    local = datetime(2026, month, day, hour, minute, second, tzinfo=WIB)
    return local.astimezone(UTC).replace(tzinfo=None)


def dec(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return wib(12, day, hour, minute, second)


def _people(db: Database) -> None:
    rows = [
        (BUDI, "Budi Santoso", "Biro Umum", "pegawai"),
        (SITI, "Siti Aminah", "Biro Keuangan", "pegawai"),
        (ANDI, "Andi Wijaya", "Biro Hukum", "pegawai"),
        (DEWI, "Dewi Lestari", "Biro OSDM", "admin"),
    ]
    for telegram_id, nama, unit, role in rows:
        db.execute(
            "INSERT INTO pengguna (nip, nama, unit_kerja, id_telegram, hak_pengguna)"
            " VALUES (%s, %s, %s, %s, %s)",
            (NIP[telegram_id], nama, unit, telegram_id, role),
        )


def _ticket(db: Database, who: int, status: str, created: datetime, **columns: Any) -> int:
    names = ["nip", "chat_id", "status", "staff_chat_id", "created_at", *columns]
    values = [NIP[who], who, status, -1001000000001, created, *columns.values()]
    db.execute(
        f"INSERT INTO ticket ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",
        tuple(values),
    )
    row = db.fetch_one("SELECT MAX(id) AS id FROM ticket")
    assert row is not None
    return int(row["id"])


def _answered(db: Database, ticket: int, staff: int, name: str, when: datetime) -> None:
    db.execute(
        "INSERT INTO ticket_event (ticket_id, waktu, event, actor_type, actor_id, actor_name)"
        " VALUES (%s, %s, 'answered', 'staf', %s, %s)",
        (ticket, when, staff, name),
    )


def _message(db: Database, when: datetime, direction: str, chat: int, chat_type: str, **extra: Any) -> None:
    db.execute(
        "INSERT INTO pesan (waktu, direction, chat_id, chat_type, kind, command, command_group)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (
            when,
            direction,
            chat,
            chat_type,
            extra.get("kind", "message" if direction == "in" else "sendMessage"),
            extra.get("command"),
            extra.get("group"),
        ),
    )


def seed(db: Database) -> dict[str, int]:
    """Insert the week; return the ticket ids by name (T1…T9)."""
    _people(db)
    t: dict[str, int] = {}
    # T1: Thursday 24th 15:00 → first answer Monday 09:00: Thu 1.0 h + (Fri holiday, weekend) + Mon 1.5 h
    # = 2.5 h; closed Monday 10:00: 1.0 + 2.5 = 3.5 h; rated 5 on Monday.
    t["T1"] = _ticket(
        db, BUDI, "selesai", dec(24, 15),
        first_answer_at=dec(28, 9), last_answer_at=dec(28, 9), closed_at=dec(28, 10),
        rating=5, rated_at=dec(28, 10, 5),
    )  # fmt: skip
    # T2: Saturday 26th 20:00 → first answer Monday 08:30: 1.0 h; closed Monday 14:00: 6.5 h; rated 2.
    t["T2"] = _ticket(
        db, SITI, "selesai", dec(26, 20),
        first_answer_at=dec(28, 8, 30), last_answer_at=dec(28, 8, 30), closed_at=dec(28, 14),
        rating=2, rated_at=dec(28, 14, 30), rating_comment="Jawaban kurang jelas <b>& lambat</b>",
    )  # fmt: skip
    # T3: Monday 09:00 → first answer Monday 15:00: 6.0 h; still open (dijawab).
    t["T3"] = _ticket(
        db, ANDI, "dijawab", dec(28, 9), first_answer_at=dec(28, 15), last_answer_at=dec(28, 15, 30)
    )
    # T4: Monday 11:00, not answered: waiting 11:00–16:00 = 5.0 h at the end of Monday.
    t["T4"] = _ticket(db, BUDI, "baru", dec(28, 11))
    # T5: Wednesday 23rd 10:00, not answered: Wed 6.0 + Thu 8.5 + Mon 8.5 = 23.0 h (over the 8 h target).
    t["T5"] = _ticket(db, SITI, "baru", dec(23, 10))
    # T6: Tuesday 22nd 08:00 → first answer Monday 12:00: Tue 8.0 + Wed 8.5 + Thu 8.5 + Mon 4.5 = 29.5 h.
    t["T6"] = _ticket(
        db, ANDI, "dijawab", dec(22, 8), first_answer_at=dec(28, 12), last_answer_at=dec(28, 13)
    )
    # T7: Monday 21st 10:00 → answered 11:00 (1.0 h), closed Tuesday 22nd 09:00 (6.0 + 1.5 = 7.5 h);
    # rated 1 on Monday 28th, with a comment.
    t["T7"] = _ticket(
        db, BUDI, "selesai", dec(21, 10),
        first_answer_at=dec(21, 11), last_answer_at=dec(21, 11), closed_at=dec(22, 9),
        rating=1, rated_at=dec(28, 8), rating_comment="Tidak membantu",
    )  # fmt: skip
    # T8: Monday 07:45 → first answer 08:15 (0.5 h), closed 16:30, after hours: 07:45–16:00 = 8.25 h.
    t["T8"] = _ticket(
        db, SITI, "selesai", dec(28, 7, 45),
        first_answer_at=dec(28, 8, 15), last_answer_at=dec(28, 8, 15), closed_at=dec(28, 16, 30),
    )  # fmt: skip
    # T9: Monday 13:00, answered and closed on Tuesday 29th: at the end of Monday open, waiting 3.0 h.
    t["T9"] = _ticket(
        db, ANDI, "selesai", dec(28, 13),
        first_answer_at=dec(29, 8), last_answer_at=dec(29, 8), closed_at=dec(29, 9),
    )  # fmt: skip

    # Staff answers on Monday: Rina 3 (T1, T2, T3), Joko 4 (T6 twice, T8, T3); Rina's on Tuesday not counted.
    for ticket, when in (("T1", dec(28, 9)), ("T2", dec(28, 8, 30)), ("T3", dec(28, 15))):
        _answered(db, t[ticket], RINA, "Rina", when)
    for ticket, when in (
        ("T6", dec(28, 12)),
        ("T6", dec(28, 13)),
        ("T8", dec(28, 8, 15)),
        ("T3", dec(28, 15, 30)),
    ):
        _answered(db, t[ticket], JOKO, "Joko", when)
    _answered(db, t["T9"], RINA, "Rina", dec(29, 8))
    _answered(db, t["T7"], RINA, "Rina", dec(21, 11))

    # Messages on Monday: 7 in (3 private chats), 5 out. The two boundary rows belong to Sunday and Tuesday.
    _message(db, dec(28, 8), "in", BUDI, "private", command="start", group="general")
    _message(db, dec(28, 11), "in", BUDI, "private", group="consultation")
    _message(db, dec(28, 9), "in", SITI, "private", command="daftar", group="registration")
    _message(db, dec(28, 9, 1), "in", SITI, "private", group="registration")
    _message(db, dec(28, 10), "in", ANDI, "private", command="start", group="general")
    _message(db, dec(28, 10, 30), "in", MANAGERS, "supergroup", command="laporan", group="report")
    _message(db, dec(28, 12), "in", BUDI, "private", kind="edited_message")
    for minute in range(5):
        _message(db, dec(28, 8, minute), "out", BUDI, "private", group="general")
    _message(db, dec(27, 23, 59, 59), "in", BUDI, "private", command="start", group="general")
    _message(db, dec(29, 0, 0, 0), "in", BUDI, "private", command="start", group="general")
    # The week before: 13 more in on Tuesday 22nd → 14 in over 7 days, 2.0 a day.
    for minute in range(13):
        _message(db, dec(22, 9, minute), "in", SITI, "private", group="consultation")

    # Registrations on Monday: 1 success, 3 failures, 1 lockout, 1 refused while locked (not a lockout).
    audit = [("register_success", dec(28, 9, 2), SITI)]
    audit += [("register_failure", dec(28, 10, minute), ANDI) for minute in range(3)]
    audit += [("lockout", dec(28, 10, 6), ANDI), ("register_locked", dec(28, 10, 7), ANDI)]
    audit += [("register_success", dec(29, 0, 30), ANDI)]
    for event, when, who in audit:
        db.execute(
            "INSERT INTO audit_log (waktu, event, telegram_user_id, chat_id, nip)"
            " VALUES (%s, %s, %s, %s, %s)",
            (when, event, who, who, NIP[who]),
        )

    # FAQ on Monday: 3 answered, 1 forwarded, 2 without a match, 1 waiting → 3 of 6 decided = 50 %.
    # The week before: 4 answered (100 %).
    faq = ["terjawab"] * 3 + ["diteruskan"] + ["tanpa_kecocokan"] * 2 + ["menunggu"]
    for n, outcome in enumerate(faq):
        db.execute(
            "INSERT INTO faq_offer (chat_id, outcome, offered_at, best_score) VALUES (%s, %s, %s, 70)",
            (BUDI, outcome, dec(28, 9, n)),
        )
    for n in range(4):
        db.execute(
            "INSERT INTO faq_offer (chat_id, outcome, offered_at) VALUES (%s, 'terjawab', %s)",
            (SITI, dec(23, 9, n)),
        )
    # Information topics on Monday: mutasi 2, jahdis 1, terkini 1.
    for area, topic in (("mutasi", "syarat"), ("mutasi", None), ("jahdis", "diklat"), ("terkini", "edaran")):
        db.execute(
            "INSERT INTO content_view (chat_id, area, topic_id, via, viewed_at)"
            " VALUES (%s, %s, %s, 'button', %s)",
            (BUDI, area, topic, dec(28, 10)),
        )
    # Documents on Monday: 2 of "Formulir Cuti Tahunan" (formulir, uploaded), 1 of a document deleted since
    # (without a category, sent as a temporary link); on Sunday 1 (sent again from the file Telegram kept).
    db.execute(
        "INSERT INTO document (category, title, s3_key, file_name, size_bytes, added_at)"
        " VALUES ('formulir', 'Formulir Cuti Tahunan', 'documents/formulir/cuti.pdf', 'cuti.pdf', 1000, %s)",
        (dec(20, 9),),
    )
    (doc,) = db.fetch_all("SELECT id FROM document WHERE title = 'Formulir Cuti Tahunan'")
    doc_id = int(doc["id"])
    for document_id, category, method, when in (
        (doc_id, "formulir", "upload", dec(28, 9)),
        (doc_id, "formulir", "upload", dec(28, 10)),
        (99999, None, "link", dec(28, 11)),
        (doc_id, "formulir", "file_id", dec(27, 10)),
    ):
        db.execute(
            "INSERT INTO document_send (document_id, category, chat_id, method, sent_at)"
            " VALUES (%s, %s, %s, %s, %s)",
            (str(document_id), category, BUDI, method, when),
        )
    return t
