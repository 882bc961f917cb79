"""Tickets belong to a NIP, and only the account bound to that NIP now acts on them, end to end.

Its own stack (database, bucket with the shipped content published, so questions get real FAQ offers).

Bad inputs tried: an old FAQ "Tidak, teruskan" / "Ya" / other-topic button, a rating button and a comment
from an account that has left (/keluar); /selesai and a rating from a deactivated employee; a staff
member taking (/ambil, Ambil), answering (reply) and closing (/tutup, Tutup) a ticket of their own NIP; a
staff answer while no account is bound to the ticket's NIP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import ROOT, LocalStack, StackConfig
from local_stack.telegram import ChatMessage, RateLimits
from sinawai import cli
from sinawai.platform.db import Database
from sinawai.registration.passwords import hash_password
from tests.helpers import fresh_database, query

pytestmark = pytest.mark.e2e

STAFF = -1001000000001
BUDI = 5590001  # pegawai, registered
BUDI_NEW = 5590002  # Budi's new phone: another Telegram account
SITI = 5590003  # pegawai, registered
RINA = 5590101  # staff member in the staff group, and an employee (staf) with her own NIP
ANDI = 5590102  # another staff member
NIP_BUDI = "199001172015031001"
NIP_SITI = "199203252016042002"
NIP_RINA = "198805052012012003"
PASSWORD = "Awal#2026"
CONTENT = ROOT / "content"
# a question no published topic matches: it goes straight to the staff as a ticket
PLAIN_QUESTION = "Mohon dicek, berkas usulan saya nomor 4471 sudah sampai di mana?"
FAQ_QUESTION = "Apakah sisa cuti tahunan saya bisa dibawa ke tahun depan?"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("ownership-logs")
    with fresh_database("sinawai_e2e_owner") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-ownership",
            extra_env={"CONTENT_CACHE_SECONDS": "0", "STAFF_GROUP_MESSAGES_PER_MINUTE": "10000"},
            # about 50 staff-group posts in a minute: pacing is tested in test_staff_delivery_e2e.py
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            emu = local.telegram
            emu.add_user(BUDI, "Budi", started=True)
            emu.add_user(BUDI_NEW, "Budi", started=True)
            emu.add_user(SITI, "Siti", started=True)
            emu.add_user(RINA, "Rina", started=True)
            emu.add_user(ANDI, "Andi", started=True)
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA, ANDI])
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("AWS_ENDPOINT_URL_S3", local.moto_url)
                mp.setenv("AWS_ACCESS_KEY_ID", "testing")
                mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
                mp.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
                assert cli.main(["content", "publish", str(CONTENT), "--bucket", local.config.bucket]) == 0
            yield local


EMPLOYEE_SQL = (
    "INSERT INTO pengguna (nip, nama, password_hash, status, unit_kerja, id_telegram, hak_pengguna)"
    " VALUES (%s, %s, %s, 'aktif', %s, %s, %s)"
)


@pytest.fixture(autouse=True)
def _employees(stack: LocalStack) -> None:
    db = Database(stack.config.database)
    for table in (
        "faq_offer",
        "staff_outbox",
        "staff_send",
        "ticket_message",
        "ticket_event",
        "ticket",
        "conversation",
        "audit_log",
        "pengguna",
    ):
        db.execute(f"DELETE FROM {table}")
    hashed = hash_password(PASSWORD)
    db.execute(EMPLOYEE_SQL, (NIP_BUDI, "Budi Santoso", hashed, "Biro Umum", BUDI, "pegawai"))
    db.execute(EMPLOYEE_SQL, (NIP_SITI, "Siti Rahmawati", hashed, "Pusdatik", SITI, "pegawai"))
    db.execute(EMPLOYEE_SQL, (NIP_RINA, "Rina Lestari", hashed, "Biro OSDM", RINA, "staf"))
    db.close()


# ---- helpers ------------------------------------------------------------------------------------------


def say(stack: LocalStack, user: int, text: str, chat_id: int | None = None, **kw: Any) -> dict[str, Any]:
    update = stack.telegram.send_message(user, text, chat_id=chat_id, **kw)
    stack.wait_idle()
    return update


def press(stack: LocalStack, user: int, chat_id: int, message_id: int, data: str) -> None:
    stack.telegram.press_forged_button(user, chat_id, message_id, data)
    stack.wait_idle()


def bot_in(stack: LocalStack, chat_id: int) -> list[ChatMessage]:
    return stack.telegram.bot_messages(chat_id)


def last_text(stack: LocalStack, chat_id: int) -> str:
    return bot_in(stack, chat_id)[-1].content


def last_alert(stack: LocalStack) -> str:
    return str(stack.telegram.calls_to("answerCallbackQuery")[-1].params.get("text") or "")


def tickets(stack: LocalStack) -> list[dict[str, Any]]:
    return query(stack.config.database, "SELECT * FROM ticket ORDER BY id")


def header_of(stack: LocalStack, ticket_id: int) -> ChatMessage:
    return next(m for m in bot_in(stack, STAFF) if m.content.startswith(f"🎫 Tiket #{ticket_id} "))


def open_ticket(stack: LocalStack, user: int = BUDI, text: str = PLAIN_QUESTION) -> int:
    say(stack, user, text)
    rows = tickets(stack)
    assert rows, f"no ticket opened; the bot said: {last_text(stack, user)}"
    return int(rows[-1]["id"])


def keluar(stack: LocalStack, user: int) -> None:
    """/keluar and its confirmation: the account lets go of its NIP."""
    say(stack, user, "/keluar")
    press(stack, user, user, bot_in(stack, user)[-1].message_id, "registration:keluar:ya")
    assert "telah dilepaskan" in last_text(stack, user)


def ticket_events(stack: LocalStack, ticket_id: int) -> list[str]:
    rows = query(
        stack.config.database, "SELECT event FROM ticket_event WHERE ticket_id = %s ORDER BY id", (ticket_id,)
    )
    return [str(r["event"]) for r in rows]


# ---- item 10: answers follow the NIP ----------------------------------------------------------------------


def test_a_staff_answer_while_no_account_is_bound_goes_nowhere_and_the_staff_are_told(
    stack: LocalStack,
) -> None:
    ticket_id = open_ticket(stack)
    keluar(stack, BUDI)
    budi_before = len(bot_in(stack, BUDI))
    answer = say(
        stack,
        RINA,
        "Berkas sudah di Biro OSDM.",
        STAFF,
        reply_to_message_id=header_of(stack, ticket_id).message_id,
    )
    assert len(bot_in(stack, BUDI)) == budi_before  # nothing to the account that left
    notice = bot_in(stack, STAFF)[-1]
    assert f"tiket #{ticket_id}" in notice.content
    assert "tidak dapat dikirim" in notice.content
    assert "tidak terhubung" in notice.content
    assert notice.reply_to_message_id == answer["message"]["message_id"]
    assert tickets(stack)[-1]["status"] == "baru"  # not answered: nobody received it
    assert "answered" not in ticket_events(stack, ticket_id)


def test_after_registering_on_a_new_account_answers_and_notices_follow_the_nip(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    keluar(stack, BUDI)
    say(stack, BUDI_NEW, f"/daftar {NIP_BUDI} {PASSWORD}")
    new_texts = [m.content for m in bot_in(stack, BUDI_NEW)]
    assert any("Pendaftaran berhasil" in c for c in new_texts)
    continued = new_texts[-1]
    assert f"#{ticket_id}" in continued
    assert "dilanjutkan" in continued

    budi_before = len(bot_in(stack, BUDI))
    say(
        stack,
        RINA,
        "Berkas sudah di Biro OSDM.",
        STAFF,
        reply_to_message_id=header_of(stack, ticket_id).message_id,
    )
    assert "\n\nBerkas sudah di Biro OSDM." in last_text(stack, BUDI_NEW)
    say(stack, RINA, f"/tutup {ticket_id}", STAFF)
    prompt = bot_in(stack, BUDI_NEW)[-1]
    assert f"Tiket #{ticket_id} telah ditutup" in prompt.content
    assert len(bot_in(stack, BUDI)) == budi_before  # the old account got nothing
    press(stack, BUDI_NEW, BUDI_NEW, prompt.message_id, f"consultation:nilai:{ticket_id}:5")
    assert tickets(stack)[-1]["rating"] == 5


# ---- item 11: every action re-checks the binding ------------------------------------------------------


def test_an_unbound_account_cannot_forward_an_old_faq_offer_as_the_nip(stack: LocalStack) -> None:
    say(stack, BUDI, FAQ_QUESTION)
    offer = bot_in(stack, BUDI)[-1]
    data = [d for d in offer.callback_data if d.endswith(":tidak")]
    assert data, f"no FAQ offer: {offer.content}"
    keluar(stack, BUDI)
    staff_before = len(bot_in(stack, STAFF))
    for pressed in (
        data[0],
        data[0].replace(":tidak", ":ya"),
        *[d for d in offer.callback_data if ":faqt:" in d],
    ):
        press(stack, BUDI, BUDI, offer.message_id, pressed)
        # an unbound account is told in a message, with the guided /daftar's button
        assert "/daftar" in last_text(stack, BUDI), pressed
        assert "registration:daftar" in bot_in(stack, BUDI)[-1].callback_data
    assert tickets(stack) == []
    assert len(bot_in(stack, STAFF)) == staff_before
    outcome = query(stack.config.database, "SELECT outcome FROM faq_offer")
    assert outcome == [{"outcome": "menunggu"}]


def test_an_unbound_account_cannot_rate_or_comment_a_ticket_of_the_nip(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    say(stack, RINA, f"/tutup {ticket_id}", STAFF)
    prompt = bot_in(stack, BUDI)[-1]
    keluar(stack, BUDI)
    press(stack, BUDI, BUDI, prompt.message_id, f"consultation:nilai:{ticket_id}:1")
    assert "/daftar" in last_text(stack, BUDI)
    assert tickets(stack)[-1]["rating"] is None
    assert "rated" not in ticket_events(stack, ticket_id)


def test_a_pending_comment_is_not_taken_from_an_account_that_left(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    say(stack, RINA, f"/tutup {ticket_id}", STAFF)
    prompt = bot_in(stack, BUDI)[-1]
    press(stack, BUDI, BUDI, prompt.message_id, f"consultation:nilai:{ticket_id}:4")
    assert "komentar" in last_text(stack, BUDI)
    keluar(stack, BUDI)
    say(stack, BUDI, "Komentar dari akun yang sudah keluar")
    assert "/daftar" in last_text(stack, BUDI)
    assert tickets(stack)[-1]["rating_comment"] is None


# ---- item 12: deactivated employees and staff members' own tickets ----------------------------------------


def test_a_deactivated_employee_cannot_close_or_rate(stack: LocalStack) -> None:
    first = open_ticket(stack)
    say(stack, RINA, f"/tutup {first}", STAFF)
    prompt = bot_in(stack, BUDI)[-1]
    second = open_ticket(stack, text="Satu pertanyaan lagi tentang berkas nomor 4472, mohon dicek.")
    assert second != first
    query(stack.config.database, "UPDATE pengguna SET status = 'nonaktif' WHERE nip = %s", (NIP_BUDI,))
    staff_before = len(bot_in(stack, STAFF))

    say(stack, BUDI, "/selesai")
    assert "tidak aktif" in last_text(stack, BUDI)
    assert tickets(stack)[-1]["status"] == "baru"
    press(stack, BUDI, BUDI, prompt.message_id, f"consultation:nilai:{first}:5")
    assert "tidak aktif" in last_alert(stack)
    assert tickets(stack)[0]["rating"] is None
    assert len(bot_in(stack, STAFF)) == staff_before


def test_a_staff_member_cannot_take_answer_or_close_their_own_ticket(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack, RINA)
    header = header_of(stack, ticket_id)
    assert "milik anggota staf" in header.content
    assert "ditangani staf lain" in header.content
    rina_private = len(bot_in(stack, RINA))

    say(stack, RINA, f"/ambil {ticket_id}", STAFF)
    assert "tiket Anda sendiri" in last_text(stack, STAFF)
    press(stack, RINA, STAFF, header.message_id, f"consultation:ambil:{ticket_id}")
    assert "tiket Anda sendiri" in last_alert(stack)
    say(stack, RINA, "Saya jawab sendiri saja.", STAFF, reply_to_message_id=header.message_id)
    assert "tiket Anda sendiri" in last_text(stack, STAFF)
    say(stack, RINA, f"/tutup {ticket_id}", STAFF)
    assert "tiket Anda sendiri" in last_text(stack, STAFF)
    press(stack, RINA, STAFF, header.message_id, f"consultation:tutup:{ticket_id}")
    assert "tiket Anda sendiri" in last_alert(stack)
    row = tickets(stack)[-1]
    assert (row["status"], row["assigned_staff_id"]) == ("baru", None)
    assert len(bot_in(stack, RINA)) == rina_private  # her own answer never reached her private chat
    assert ticket_events(stack, ticket_id) == ["opened"]

    # another staff member handles it
    say(stack, ANDI, f"/ambil {ticket_id}", STAFF)
    assert "diambil oleh Andi" in last_text(stack, STAFF)
    say(stack, ANDI, "Berkas Ibu sudah kami terima.", STAFF, reply_to_message_id=header.message_id)
    assert "\n\nBerkas Ibu sudah kami terima." in last_text(stack, RINA)
