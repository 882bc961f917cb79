"""Several questions at once and "my tickets" (issue 14, items 5 and 6), end to end through the local stack.

Its own stack: its own database, the shipped content published (so a new question gets real FAQ offers),
and working hours open all day every day (the working-time figures are then the wall-clock ones, computed
here with the same calendar).

Bad inputs tried: both buttons of one prompt pressed at once (a double press), the same button pressed
again after it was decided, a forged "Pertanyaan baru" at the open-ticket limit, a forged ticket number
that was not offered, a press after the choice expired, another employee pressing a prompt's button and a
/tiketsaya ticket button of someone else's ticket, /selesai with several tickets open and with a number
that is not theirs, a reply to a closed ticket's acknowledgement.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import ROOT, LocalStack, StackConfig
from local_stack.telegram import ChatMessage, RateLimits
from sinawai import cli
from sinawai.common.working_hours import WorkingHours, indonesian_holidays
from sinawai.consultation.response_time import working_duration_text
from sinawai.platform.db import Database
from tests.helpers import fresh_database, query

pytestmark = pytest.mark.e2e

STAFF = -1001000000001
BUDI = 5610001
SITI = 5610002
RINA = 5610101
NIP_BUDI = "199001172015031001"
NIP_SITI = "199203252016042002"
CONTENT = ROOT / "content"
WORKING_HOURS = "mon-sun 00:00-23:59"
# questions no published topic matches: they go to the staff as they are
PLAIN = "Mohon dicek, berkas usulan saya nomor 4471 sudah sampai di mana?"
PLAIN_2 = "Mohon dicek, berkas saya nomor 812 kemarin sudah diparaf belum?"
PLAIN_3 = "Mohon dicek, surat saya nomor 5530 sudah diterima belum?"
FAQ_QUESTION = "Apakah sisa cuti tahunan saya bisa dibawa ke tahun depan?"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("several-tickets-logs")
    with fresh_database("sinawai_e2e_several") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-several",
            extra_env={
                "CONTENT_CACHE_SECONDS": "0",
                "STAFF_GROUP_MESSAGES_PER_MINUTE": "10000",
                "WORKING_HOURS": WORKING_HOURS,
                "CONSULTATION_MAX_OPEN_TICKETS": "3",
                "CONSULTATION_RATE_LIMIT_MESSAGES": "50",
            },
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            emu = local.telegram
            emu.add_user(BUDI, "Budi", started=True)
            emu.add_user(SITI, "Siti", started=True)
            emu.add_user(RINA, "Rina", started=True)
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA])
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("AWS_ENDPOINT_URL_S3", local.moto_url)
                mp.setenv("AWS_ACCESS_KEY_ID", "testing")
                mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
                mp.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
                assert cli.main(["content", "publish", str(CONTENT), "--bucket", local.config.bucket]) == 0
            yield local


EMPLOYEE_SQL = (
    "INSERT INTO pengguna (nip, nama, status, unit_kerja, id_telegram) VALUES (%s, %s, 'aktif', %s, %s)"
)


@pytest.fixture(autouse=True)
def _employees(stack: LocalStack) -> None:
    db = Database(stack.config.database)
    for table in (
        "ticket_choice",
        "ticket_private_message",
        "faq_offer",
        "staff_outbox",
        "staff_send",
        "ticket_message",
        "ticket_event",
        "ticket",
        "conversation",
        "pengguna",
    ):
        db.execute(f"DELETE FROM {table}")
    db.execute(EMPLOYEE_SQL, (NIP_BUDI, "Budi Santoso", "Biro Umum", BUDI))
    db.execute(EMPLOYEE_SQL, (NIP_SITI, "Siti Rahmawati", "Pusdatik", SITI))
    db.close()


# ---- helpers ------------------------------------------------------------------------------------------


def say(stack: LocalStack, user: int, text: str, **kw: Any) -> dict[str, Any]:
    update = stack.telegram.send_message(user, text, **kw)
    stack.wait_idle()
    return update


def press(stack: LocalStack, user: int, message: ChatMessage, data: str) -> None:
    stack.telegram.press_button(user, message.chat_id, message.message_id, data)
    stack.wait_idle()


def forge(stack: LocalStack, user: int, message: ChatMessage, data: str) -> None:
    stack.telegram.press_forged_button(user, message.chat_id, message.message_id, data)
    stack.wait_idle()


def bot_in(stack: LocalStack, chat_id: int) -> list[ChatMessage]:
    return stack.telegram.bot_messages(chat_id)


def last(stack: LocalStack, chat_id: int) -> ChatMessage:
    return bot_in(stack, chat_id)[-1]


def tickets(stack: LocalStack) -> list[dict[str, Any]]:
    return query(stack.config.database, "SELECT * FROM ticket ORDER BY id")


def alerts(stack: LocalStack) -> list[str]:
    return [str(c.params.get("text") or "") for c in stack.telegram.calls_to("answerCallbackQuery")]


def open_ticket(stack: LocalStack, user: int = BUDI, text: str = PLAIN) -> tuple[int, ChatMessage]:
    """A question with nothing open: a ticket at once (no topic matches); its number and acknowledgement."""
    say(stack, user, text)
    ack = last(stack, user)
    assert "telah kami terima sebagai tiket" in ack.content, ack.content
    return int(tickets(stack)[-1]["id"]), ack


def prompt_for(stack: LocalStack, user: int, text: str) -> ChatMessage:
    """A message while a ticket is open: the bot asks where it goes."""
    say(stack, user, text)
    prompt = last(stack, user)
    assert "Anda masih memiliki" in prompt.content, prompt.content
    return prompt


def staff_copies(stack: LocalStack, text: str) -> list[ChatMessage]:
    return [m for m in bot_in(stack, STAFF) if m.content == text]


def header_of(stack: LocalStack, ticket_id: int) -> ChatMessage:
    return next(m for m in bot_in(stack, STAFF) if m.content.startswith(f"🎫 Tiket #{ticket_id} "))


# ---- item 5: a message while a ticket is open ------------------------------------------------------------


def test_a_second_message_asks_and_add_to_ticket_joins_it(stack: LocalStack) -> None:
    ticket_id, _ = open_ticket(stack)
    staff_before = len(bot_in(stack, STAFF))
    prompt = prompt_for(stack, BUDI, "Tambahan: usulan dikirim bulan Maret.")
    assert f"#{ticket_id}" in prompt.content
    assert prompt.callback_data == [f"consultation:pilih:{_choice_id(stack)}:{ticket_id}", _new(stack)]
    assert [b["text"] for row in prompt.buttons for b in row] == [
        f"➕ Tambahkan ke tiket #{ticket_id}",
        "🆕 Pertanyaan baru",
    ]
    assert len(bot_in(stack, STAFF)) == staff_before  # nothing reaches the staff before the choice

    press(stack, BUDI, prompt, prompt.callback_data[0])
    settled = next(m for m in bot_in(stack, BUDI) if m.message_id == prompt.message_id)
    assert settled.buttons == []
    assert f"ditambahkan ke tiket #{ticket_id}" in settled.content
    assert f"tiket #{ticket_id}" in last(stack, BUDI).content
    (copy,) = staff_copies(stack, "Tambahan: usulan dikirim bulan Maret.")
    assert copy.reply_to_message_id == header_of(stack, ticket_id).message_id
    assert len(tickets(stack)) == 1


def _choice_id(stack: LocalStack) -> int:
    return int(query(stack.config.database, "SELECT MAX(id) AS n FROM ticket_choice")[0]["n"])


def _new(stack: LocalStack) -> str:
    return f"consultation:pilih:{_choice_id(stack)}:baru"


def test_new_question_goes_through_the_faq_first_then_opens_a_second_ticket(stack: LocalStack) -> None:
    first, _ = open_ticket(stack)
    prompt = prompt_for(stack, BUDI, FAQ_QUESTION)
    press(stack, BUDI, prompt, _new(stack))
    offer = last(stack, BUDI)
    assert "Mungkin ini jawaban yang Anda cari" in offer.content
    assert any(d.endswith(":tidak") for d in offer.callback_data)
    assert len(tickets(stack)) == 1  # the FAQ first: no ticket yet

    press(stack, BUDI, offer, next(d for d in offer.callback_data if d.endswith(":tidak")))
    rows = tickets(stack)
    assert [r["status"] for r in rows] == ["baru", "baru"]  # a second ticket; the first stays open
    second = int(rows[-1]["id"])
    assert f"tiket #{second}" in last(stack, BUDI).content
    (copy,) = staff_copies(stack, FAQ_QUESTION)
    assert copy.reply_to_message_id == header_of(stack, second).message_id
    assert second != first

    # a new question no topic matches: a ticket of its own at once
    prompt = prompt_for(stack, BUDI, PLAIN_2)
    assert prompt.callback_data[:2] == [
        f"consultation:pilih:{_choice_id(stack)}:{second}",  # the latest first
        f"consultation:pilih:{_choice_id(stack)}:{first}",
    ]
    press(stack, BUDI, prompt, _new(stack))
    assert len(tickets(stack)) == 3
    assert staff_copies(stack, PLAIN_2)


def test_a_double_press_places_the_message_once(stack: LocalStack) -> None:
    _ticket_id, _ = open_ticket(stack)
    prompt = prompt_for(stack, BUDI, "Tambahan yang ditekan dua kali.")
    add, new = prompt.callback_data
    emu = stack.telegram
    emu.press_button(BUDI, BUDI, prompt.message_id, add)
    emu.press_button(BUDI, BUDI, prompt.message_id, new)
    emu.press_button(BUDI, BUDI, prompt.message_id, add)
    stack.wait_idle()
    assert len(staff_copies(stack, "Tambahan yang ditekan dua kali.")) == 1
    assert alerts(stack)[-3:].count("Pilihan untuk pesan ini sudah tercatat.") == 2
    placed = query(
        stack.config.database,
        "SELECT COUNT(*) AS n FROM ticket_event WHERE event IN ('opened', 'question')",
    )[0]["n"]
    assert placed == 2  # the first question, and the held message once
    assert len(tickets(stack)) in (1, 2)  # whichever press came first decided
    # pressed again later: decided already
    forge(stack, BUDI, prompt, add)
    assert alerts(stack)[-1] == "Pilihan untuk pesan ini sudah tercatat."
    assert len(staff_copies(stack, "Tambahan yang ditekan dua kali.")) == 1


def test_a_photo_waits_for_the_choice_and_is_copied_once_chosen(stack: LocalStack) -> None:
    ticket_id, _ = open_ticket(stack)
    stack.telegram.send_photo(BUDI, caption="Foto SK saya")
    stack.wait_idle()
    prompt = last(stack, BUDI)
    assert "Anda masih memiliki" in prompt.content
    press(stack, BUDI, prompt, prompt.callback_data[0])
    (copy,) = staff_copies(stack, "Foto SK saya")
    assert copy.photo
    assert copy.reply_to_message_id == header_of(stack, ticket_id).message_id


def test_a_reply_to_a_tickets_message_joins_it_without_asking(stack: LocalStack) -> None:
    first, first_ack = open_ticket(stack)
    prompt = prompt_for(stack, BUDI, PLAIN_2)
    press(stack, BUDI, prompt, _new(stack))
    second = int(tickets(stack)[-1]["id"])
    before = len(bot_in(stack, BUDI))

    # a reply to the first ticket's acknowledgement
    say(stack, BUDI, "Nomor usulannya 4471-B.", reply_to_message_id=first_ack.message_id)
    assert len(bot_in(stack, BUDI)) == before + 1
    assert f"ditambahkan ke tiket #{first}" in last(stack, BUDI).content
    (copy,) = staff_copies(stack, "Nomor usulannya 4471-B.")
    assert copy.reply_to_message_id == header_of(stack, first).message_id

    # a reply to a relayed staff answer of the second ticket (answered: reopened)
    stack.telegram.send_message(
        RINA,
        "SK Anda sudah ditandatangani.",
        chat_id=STAFF,
        reply_to_message_id=header_of(stack, second).message_id,
    )
    stack.wait_idle()
    # one bubble: the answer under its ticket header
    answer = next(m for m in reversed(bot_in(stack, BUDI)) if "SK Anda sudah ditandatangani." in m.content)
    say(stack, BUDI, "Terima kasih, kapan bisa diambil?", reply_to_message_id=answer.message_id)
    assert f"#{second}" in last(stack, BUDI).content
    assert "Anda masih memiliki" not in last(stack, BUDI).content
    (copy,) = staff_copies(stack, "Terima kasih, kapan bisa diambil?")
    assert copy.reply_to_message_id == header_of(stack, second).message_id
    assert len(tickets(stack)) == 2

    # a reply to a closed ticket's acknowledgement is an ordinary message: the bot asks
    say(stack, BUDI, f"/selesai {first}")
    say(stack, BUDI, "Satu lagi soal SK.", reply_to_message_id=first_ack.message_id)
    assert "Anda masih memiliki" in last(stack, BUDI).content
    assert not any(d.endswith(f":{first}") for d in last(stack, BUDI).callback_data)


def test_at_the_limit_only_adding_is_offered_and_a_new_ticket_is_refused(stack: LocalStack) -> None:
    first, _ = open_ticket(stack)
    for text in (PLAIN_2, PLAIN_3):
        prompt = prompt_for(stack, BUDI, text)
        press(stack, BUDI, prompt, _new(stack))
    ids = [int(r["id"]) for r in tickets(stack)]
    assert len(ids) == 3

    prompt = prompt_for(stack, BUDI, "Pertanyaan keempat soal tunjangan.")
    assert "Anda sudah memiliki 3 tiket terbuka, jumlah terbanyak yang diperbolehkan" in prompt.content
    assert "/selesai" in prompt.content
    assert "/tiketsaya" in prompt.content
    assert not any(d.endswith(":baru") for d in prompt.callback_data)
    assert len(prompt.callback_data) == 3

    # a forged "Pertanyaan baru": refused, with the open tickets named; the message still waits
    forge(stack, BUDI, prompt, _new(stack))
    refusal = last(stack, BUDI).content
    assert "belum diteruskan sebagai tiket baru" in refusal
    for n in ids:
        assert f"#{n}" in refusal
    assert len(tickets(stack)) == 3
    # a ticket number that was not offered
    forge(stack, BUDI, prompt, f"consultation:pilih:{_choice_id(stack)}:99999")
    assert alerts(stack)[-1].startswith("Pilihan ini tidak dikenal")
    press(stack, BUDI, prompt, prompt.callback_data[0])
    assert staff_copies(stack, "Pertanyaan keempat soal tunjangan.")

    # /selesai with several open asks which; a number not theirs is refused; /selesai N closes N
    say(stack, BUDI, "/selesai")
    assert "Tiket mana yang ingin ditutup" in last(stack, BUDI).content
    say(stack, BUDI, "/selesai 99999")
    assert "tidak ditemukan di antara tiket Anda" in last(stack, BUDI).content
    say(stack, BUDI, f"/selesai {first}")
    assert next(r["status"] for r in tickets(stack)) == "selesai"
    prompt = prompt_for(stack, BUDI, "Sekarang pertanyaan baru boleh?")
    assert prompt.callback_data[-1].endswith(":baru")


def test_a_choice_left_unanswered_expires_and_places_nothing(stack: LocalStack) -> None:
    open_ticket(stack)
    prompt = prompt_for(stack, BUDI, "Pesan yang tidak pernah dipilih.")
    assert "Pilihan berlaku 24 jam; bila tidak dipilih, pesan ini tidak diteruskan" in prompt.content
    query(stack.config.database, "UPDATE ticket_choice SET expires_at = created_at - INTERVAL 1 SECOND")
    press(stack, BUDI, prompt, prompt.callback_data[0])
    assert alerts(stack)[-1].startswith("Pilihan ini sudah kedaluwarsa")
    assert staff_copies(stack, "Pesan yang tidak pernah dipilih.") == []


def test_another_account_cannot_press_an_employees_prompt(stack: LocalStack) -> None:
    open_ticket(stack)
    prompt = prompt_for(stack, BUDI, "Pesan milik Budi.")
    # Siti's client sends the button's data in her own chat: not her message
    _siti_ticket, siti_ack = open_ticket(stack, SITI, PLAIN_3)
    forge(stack, SITI, siti_ack, prompt.callback_data[0])
    assert alerts(stack)[-1].startswith("Pilihan ini tidak dikenal")
    assert staff_copies(stack, "Pesan milik Budi.") == []


# ---- item 6: /tiketsaya, "sedang ditangani", the expected first response -----------------------------------


def _hours() -> WorkingHours:
    return WorkingHours.from_spec(WORKING_HOURS, is_holiday=indonesian_holidays())


def test_tiketsaya_lists_open_first_and_opens_a_tickets_exchange(stack: LocalStack) -> None:
    closed, _ = open_ticket(stack, text=PLAIN_3)
    say(stack, BUDI, "/selesai")
    answered, _ = open_ticket(stack)
    stack.telegram.send_message(
        RINA,
        "Berkas Anda sudah diterima bagian mutasi.",
        chat_id=STAFF,
        reply_to_message_id=header_of(stack, answered).message_id,
    )
    stack.wait_idle()
    prompt = prompt_for(stack, BUDI, PLAIN_2)
    press(stack, BUDI, prompt, _new(stack))
    waiting = int(tickets(stack)[-1]["id"])

    say(stack, BUDI, "/tiketsaya")
    listing = last(stack, BUDI)
    text = listing.content
    assert text.index(f"#{waiting}") < text.index(f"#{answered}") < text.index(f"#{closed}")
    assert f"#{waiting} · menunggu petugas · usia" in text
    assert f"#{answered} · sudah dijawab · usia" in text
    assert f"#{closed} · selesai · ditutup" in text
    assert "Jawaban terakhir: Berkas Anda sudah diterima bagian mutasi." in text
    assert "Belum ada jawaban." in text
    assert "kerja" in text
    assert listing.callback_data[:3] == [
        f"consultation:tsl:{waiting}:0",
        f"consultation:tsl:{answered}:0",
        f"consultation:tsl:{closed}:0",
    ]

    press(stack, BUDI, listing, f"consultation:tsl:{answered}:0")
    shown = next(m for m in bot_in(stack, BUDI) if m.message_id == listing.message_id)
    assert shown.content.startswith(f"Tiket #{answered} · sudah dijawab")
    assert "Anda · " in shown.content
    assert PLAIN in shown.content
    assert "Petugas Biro OSDM · " in shown.content
    assert shown.content.index(PLAIN) < shown.content.index("Berkas Anda sudah diterima bagian mutasi.")
    assert "Rina" not in shown.content  # the staff member stays anonymous
    assert shown.callback_data == ["consultation:tiketsaya"]
    press(stack, BUDI, shown, "consultation:tiketsaya")
    back = next(m for m in bot_in(stack, BUDI) if m.message_id == listing.message_id)
    assert back.content.startswith("Tiket Saya")

    # only the owner: Siti pressing Budi's ticket gets nothing of it
    _, siti_ack = open_ticket(stack, SITI, PLAIN_3)
    forge(stack, SITI, siti_ack, f"consultation:tsl:{answered}:0")
    assert alerts(stack)[-1] == "Tiket ini tidak ditemukan di antara tiket Anda."
    assert all("Berkas Anda sudah diterima" not in m.content for m in bot_in(stack, SITI))


def test_tiketsaya_from_an_unregistered_account_says_to_register(stack: LocalStack) -> None:
    stack.telegram.add_user(5610009, "Tamu", started=True)
    say(stack, 5610009, "/tiketsaya")
    assert last(stack, 5610009).content.startswith("Daftar tiket hanya dapat dilihat oleh pegawai yang sudah")
    assert "/daftar" in last(stack, 5610009).content


def test_a_long_exchange_is_paged_within_telegrams_limit(stack: LocalStack) -> None:
    ticket_id, _ = open_ticket(stack)
    header = header_of(stack, ticket_id)
    for n in range(4):
        stack.telegram.send_message(
            RINA,
            f"Jawaban {n + 1}: " + "penjelasan panjang " * 70,
            chat_id=STAFF,
            reply_to_message_id=header.message_id,
        )
    stack.wait_idle()
    say(stack, BUDI, "/tiketsaya")
    listing = last(stack, BUDI)
    press(stack, BUDI, listing, f"consultation:tsl:{ticket_id}:0")
    page = next(m for m in bot_in(stack, BUDI) if m.message_id == listing.message_id)
    assert "halaman 1 dari 2" in page.content
    assert len(page.content.encode("utf-16-le")) // 2 <= 4096
    assert page.callback_data == [f"consultation:tsl:{ticket_id}:1", "consultation:tiketsaya"]
    press(stack, BUDI, page, f"consultation:tsl:{ticket_id}:1")
    page = next(m for m in bot_in(stack, BUDI) if m.message_id == listing.message_id)
    assert "halaman 2 dari 2" in page.content
    assert "Jawaban 4:" in page.content
    assert page.callback_data == [f"consultation:tsl:{ticket_id}:0", "consultation:tiketsaya"]


def test_the_menu_has_tiket_saya_and_it_lists_the_tickets(stack: LocalStack) -> None:
    ticket_id, _ = open_ticket(stack)
    say(stack, BUDI, "/menu")
    menu = last(stack, BUDI)
    labels = {b["text"]: b["callback_data"] for row in menu.buttons for b in row}
    assert labels["🎫 Tiket Saya"] == "consultation:tiketsaya"
    press(stack, BUDI, menu, "consultation:tiketsaya")
    assert f"#{ticket_id} · menunggu petugas" in last(stack, BUDI).content


def test_the_employee_is_told_once_when_a_staff_member_takes_the_ticket(stack: LocalStack) -> None:
    ticket_id, _ = open_ticket(stack)
    header = header_of(stack, ticket_id)
    press(stack, RINA, header, f"consultation:ambil:{ticket_id}")
    notice = last(stack, BUDI)
    assert notice.content == (
        f"Tiket #{ticket_id} sedang ditangani oleh petugas Biro OSDM. Jawaban akan dikirim melalui "
        "percakapan ini."
    )
    assert "Rina" not in notice.content
    stack.telegram.send_message(RINA, f"/ambil {ticket_id}", chat_id=STAFF)
    stack.wait_idle()
    notices = [m for m in bot_in(stack, BUDI) if m.content.startswith(f"Tiket #{ticket_id} sedang ditangani")]
    assert len(notices) == 1
    # a reply to the notice joins the ticket
    say(stack, BUDI, "Baik, saya tunggu.", reply_to_message_id=notice.message_id)
    assert staff_copies(stack, "Baik, saya tunggu.")


def _answered_history(stack: LocalStack, count: int, waits_minutes: list[int]) -> None:
    """``count`` tickets of Siti opened in the last days and answered after the given minutes."""
    db = stack.config.database
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    for n in range(count):
        opened = now - timedelta(days=1 + n % 20, hours=3)
        query(
            db,
            "INSERT INTO ticket (nip, chat_id, status, staff_chat_id, created_at, first_answer_at, closed_at)"
            " VALUES (%s, %s, 'selesai', %s, %s, %s, %s)",
            (NIP_SITI, SITI, STAFF, opened, opened + timedelta(minutes=waits_minutes[n]), opened),
        )


def test_the_acknowledgement_tells_the_expected_wait_only_with_enough_answered_tickets(
    stack: LocalStack,
) -> None:
    waits = [30, 60, 90, 120, 150, 150, 180, 200, 240, 300]
    _answered_history(stack, 9, waits)
    _, ack = open_ticket(stack)
    assert "Perkiraan waktu tunggu" not in ack.content  # nine answered tickets: too few to promise
    say(stack, BUDI, f"/selesai {tickets(stack)[-1]['id']}")

    query(stack.config.database, "DELETE FROM ticket WHERE nip = %s", (NIP_SITI,))
    _answered_history(stack, 10, waits)
    # an answered ticket older than 30 days does not count
    old = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=40)
    query(
        stack.config.database,
        "INSERT INTO ticket (nip, chat_id, status, staff_chat_id, created_at, first_answer_at)"
        " VALUES (%s, %s, 'selesai', %s, %s, %s)",
        (NIP_SITI, SITI, STAFF, old, old + timedelta(days=9)),
    )
    _, ack = open_ticket(stack, text=PLAIN_2)
    rows = query(
        stack.config.database,
        "SELECT created_at, first_answer_at FROM ticket WHERE first_answer_at IS NOT NULL"
        " AND created_at >= %s",
        (datetime.now(UTC).replace(tzinfo=None) - timedelta(days=30),),
    )
    hours = _hours()
    worked = sorted(
        hours.working_time_between(
            r["created_at"].replace(tzinfo=UTC), r["first_answer_at"].replace(tzinfo=UTC)
        )
        for r in rows
    )
    median = (worked[4] + worked[5]) / 2
    expected = working_duration_text(median)
    assert f"Perkiraan waktu tunggu jawaban pertama: sekitar {expected} pada jam kerja" in ack.content
    assert "(nilai tengah 30 hari terakhir)" in ack.content
