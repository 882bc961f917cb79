"""Guest tickets (issue 14 item 2: no NIP, the asking account instead) in every place that reads tickets
by NIP: the retention purge, the evaluation report, and the data subject's export and erasure. Real
MariaDB; rows written as guest_store writes them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sinawai.consultation import guest_store, store
from sinawai.consultation.ticket_events import Actor
from sinawai.platform import retention
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.platform.retention import RetentionPolicy
from sinawai.privacy import store as privacy_store
from sinawai.report import store as report_store
from sinawai.report.period import Period
from tests.helpers import query

STAFF = -1001000000001
GUEST = 7301  # an account bound to no NIP
EMPLOYEE_ACCOUNT = 7302  # asked as a guest, then registered
NIP = "199001172015031001"
ZONE = ZoneInfo("Asia/Jakarta")


def guest_ticket(db: Database, account: int, name: str, update_id: int) -> int:
    placed = guest_store.place_guest_question(
        db,
        telegram_id=account,
        guest_name=name,
        chat_id=account,
        staff_chat_id=STAFF,
        actor=Actor("pegawai", account, name),
        reopen_window=timedelta(hours=72),
        message_id=10,
        update_id=update_id,
    )
    return placed.ticket.id


def test_a_guest_question_is_a_ticket_without_nip_and_a_retry_places_it_once(db: DatabaseSettings) -> None:
    handle = Database(db)
    first = guest_ticket(handle, GUEST, "Wawan", update_id=501)
    assert guest_ticket(handle, GUEST, "Wawan", update_id=501) == first  # Lambda's retry of the update
    joined = guest_ticket(handle, GUEST, "Wawan", update_id=502)
    assert joined == first  # the guest's open ticket takes the next message
    ticket = store.get(handle, first)
    assert ticket is not None
    assert ticket.nip is None
    assert ticket.is_guest
    assert ticket.guest_telegram_id == GUEST
    events = query(db, "SELECT event FROM ticket_event WHERE ticket_id = %s ORDER BY id", (first,))
    assert [e["event"] for e in events] == ["opened", "question"]
    outbox = query(db, "SELECT kind FROM staff_outbox WHERE ticket_id = %s ORDER BY id", (first,))
    assert [o["kind"] for o in outbox] == ["header", "question", "followup"]
    handle.close()


def test_retention_removes_a_closed_guest_tickets_telegram_name_and_keeps_an_open_ones(
    db: DatabaseSettings,
) -> None:
    handle = Database(db)
    closed = guest_ticket(handle, GUEST, "Wawan Lama", update_id=601)
    handle.execute(
        "UPDATE ticket SET status = 'selesai', created_at = %s, closed_at = %s WHERE id = %s",
        (datetime(2026, 1, 1), datetime(2026, 1, 2), closed),
    )
    still_open = guest_ticket(handle, GUEST, "Wawan", update_id=602)
    result = retention.purge(handle, RetentionPolicy(), now=datetime(2027, 6, 1))
    assert result.complete
    names = {r["id"]: r["guest_name"] for r in query(db, "SELECT id, guest_name FROM ticket")}
    assert names == {closed: None, still_open: "Wawan"}
    assert result.counts["tickets"] == 1
    handle.close()


def test_the_report_counts_guest_tickets_and_names_them_as_guests(db: DatabaseSettings) -> None:
    handle = Database(db)
    ticket_id = guest_ticket(handle, GUEST, "Wawan", update_id=701)
    created = query(db, "SELECT created_at FROM ticket WHERE id = %s", (ticket_id,))[0]["created_at"]
    local_day = (created + timedelta(hours=7)).date()
    facts = report_store.collect(handle, Period(local_day, local_day), ZONE, created + timedelta(hours=1))
    assert [(t.id, t.unit) for t in facts.opened] == [(ticket_id, report_store.GUEST_UNIT)]
    assert [t.id for t in facts.waiting] == [ticket_id]
    handle.close()


def test_export_and_erasure_take_in_the_guest_tickets_of_the_employees_own_account(
    db: DatabaseSettings,
) -> None:
    handle = Database(db)
    handle.execute(
        "INSERT INTO pengguna (nip, nama, status, id_telegram) VALUES (%s, 'Budi Santoso', 'aktif', %s)",
        (NIP, EMPLOYEE_ACCOUNT),
    )
    own = guest_ticket(handle, EMPLOYEE_ACCOUNT, "Budi S", update_id=801)  # asked before registering
    stranger = guest_ticket(handle, GUEST, "Wawan", update_id=802)  # someone else's guest ticket

    data = privacy_store.collect(handle, NIP)
    assert data is not None
    assert [(t.ticket["id"], t.ticket["tamu"]) for t in data.tickets] == [(own, True)]

    erased = privacy_store.anonymise(handle, NIP, operator="uji")
    assert erased is not None
    rows = {r["id"]: r for r in query(db, "SELECT id, guest_telegram_id, guest_name, chat_id FROM ticket")}
    assert rows[own]["guest_name"] is None
    assert rows[own]["guest_telegram_id"] != EMPLOYEE_ACCOUNT
    assert rows[own]["chat_id"] != EMPLOYEE_ACCOUNT
    assert (rows[stranger]["guest_telegram_id"], rows[stranger]["guest_name"]) == (GUEST, "Wawan")
    handle.close()
