"""Consultations end to end: a question becomes a ticket in the staff group, a staff reply goes back.

The module runs its own stack: its own database (tickets reference employees, which other modules delete)
and WORKING_HOURS open on one weekday three days from today only, so "now" is always outside working hours
and the acknowledgement must say when the question will be handled. Telegram's group flood limit is off
here: paced delivery into the staff group (20 messages/min) is a later issue, and without pacing this
module's ~60 staff-group messages would spend minutes waiting: pacing is tested in test_staff_delivery_e2e.py.

A message while a ticket is open asks where it goes (test_several_tickets_e2e.py): the follow-ups here
press "Tambahkan ke tiket #N".

Bad inputs tried: a question from an inactive employee (an unregistered account asks as a guest:
test_guest_and_relay_e2e.py); a location
(unsupported media); more messages than the rate limit; staff chatter that is not a reply, a reply to a
message that is not a ticket's, a reply to a closed ticket, a reply from another group (through the router
and forged straight into the function); /ambil and /tutup with unknown numbers, letters, no number, twice;
/selesai without an open ticket; a rating pressed twice; a comment that is a photo; an employee who
blocked the bot before the answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import ChatMessage, RateLimits
from sinawai.common.working_hours import WorkingHours, indonesian_holidays, opening_text
from sinawai.platform.db import Database
from tests.helpers import fresh_database, query

pytestmark = pytest.mark.e2e

BUDI = 5560001
SITI = 5560002
STRANGER = 5560003
INACTIVE = 5560004
RINA = 5560101
ANDI = 5560102
STAFF = -1001000000001
OTHER_GROUP = -1002000000077
NIP_BUDI = "199001172015031001"
NIP_SITI = "199203252016042002"
NIP_AGUS = "198512302010121003"
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RATE_LIMIT = 4

_today = datetime.now(ZoneInfo("Asia/Jakarta")).weekday()
WORKING_HOURS = f"{DAY_KEYS[(_today + 3) % 7]} 07:30-16:00"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("consultation-logs")
    config_env = {
        "WORKING_HOURS": WORKING_HOURS,
        "CONSULTATION_RATE_LIMIT_MESSAGES": str(RATE_LIMIT),
        # on, while the staff group is a plain supergroup: every other test also checks the fallback
        "CONSULTATION_FORUM_TOPICS": "true",
        # the group limit is off here (test_staff_delivery_e2e.py paces under it): no pacing either
        "STAFF_GROUP_MESSAGES_PER_MINUTE": "10000",
    }
    with fresh_database("sinawai_e2e_consult") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-consultation",
            extra_env=config_env,
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            emu = local.telegram
            emu.add_user(BUDI, "Budi", last_name="Santoso")
            emu.add_user(SITI, "Siti")
            emu.add_user(STRANGER, "Tamu")
            emu.add_user(INACTIVE, "Agus")
            emu.add_user(RINA, "Rina")
            emu.add_user(ANDI, "Andi")
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA, ANDI])
            emu.add_group(OTHER_GROUP, "Grup Unit Kerja", members=[RINA, BUDI])
            yield local


EMPLOYEE_SQL = (
    "INSERT INTO pengguna (nip, nama, status, jabatan, unit_kerja, id_telegram)"
    " VALUES (%s, %s, %s, %s, %s, %s)"
)


@pytest.fixture(autouse=True)
def _employees(stack: LocalStack) -> None:
    db = Database(stack.config.database)
    for table in (
        "staff_outbox",
        "staff_send",
        "ticket_message",
        "ticket_event",
        "ticket",
        "conversation",
        "pengguna",
    ):
        db.execute(f"DELETE FROM {table}")
    db.execute(EMPLOYEE_SQL, (NIP_BUDI, "Budi Santoso", "aktif", "Analis SDM Aparatur", "Biro Umum", BUDI))
    db.execute(EMPLOYEE_SQL, (NIP_SITI, "Siti Rahmawati", "aktif", "Pranata Komputer", "Pusdatik", SITI))
    db.execute(EMPLOYEE_SQL, (NIP_AGUS, "Agus Pensiun", "nonaktif", "Analis", "Biro Umum", INACTIVE))
    db.close()
    stack.telegram.unblock_bot(BUDI)


# ---- helpers ------------------------------------------------------------------------------------------


def idle(stack: LocalStack) -> None:
    stack.wait_idle()


def ask(stack: LocalStack, user: int, text: str) -> dict[str, Any]:
    update = stack.telegram.send_message(user, text)
    idle(stack)
    return update


def staff_says(stack: LocalStack, user: int, text: str, reply_to: int | None = None) -> dict[str, Any]:
    update = stack.telegram.send_message(user, text, chat_id=STAFF, reply_to_message_id=reply_to)
    idle(stack)
    return update


def bot_in(stack: LocalStack, chat_id: int) -> list[ChatMessage]:
    return stack.telegram.bot_messages(chat_id)


def last_text(stack: LocalStack, chat_id: int) -> str:
    return bot_in(stack, chat_id)[-1].content


def tickets(stack: LocalStack) -> list[dict[str, Any]]:
    return query(stack.config.database, "SELECT * FROM ticket ORDER BY id")


def events(stack: LocalStack, ticket_id: int) -> list[tuple[str, str | None, str]]:
    rows = query(
        stack.config.database,
        "SELECT event, to_status, actor_type FROM ticket_event WHERE ticket_id = %s ORDER BY id",
        (ticket_id,),
    )
    return [(r["event"], r["to_status"], r["actor_type"]) for r in rows]


def header_of(stack: LocalStack, ticket_id: int) -> ChatMessage:
    return next(m for m in bot_in(stack, STAFF) if m.content.startswith(f"🎫 Tiket #{ticket_id} "))


def open_ticket(
    stack: LocalStack, user: int = BUDI, text: str = "Bagaimana cara mengajukan cuti besar?"
) -> int:
    ask(stack, user, text)
    return int(tickets(stack)[-1]["id"])


def callback_answers(stack: LocalStack) -> list[str]:
    return [str(c.params.get("text") or "") for c in stack.telegram.calls_to("answerCallbackQuery")]


# ---- the question -------------------------------------------------------------------------------------


def test_question_reaches_staff_and_the_text_answer_comes_back(stack: LocalStack) -> None:
    staff_before = len(bot_in(stack, STAFF))
    ticket_id = open_ticket(stack)
    ack = last_text(stack, BUDI)
    assert f"Pertanyaan Anda telah kami terima sebagai tiket #{ticket_id}" in ack
    assert "diteruskan ke petugas Biro OSDM" in ack

    header, question = bot_in(stack, STAFF)[staff_before:]
    for expected in (f"Tiket #{ticket_id}", "Baru", "Budi Santoso", "Biro Umum", "1990**********1001", "WIB"):
        assert expected in header.content, expected
    assert NIP_BUDI not in header.content
    assert header.callback_data == [
        f"consultation:ambil:{ticket_id}",
        f"consultation:tutup:{ticket_id}",
        f"consultation:pegawai:{ticket_id}",
        f"consultation:jsp:{ticket_id}",
    ]
    assert question.content == "Bagaimana cara mengajukan cuti besar?"
    assert question.reply_to_message_id == header.message_id
    assert question.forward_origin is None  # copied, not forwarded

    budi_before = len(bot_in(stack, BUDI))
    staff_says(
        stack, RINA, "Cuti besar dapat diajukan setelah 5 tahun bekerja.", reply_to=question.message_id
    )
    (answer,) = bot_in(stack, BUDI)[budi_before:]  # one message: the header line, then the answer
    assert answer.content.startswith(f"💬 Jawaban petugas Biro OSDM untuk tiket #{ticket_id}\n\n")
    assert "Cuti besar dapat diajukan setelah 5 tahun bekerja." in answer.content
    assert "Rina" not in answer.content  # the staff member stays anonymous
    assert answer.forward_origin is None
    row = tickets(stack)[-1]
    assert row["status"] == "dijawab"
    assert row["first_answer_at"] is not None
    assert events(stack, ticket_id) == [("opened", "baru", "pegawai"), ("answered", "dijawab", "staf")]


def test_a_photo_answer_replying_to_the_header_is_copied_to_the_employee(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    budi_before = len(bot_in(stack, BUDI))
    stack.telegram.send_photo(
        RINA,
        chat_id=STAFF,
        caption="Contoh formulir",
        reply_to_message_id=header_of(stack, ticket_id).message_id,
    )
    idle(stack)
    (answer,) = bot_in(stack, BUDI)[budi_before:]  # copied with the header in its caption
    assert answer.photo
    assert answer.caption is not None
    assert answer.caption.startswith(
        f"💬 Jawaban petugas Biro OSDM untuk tiket #{ticket_id}\n\nContoh formulir"
    )


def test_a_photo_question_with_caption_is_copied_to_staff(stack: LocalStack) -> None:
    staff_before = len(bot_in(stack, STAFF))
    stack.telegram.send_photo(BUDI, caption="SK saya sudah benar?")
    idle(stack)
    header, question = bot_in(stack, STAFF)[staff_before:]
    assert question.photo
    assert question.caption == "SK saya sudah benar?"
    assert question.reply_to_message_id == header.message_id


def add_to_open_ticket(stack: LocalStack, user: int = BUDI) -> None:
    """The bot asked where the message goes (a ticket is open): "Tambahkan ke tiket #N", the latest."""
    prompt = bot_in(stack, user)[-1]
    assert "Anda masih memiliki" in prompt.content
    stack.telegram.press_button(user, user, prompt.message_id, prompt.callback_data[0])
    idle(stack)


def test_a_follow_up_joins_the_ticket_as_a_reply_to_its_header(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    ask(stack, BUDI, "Tambahan: saya sudah bekerja 6 tahun.")
    add_to_open_ticket(stack)
    assert f"ditambahkan ke tiket #{ticket_id}" in last_text(stack, BUDI)
    assert len(tickets(stack)) == 1
    follow_up = bot_in(stack, STAFF)[-1]
    assert follow_up.content == "Tambahan: saya sudah bekerja 6 tahun."
    assert follow_up.reply_to_message_id == header_of(stack, ticket_id).message_id
    # a staff reply to the follow-up is an answer too
    staff_says(stack, RINA, "Baik, memenuhi syarat.", reply_to=follow_up.message_id)
    assert "Baik, memenuhi syarat." in last_text(stack, BUDI)
    # and a reply to an earlier staff answer as well
    answer = stack.telegram.messages(STAFF)[-1]
    staff_says(stack, ANDI, "Silakan ajukan melalui atasan langsung.", reply_to=answer.message_id)
    assert "Silakan ajukan melalui atasan langsung." in last_text(stack, BUDI)


def test_out_of_hours_acknowledgement_says_when_it_will_be_handled(stack: LocalStack) -> None:
    hours = WorkingHours.from_spec(WORKING_HOURS, is_holiday=indonesian_holidays())
    opening = hours.opening_after(datetime.now(UTC))
    assert opening is not None
    assert opening.days_ahead > 1  # open three days from today only
    ticket_id = open_ticket(stack)
    ack = last_text(stack, BUDI)
    assert f"tiket #{ticket_id}" in ack
    assert "di luar jam kerja" in ack
    assert f"akan ditangani pada hari kerja berikutnya, {opening_text(opening, hours.zone)}." in ack
    assert "pukul 07.30 WIB" in ack


def test_inactive_senders_are_not_forwarded(stack: LocalStack) -> None:
    # (an unregistered sender asks as a guest: test_guest_and_relay_e2e.py)
    staff_before = len(bot_in(stack, STAFF))
    ask(stack, INACTIVE, "Halo, saya mau tanya soal pensiun")
    assert "tidak aktif" in last_text(stack, INACTIVE)
    assert len(bot_in(stack, STAFF)) == staff_before
    assert tickets(stack) == []


def test_unsupported_media_is_refused(stack: LocalStack) -> None:
    staff_before = len(bot_in(stack, STAFF))
    ask(stack, BUDI, "/start")  # Budi has a chat with the bot
    stack.telegram.post_raw_update(
        {
            "message": {
                "message_id": 900001,
                "from": {"id": BUDI, "is_bot": False, "first_name": "Budi"},
                "chat": {"id": BUDI, "type": "private", "first_name": "Budi"},
                "date": int(datetime.now(UTC).timestamp()),
                "location": {"latitude": -6.4, "longitude": 106.8},
            }
        }
    )
    idle(stack)
    assert "tidak dapat diteruskan" in last_text(stack, BUDI)
    assert len(bot_in(stack, STAFF)) == staff_before
    assert tickets(stack) == []


def test_rate_limit_refuses_politely_and_forwards_nothing_more(stack: LocalStack) -> None:
    for n in range(RATE_LIMIT):
        ask(stack, SITI, f"Pertanyaan nomor {n + 1}")
    staff_before = len(bot_in(stack, STAFF))
    ask(stack, SITI, "Pertanyaan yang kelewat banyak")
    assert "banyak pesan dalam waktu singkat" in last_text(stack, SITI)
    assert len(bot_in(stack, STAFF)) == staff_before
    assert len(tickets(stack)) == 1


# ---- the staff group ----------------------------------------------------------------------------------


def test_staff_chatter_and_replies_to_other_messages_are_ignored(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    budi_before, staff_before = len(bot_in(stack, BUDI)), len(bot_in(stack, STAFF))
    chatter = staff_says(stack, RINA, "Selamat pagi rekan-rekan, rapat jam 9 ya")
    staff_says(stack, ANDI, "Siap, Bu", reply_to=chatter["message"]["message_id"])
    assert len(bot_in(stack, BUDI)) == budi_before
    assert len(bot_in(stack, STAFF)) == staff_before
    assert tickets(stack)[-1]["status"] == "baru"
    assert events(stack, ticket_id) == [("opened", "baru", "pegawai")]


def test_a_reply_from_another_chat_is_never_relayed(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    header = header_of(stack, ticket_id)
    budi_before = len(bot_in(stack, BUDI))
    forged = {
        "message_id": header.message_id + 1000,
        "from": {"id": RINA, "is_bot": False, "first_name": "Rina"},
        "chat": {"id": OTHER_GROUP, "type": "supergroup", "title": "Grup Unit Kerja"},
        "date": int(datetime.now(UTC).timestamp()),
        "text": "Jawaban dari grup lain",
        "reply_to_message": {
            "message_id": header.message_id,
            "from": {"id": 1, "is_bot": True, "first_name": "Sinawai"},
            "chat": {"id": OTHER_GROUP, "type": "supergroup", "title": "Grup Unit Kerja"},
            "date": header.date,
            "text": header.content,
        },
    }
    # through Telegram and the router (which sends only the staff group to consultation) ...
    stack.telegram.post_raw_update({"message": forged})
    idle(stack)
    # ... and forged straight into the function, which checks the chat and looks tickets up by
    # (staff chat, message id): removing both checks makes this test fail
    assert stack.runtime is not None
    event = {"update": {"update_id": 990_000_001, "message": forged}, "group": "consultation"}
    result = stack.runtime.invoke("ConsultationFunction", json.dumps(event).encode())
    assert result.status_code == 200
    idle(stack)
    assert len(bot_in(stack, BUDI)) == budi_before
    assert tickets(stack)[-1]["status"] == "baru"


def test_replies_are_relayed_after_a_cold_start(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    assert stack.runtime is not None
    stack.runtime.restart()
    staff_says(stack, RINA, "Jawaban setelah restart", reply_to=header_of(stack, ticket_id).message_id)
    assert "Jawaban setelah restart" in last_text(stack, BUDI)


def test_tiket_ambil_tutup_commands_with_wrong_numbers_and_states(stack: LocalStack) -> None:
    first = open_ticket(stack)
    second = open_ticket(stack, SITI, "Kapan kenaikan pangkat periode April?")
    staff_says(stack, RINA, "/tiket")
    listing = last_text(stack, STAFF)
    assert listing.index(f"#{first} ") < listing.index(f"#{second} ")
    assert "Budi Santoso" in listing
    assert "Siti Rahmawati" in listing
    assert "menunggu 0 menit" in listing

    for bad in ("/ambil 999999", "/ambil abc", "/tutup 0"):
        staff_says(stack, RINA, bad)
        assert "tidak ditemukan" in last_text(stack, STAFF), bad
    staff_says(stack, RINA, "/ambil")
    assert "Format: /ambil N" in last_text(stack, STAFF)

    staff_says(stack, RINA, f"/ambil {first}")
    assert f"Tiket #{first} diambil oleh Rina" in last_text(stack, STAFF)
    header = header_of(stack, first)
    assert "Diproses" in header.content
    assert "Petugas: Rina" in header.content
    staff_says(stack, ANDI, f"/ambil {first}")
    assert f"Tiket #{first} sudah diambil oleh Rina" in last_text(stack, STAFF)

    budi_before = len(bot_in(stack, BUDI))
    staff_says(stack, RINA, f"/tutup {first}")
    assert f"Tiket #{first} ditutup oleh Rina" in last_text(stack, STAFF)
    rating = bot_in(stack, BUDI)[budi_before]
    assert f"Tiket #{first} telah ditutup" in rating.content
    assert rating.callback_data == [f"consultation:nilai:{first}:{n}" for n in range(1, 6)]
    assert header_of(stack, first).callback_data == []
    staff_says(stack, RINA, f"/tutup {first}")
    assert f"Tiket #{first} sudah selesai" in last_text(stack, STAFF)
    staff_says(stack, RINA, f"/ambil {first}")
    assert f"Tiket #{first} sudah selesai" in last_text(stack, STAFF)

    staff_says(stack, RINA, "/tiket")
    assert f"#{first} " not in last_text(stack, STAFF)
    assert events(stack, first) == [
        ("opened", "baru", "pegawai"),
        ("taken", "diproses", "staf"),
        ("closed", "selesai", "staf"),
    ]


def test_ambil_and_tutup_buttons(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    header = header_of(stack, ticket_id)
    stack.telegram.press_button(RINA, STAFF, header.message_id, f"consultation:ambil:{ticket_id}")
    idle(stack)
    assert tickets(stack)[-1]["status"] == "diproses"
    assert tickets(stack)[-1]["assigned_staff_name"] == "Rina"
    assert f"Tiket #{ticket_id} diambil oleh Rina" in callback_answers(stack)[-1]
    stack.telegram.press_button(ANDI, STAFF, header.message_id, f"consultation:tutup:{ticket_id}")
    idle(stack)
    assert tickets(stack)[-1]["status"] == "selesai"
    assert tickets(stack)[-1]["closed_at"] is not None
    assert f"Tiket #{ticket_id} telah ditutup" in last_text(stack, BUDI)


def test_a_staff_reply_to_a_closed_ticket_is_not_relayed(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    staff_says(stack, RINA, f"/tutup {ticket_id}")
    budi_before = len(bot_in(stack, BUDI))
    staff_says(stack, ANDI, "Terlambat menjawab", reply_to=header_of(stack, ticket_id).message_id)
    assert len(bot_in(stack, BUDI)) == budi_before
    assert "tidak diteruskan" in last_text(stack, STAFF)


# ---- life cycle, rating -------------------------------------------------------------------------------


def test_selesai_by_the_employee_closes_and_tells_the_staff(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    ask(stack, BUDI, "/selesai")
    assert f"tiket #{ticket_id} telah ditutup" in last_text(stack, BUDI)
    assert bot_in(stack, BUDI)[-1].callback_data[0] == f"consultation:nilai:{ticket_id}:1"
    notice = bot_in(stack, STAFF)[-1]
    assert f"Tiket #{ticket_id} ditutup oleh pegawai" in notice.content
    assert notice.reply_to_message_id == header_of(stack, ticket_id).message_id
    assert events(stack, ticket_id)[-1] == ("closed", "selesai", "pegawai")
    ask(stack, BUDI, "/selesai")
    assert "tidak memiliki tiket yang sedang terbuka" in last_text(stack, BUDI)


def test_rating_and_comment_are_stored_and_a_second_rating_refused(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    staff_says(stack, RINA, f"/tutup {ticket_id}")
    prompt = bot_in(stack, BUDI)[-1]
    # two presses before the first is processed: the second is refused
    stack.telegram.press_button(BUDI, BUDI, prompt.message_id, f"consultation:nilai:{ticket_id}:5")
    stack.telegram.press_button(BUDI, BUDI, prompt.message_id, f"consultation:nilai:{ticket_id}:2")
    idle(stack)
    assert tickets(stack)[-1]["rating"] == 5
    assert "sudah memberi penilaian" in callback_answers(stack)[-1]
    assert (
        "⭐⭐⭐⭐⭐ (5/5)"
        in next(m for m in bot_in(stack, BUDI) if m.message_id == prompt.message_id).content
    )
    assert "komentar" in last_text(stack, BUDI)
    stack.telegram.send_photo(BUDI)  # not a comment
    idle(stack)
    assert "dalam bentuk teks" in last_text(stack, BUDI)
    ask(stack, BUDI, "Jawabannya cepat dan jelas, terima kasih!")
    assert "Terima kasih atas komentar Anda" in last_text(stack, BUDI)
    row = tickets(stack)[-1]
    assert row["rating_comment"] == "Jawabannya cepat dan jelas, terima kasih!"
    assert len(tickets(stack)) == 1  # the comment did not become a question
    assert [e[0] for e in events(stack, ticket_id)][-2:] == ["rated", "commented"]


def test_lewati_skips_the_comment(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    ask(stack, BUDI, "/selesai")
    stack.telegram.press_button(
        BUDI, BUDI, bot_in(stack, BUDI)[-1].message_id, f"consultation:nilai:{ticket_id}:4"
    )
    idle(stack)
    ask(stack, BUDI, "/lewati")
    assert "Baik, terima kasih" in last_text(stack, BUDI)
    ask(stack, BUDI, "Pertanyaan baru tentang tunkin")
    assert len(tickets(stack)) == 2
    assert tickets(stack)[0]["rating"] == 4
    assert tickets(stack)[0]["rating_comment"] is None


def test_a_new_message_reopens_an_answered_ticket_or_opens_a_new_one_after_the_window(
    stack: LocalStack,
) -> None:
    ticket_id = open_ticket(stack)
    staff_says(stack, RINA, "Jawaban pertama", reply_to=header_of(stack, ticket_id).message_id)
    ask(stack, BUDI, "Maaf, masih kurang jelas")
    add_to_open_ticket(stack)
    said = last_text(stack, BUDI)
    # answered, never closed: the message joins it and goes back to the staff; nothing was "reopened"
    assert "dibuka kembali" not in said
    assert f"Pesan lanjutan Anda telah ditambahkan ke tiket #{ticket_id}, yang sudah dijawab petugas" in said
    assert tickets(stack)[-1]["status"] == "diproses"  # Rina answered: she handles it
    assert ("reopened", "diproses", "pegawai") in events(stack, ticket_id)

    staff_says(stack, RINA, "Jawaban kedua", reply_to=header_of(stack, ticket_id).message_id)
    query(stack.config.database, "UPDATE ticket SET last_answer_at = last_answer_at - INTERVAL 73 HOUR")
    ask(stack, BUDI, "Pertanyaan lain, seminggu kemudian")
    rows = tickets(stack)
    assert len(rows) == 2
    assert rows[0]["status"] == "selesai"
    assert events(stack, ticket_id)[-1] == ("closed", "selesai", "sistem")
    said = last_text(stack, BUDI)
    assert f"tiket #{rows[1]['id']}" in said
    assert f"Tiket #{ticket_id} sudah dijawab lebih dari 72 jam yang lalu sehingga kami tutup" in said


def test_a_blocked_employee_is_marked_and_the_staff_told(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)
    stack.telegram.block_bot(BUDI)
    answer = staff_says(
        stack, RINA, "Jawaban yang tak sampai", reply_to=header_of(stack, ticket_id).message_id
    )
    notice = bot_in(stack, STAFF)[-1]
    assert "tidak dapat dikirim" in notice.content
    assert "memblokir bot" in notice.content
    assert notice.reply_to_message_id == answer["message"]["message_id"]
    blocked = query(stack.config.database, "SELECT bot_blocked_at FROM pengguna WHERE nip = %s", (NIP_BUDI,))
    assert blocked[0]["bot_blocked_at"] is not None
    status = query(
        stack.config.database,
        "SELECT status FROM update_inbox WHERE update_id = %s",
        (answer["update_id"],),
    )
    assert status == [{"status": "done"}]  # not retried
    assert ("undeliverable", None, "staf") in events(stack, ticket_id)
    # writing again unblocks and clears the mark
    stack.telegram.unblock_bot(BUDI)
    ask(stack, BUDI, "Saya buka blokirnya")
    blocked = query(stack.config.database, "SELECT bot_blocked_at FROM pengguna WHERE nip = %s", (NIP_BUDI,))
    assert blocked[0]["bot_blocked_at"] is None


def test_the_tanya_button_explains_how_to_ask(stack: LocalStack) -> None:
    ask(stack, BUDI, "/start")
    menu_message = bot_in(stack, BUDI)[-1]
    stack.telegram.press_button(BUDI, BUDI, menu_message.message_id, "consultation:tanya")
    idle(stack)
    assert "Cukup ketik pertanyaan Anda" in last_text(stack, BUDI)
    assert tickets(stack) == []


def test_a_forum_staff_group_gets_one_topic_per_ticket(stack: LocalStack) -> None:
    emu = stack.telegram
    emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA, ANDI], forum=True)
    try:
        ticket_id = open_ticket(stack)
        created = [c for c in emu.calls_to("createForumTopic") if c.ok][-1]
        thread = int(created.result["message_thread_id"])
        assert f"Tiket #{ticket_id} · Budi Santoso" == created.params["name"]
        assert tickets(stack)[-1]["message_thread_id"] == thread
        header, question = [m for m in bot_in(stack, STAFF) if m.message_thread_id == thread][-2:]
        assert header.message_id == header_of(stack, ticket_id).message_id
        assert question.reply_to_message_id == header.message_id
        ask(stack, BUDI, "Tambahan di topik")
        assert bot_in(stack, STAFF)[-1].message_thread_id == thread
        # any message of the staff in the ticket's topic is an answer, reply or not
        emu.send_message(RINA, "Jawaban di dalam topik", chat_id=STAFF, message_thread_id=thread)
        idle(stack)
        assert "Jawaban di dalam topik" in last_text(stack, BUDI)
        # chatter outside the topic is not
        staff_says(stack, ANDI, "Obrolan di topik umum")
        assert "Jawaban di dalam topik" in last_text(stack, BUDI)
    finally:
        emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA, ANDI], forum=False)
