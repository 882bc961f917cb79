"""ConsultationFunction on MariaDB and the emulator: answers that race a close, notices that follow the NIP.

Bad inputs tried: a ticket closed (as /tutup does) after a staff reply read it open and copied it to the
employee but before the reply recorded itself; the same reply's update run again after that; the
auto-close notice of a ticket whose employee registered again on another account, and of one whose
employee left and is bound to no account.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import ExtBot

from local_stack.telegram import TelegramEmulator
from sinawai.consultation import store
from sinawai.consultation.ticket_events import Actor
from sinawai.consultation.tickets import Status
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from tests.consultation_function import ConsultationFunction
from tests.helpers import BOT_TOKEN, STAFF_GROUP_CHAT_ID, FakeContext, db_env, query

USER = 5570001
USER_NEW_PHONE = 5570002
RINA = 5570101
ANDI = 5570102
NIP = "199001172015031001"
JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(USER, "Budi")
        emu.add_user(USER_NEW_PHONE, "Budi", started=True)  # he wrote /daftar from it
        emu.add_user(RINA, "Rina")
        emu.add_user(ANDI, "Andi")
        emu.add_group(STAFF_GROUP_CHAT_ID, "Layanan Kepegawaian OSDM", members=[RINA, ANDI])
        yield emu


@pytest.fixture
def consultation(
    db: DatabaseSettings, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> ConsultationFunction:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF_GROUP_CHAT_ID))
    Database(db).execute(
        "INSERT INTO pengguna (nip, nama, unit_kerja, id_telegram)"
        " VALUES (%s, 'Budi Santoso', 'Biro Umum', %s)",
        (NIP, USER),
    )
    return ConsultationFunction.build()


def event_for(update: dict[str, Any]) -> dict[str, Any]:
    return {"update": update, "group": "consultation", "secret_text": False}


def ask(consultation: ConsultationFunction, emulator: TelegramEmulator) -> tuple[int, int]:
    """Budi asks: (the ticket id, its header's message id in the staff group)."""
    update = emulator.send_message(USER, "Bagaimana cara mengajukan cuti besar?")
    assert consultation.lambda_handler(event_for(update), FakeContext())["status"] == "done"
    header = emulator.bot_messages(STAFF_GROUP_CHAT_ID)[0]
    return int(header.content.split("#")[1].split()[0]), header.message_id


# ---- item 9: an answer racing a close -------------------------------------------------------------------


def test_an_answer_copied_while_the_ticket_is_closed_still_records_its_answered_event(
    consultation: ConsultationFunction,
    emulator: TelegramEmulator,
    db: DatabaseSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticket_id, header_id = ask(consultation, emulator)
    reply = emulator.send_message(
        RINA, "Cuti besar setelah 5 tahun.", chat_id=STAFF_GROUP_CHAT_ID, reply_to_message_id=header_id
    )
    send_message = ExtBot.send_message  # a text answer goes as one message with its header
    closed: list[int] = []

    async def copy_then_close(self: ExtBot[Any], *args: Any, **kwargs: Any) -> Any:
        # The reply read the ticket open; the answer reaches the employee; then Andi's /tutup commits
        # before the reply records itself.
        sent = await send_message(self, *args, **kwargs)
        if not closed:
            ticket = store.get(Database(db), ticket_id)
            assert ticket is not None
            andi = Actor("staf", ANDI, "Andi")
            assert store.transition(Database(db), ticket, Status.SELESAI, "closed", andi)
            closed.append(ticket_id)
        return sent

    monkeypatch.setattr(ExtBot, "send_message", copy_then_close)
    assert consultation.lambda_handler(event_for(reply), FakeContext())["status"] == "done"
    assert closed == [ticket_id]
    assert "\n\nCuti besar setelah 5 tahun.\n\n" in [m.content for m in emulator.bot_messages(USER)][-1]

    answered = query(
        db,
        "SELECT actor_type, actor_id FROM ticket_event WHERE ticket_id = %s AND event = 'answered'",
        (ticket_id,),
    )
    assert answered == [{"actor_type": "staf", "actor_id": RINA}]
    row = query(db, "SELECT status, first_answer_at, last_answer_at FROM ticket WHERE id = %s", (ticket_id,))
    assert row[0]["status"] == "selesai"  # the close stands
    assert row[0]["first_answer_at"] is not None  # the report counts the first response
    assert row[0]["last_answer_at"] is not None

    # Lambda running the same update again records nothing twice
    query(db, "UPDATE update_inbox SET status = 'failed' WHERE update_id = %s", (reply["update_id"],))
    consultation.lambda_handler(event_for(reply), FakeContext())
    count = query(
        db, "SELECT COUNT(*) AS n FROM ticket_event WHERE ticket_id = %s AND event = 'answered'", (ticket_id,)
    )
    assert count == [{"n": 1}]


# ---- item 10: the auto-close notice goes to the account bound now ----------------------------------------


def answered_and_idle(
    consultation: ConsultationFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> int:
    ticket_id, header_id = ask(consultation, emulator)
    reply = emulator.send_message(RINA, "Jawaban", chat_id=STAFF_GROUP_CHAT_ID, reply_to_message_id=header_id)
    consultation.lambda_handler(event_for(reply), FakeContext())
    query(db, "UPDATE ticket SET created_at = %s, last_answer_at = %s", ("2026-12-16 03:00:00",) * 2)
    query(db, "UPDATE ticket_event SET waktu = %s", ("2026-12-16 03:00:00",))
    return ticket_id


def sweep_on_monday(consultation: ConsultationFunction) -> Any:
    now = datetime(2026, 12, 22, 9, 0, tzinfo=JAKARTA)
    return consultation.auto_close(now)


def test_the_auto_close_notice_goes_to_the_account_bound_to_the_nip_now(
    consultation: ConsultationFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    ticket_id = answered_and_idle(consultation, emulator, db)
    # Budi left (/keluar) and registered on his new phone
    query(db, "UPDATE pengguna SET id_telegram = %s WHERE nip = %s", (USER_NEW_PHONE, NIP))
    old_before = len(emulator.bot_messages(USER))
    assert sweep_on_monday(consultation)["closed"] == [ticket_id]
    assert len(emulator.bot_messages(USER)) == old_before
    notice = emulator.bot_messages(USER_NEW_PHONE)[-1]
    assert f"#{ticket_id}" in notice.content
    assert "ditutup otomatis" in notice.content


def test_the_auto_close_notice_is_sent_to_nobody_when_no_account_is_bound(
    consultation: ConsultationFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    ticket_id = answered_and_idle(consultation, emulator, db)
    query(db, "UPDATE pengguna SET id_telegram = NULL WHERE nip = %s", (NIP,))
    old_before = len(emulator.bot_messages(USER))
    assert sweep_on_monday(consultation)["closed"] == [ticket_id]
    assert sweep_on_monday(consultation)["closed"] == []
    assert len(emulator.bot_messages(USER)) == old_before
    staff_notes = [m for m in emulator.bot_messages(STAFF_GROUP_CHAT_ID) if "ditutup otomatis" in m.content]
    assert len(staff_notes) == 1
