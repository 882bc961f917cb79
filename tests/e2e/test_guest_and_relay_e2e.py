"""Guest questions, staff answers in one bubble, and the join wording, end to end through the local stack
(issue 14 items 2, 7 and 8).

Its own stack: its own database, the shipped content published (the FAQ comes first for guests too), a
guest rate limit of GUEST_LIMIT messages an hour, and Telegram's group flood limit off (pacing is tested in
test_staff_delivery_e2e.py).

Bad inputs tried: a guest over the guest rate limit (and an employee unaffected by it); /selesai from a
guest with no open ticket; a staff caption too long to carry the header (falls back to two
messages, the caption intact); a staff text too long to carry the header (two messages, the text intact);
a guest who registers while their guest ticket is open (the ticket stays a guest's, answers still arrive).
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
from tests.helpers import fresh_database, query

pytestmark = pytest.mark.e2e

BUDI = 5570001  # pegawai, registered
TAMU = 5570003  # not registered: asks as a guest
TAMU2 = 5570004  # not registered: runs into the guest rate limit
TAMU3 = 5570005  # not registered, then registers
RINA = 5570101
STAFF = -1001000000001
NIP_BUDI = "199001172015031001"
NIP_TAMU3 = "199504042020121004"
GUEST_LIMIT = 2
HEADER = "💬 Jawaban petugas Biro OSDM untuk tiket #{id}"
INSTRUCTION = "Bila pertanyaan Anda sudah terjawab, ketik /selesai."


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("guest-logs")
    with fresh_database("sinawai_e2e_guest") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-guest",
            extra_env={
                "CONSULTATION_GUEST_RATE_LIMIT_MESSAGES": str(GUEST_LIMIT),
                "CONSULTATION_GUEST_RATE_LIMIT_SECONDS": "3600",
                "STAFF_GROUP_MESSAGES_PER_MINUTE": "10000",
                "CONTENT_CACHE_SECONDS": "0",
            },
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            emu = local.telegram
            emu.add_user(BUDI, "Budi", last_name="Santoso")
            emu.add_user(TAMU, "Wawan", last_name="Tamu")
            emu.add_user(TAMU2, "Yuni")
            emu.add_user(TAMU3, "Dedi")
            emu.add_user(RINA, "Rina")
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA])
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("AWS_ENDPOINT_URL_S3", local.moto_url)
                mp.setenv("AWS_ACCESS_KEY_ID", "testing")
                mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
                mp.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
                assert cli.main(["content", "publish", str(ROOT / "content"), "--bucket", config.bucket]) == 0
            yield local


@pytest.fixture(autouse=True)
def _people(stack: LocalStack) -> None:
    db = Database(stack.config.database)
    for table in (
        "staff_outbox",
        "staff_send",
        "ticket_message",
        "ticket_event",
        "faq_offer",
        "ticket",
        "conversation",
        "pengguna",
    ):
        db.execute(f"DELETE FROM {table}")
    db.execute(
        "INSERT INTO pengguna (nip, nama, status, unit_kerja, id_telegram) VALUES (%s, %s, 'aktif', %s, %s)",
        (NIP_BUDI, "Budi Santoso", "Biro Umum", BUDI),
    )
    db.execute(
        "INSERT INTO pengguna (nip, nama, status, unit_kerja) VALUES (%s, %s, 'aktif', %s)",
        (NIP_TAMU3, "Dedi Kurniawan", "Pusdatik"),
    )
    db.close()


# ---- helpers ------------------------------------------------------------------------------------------


def ask(stack: LocalStack, user: int, text: str) -> None:
    stack.telegram.send_message(user, text)
    stack.wait_idle()


def staff_says(stack: LocalStack, text: str, reply_to: int) -> None:
    stack.telegram.send_message(RINA, text, chat_id=STAFF, reply_to_message_id=reply_to)
    stack.wait_idle()


def bot_in(stack: LocalStack, chat_id: int) -> list[ChatMessage]:
    return stack.telegram.bot_messages(chat_id)


def tickets(stack: LocalStack) -> list[dict[str, Any]]:
    return query(stack.config.database, "SELECT * FROM ticket ORDER BY id")


def header_of(stack: LocalStack, ticket_id: int) -> ChatMessage:
    return next(m for m in bot_in(stack, STAFF) if m.content.startswith(f"🎫 Tiket #{ticket_id} "))


def to_staff(stack: LocalStack, user: int, text: str) -> int:
    """Ask; when the FAQ offers a topic, press "Tidak, teruskan ke petugas". The ticket's id."""
    ask(stack, user, text)
    offered = bot_in(stack, user)[-1]
    no = [d for d in offered.callback_data if d.startswith("consultation:faq:") and d.endswith(":tidak")]
    if no:
        stack.telegram.press_button(user, user, offered.message_id, no[0])
        stack.wait_idle()
    return int(tickets(stack)[-1]["id"])


# ---- guests (item 2) ----------------------------------------------------------------------------------


def test_a_guest_gets_the_faq_first_then_an_unverified_ticket_and_answers_in_one_bubble(
    stack: LocalStack,
) -> None:
    emu = stack.telegram
    ask(stack, TAMU, "Bagaimana cara mengajukan cuti? Saya perlu untuk bulan depan.")
    notice, offer = bot_in(stack, TAMU)
    # told once that they ask as a guest, and that /daftar shows their own data; not refused
    assert "bertanya sebagai tamu" in notice.content
    assert "/daftar" in notice.content
    assert "belum dapat kami teruskan" not in notice.content
    # the same FAQ first
    assert "Mungkin ini jawaban" in offer.content
    assert tickets(stack) == []
    recorded = query(stack.config.database, "SELECT nip, outcome FROM faq_offer WHERE chat_id = %s", (TAMU,))
    assert recorded == [{"nip": None, "outcome": "menunggu"}]
    tidak = next(d for d in offer.callback_data if d.endswith(":tidak"))

    staff_before = len(bot_in(stack, STAFF))
    emu.press_button(TAMU, TAMU, offer.message_id, tidak)
    stack.wait_idle()
    (row,) = tickets(stack)
    ticket_id = int(row["id"])
    assert row["nip"] is None
    assert row["guest_telegram_id"] == TAMU
    assert f"tiket tamu #{ticket_id}" in bot_in(stack, TAMU)[-1].content

    header, question = bot_in(stack, STAFF)[staff_before:]
    assert header.content.startswith(f"🎫 Tiket #{ticket_id} · Baru")
    assert "⚠️ Belum terverifikasi" in header.content
    assert "Nama Telegram: Wawan Tamu" in header.content
    for absent in ("NIP", "Unit kerja", "Pegawai:"):  # no personal data: the Telegram name only
        assert absent not in header.content, absent
    assert header.callback_data == [
        f"consultation:ambil:{ticket_id}",
        f"consultation:tutup:{ticket_id}",
        f"consultation:jsp:{ticket_id}",
    ]
    assert question.content == "Bagaimana cara mengajukan cuti? Saya perlu untuk bulan depan."

    # staff answers reach the guest as one message each; the instruction comes with the first only
    before = len(bot_in(stack, TAMU))
    staff_says(stack, "Silakan ajukan melalui atasan langsung.", question.message_id)
    staff_says(stack, "Formulirnya ada di menu Dokumen.", question.message_id)
    first, second = bot_in(stack, TAMU)[before:]
    assert first.content == (
        f"{HEADER.format(id=ticket_id)}\n\nSilakan ajukan melalui atasan langsung.\n\n{INSTRUCTION}"
        " Bila masih ada yang ingin ditanyakan, kirim pesan di percakapan ini."
    )
    assert second.content == f"{HEADER.format(id=ticket_id)}\n\nFormulirnya ada di menu Dokumen."
    assert "Rina" not in first.content + second.content
    answers = query(
        stack.config.database,
        "SELECT private_message_id FROM ticket_message WHERE ticket_id = %s AND kind = 'answer' ORDER BY id",
        (ticket_id,),
    )
    assert [a["private_message_id"] for a in answers] == [first.message_id, second.message_id]

    # /tiket names the guest as such
    emu.send_message(RINA, "/tiket", chat_id=STAFF)
    stack.wait_idle()
    assert "Wawan Tamu (Tamu, belum terverifikasi)" in bot_in(stack, STAFF)[-1].content

    # the guest's next message joins the answered ticket: no second notice, no "dibuka kembali"
    ask(stack, TAMU, "Terima kasih, satu lagi: berapa lama prosesnya?")
    said = bot_in(stack, TAMU)[-1].content
    assert f"Pesan lanjutan Anda telah ditambahkan ke tiket tamu #{ticket_id}" in said
    assert "ketik /selesai" in said  # the guest is told how to ask something else
    assert "dibuka kembali" not in said
    assert sum("bertanya sebagai tamu" in m.content for m in bot_in(stack, TAMU)) == 1

    # closing: the guest is asked to rate, and their rating counts
    emu.send_message(RINA, f"/tutup {ticket_id}", chat_id=STAFF)
    stack.wait_idle()
    prompt = bot_in(stack, TAMU)[-1]
    assert f"Tiket #{ticket_id} telah ditutup" in prompt.content
    emu.press_button(TAMU, TAMU, prompt.message_id, f"consultation:nilai:{ticket_id}:4")
    stack.wait_idle()
    assert tickets(stack)[-1]["rating"] == 4


def test_a_guest_closes_their_own_ticket_with_selesai(stack: LocalStack) -> None:
    ticket_id = to_staff(stack, TAMU, "Halo, akun saya tidak bisa masuk, mohon bantuannya.")
    ask(stack, TAMU, "/selesai")
    assert f"tiket #{ticket_id} telah ditutup" in bot_in(stack, TAMU)[-1].content
    assert tickets(stack)[-1]["status"] == "selesai"
    ask(stack, TAMU, "/selesai")
    assert "tidak memiliki tiket tamu yang sedang terbuka" in bot_in(stack, TAMU)[-1].content


def test_guests_are_rate_limited_more_strictly_than_employees(stack: LocalStack) -> None:
    to_staff(stack, TAMU2, "Halo, akun saya tidak bisa masuk, mohon bantuannya.")
    ask(stack, TAMU2, "Sudah saya coba berkali-kali.")
    assert len(tickets(stack)) == 1
    staff_before = len(bot_in(stack, STAFF))
    ask(stack, TAMU2, "Mohon segera dibantu.")
    refusal = bot_in(stack, TAMU2)[-1].content
    assert (
        f"sebagai tamu Bapak/Ibu dapat mengirim paling banyak {GUEST_LIMIT} pesan dalam 60 menit" in refusal
    )
    assert "/daftar" in refusal
    assert len(bot_in(stack, STAFF)) == staff_before  # nothing more forwarded
    # an employee's own (looser) limit is not touched by it
    for n in range(GUEST_LIMIT + 1):
        ask(stack, BUDI, f"Pertanyaan pegawai nomor {n + 1} tentang mutasi jabatan saya")
    assert "banyak pesan" not in bot_in(stack, BUDI)[-1].content


def test_a_guest_who_registers_keeps_the_guest_ticket_and_its_answers(stack: LocalStack) -> None:
    ticket_id = to_staff(stack, TAMU3, "Halo, akun saya tidak bisa masuk, mohon bantuannya.")
    question = bot_in(stack, STAFF)[-1]
    # the guest registers meanwhile (bound to a NIP)
    query(stack.config.database, "UPDATE pengguna SET id_telegram = %s WHERE nip = %s", (TAMU3, NIP_TAMU3))
    staff_says(stack, "Sudah kami atur ulang, silakan coba lagi.", question.message_id)
    assert "Sudah kami atur ulang" in bot_in(stack, TAMU3)[-1].content
    row = tickets(stack)[-1]
    assert row["id"] == ticket_id
    assert row["nip"] is None  # never joined to the NIP: nobody verified who asked it
    assert "NIP" not in header_of(stack, ticket_id).content
    # their next question is an employee's: a ticket of their NIP, with their name and unit
    new_id = to_staff(stack, TAMU3, "Kapan jadwal kenaikan pangkat periode Oktober diumumkan?")
    assert new_id != ticket_id
    assert tickets(stack)[-1]["nip"] == NIP_TAMU3
    assert "Dedi Kurniawan" in header_of(stack, new_id).content


# ---- one bubble per staff answer (item 7) --------------------------------------------------------------


def test_a_photo_answer_is_one_captioned_copy_and_a_too_long_caption_falls_back(stack: LocalStack) -> None:
    emu = stack.telegram
    ticket_id = to_staff(stack, BUDI, "Mohon contoh surat permohonan mutasi jabatan saya.")
    header = header_of(stack, ticket_id)
    before = len(bot_in(stack, BUDI))
    emu.send_photo(RINA, chat_id=STAFF, caption="Contoh formulir", reply_to_message_id=header.message_id)
    stack.wait_idle()
    (copied,) = bot_in(stack, BUDI)[before:]
    assert copied.photo
    assert copied.caption == f"{HEADER.format(id=ticket_id)}\n\nContoh formulir\n\n{INSTRUCTION}" + (
        " Bila masih ada yang ingin ditanyakan, kirim pesan di percakapan ini."
    )
    assert copied.caption_entities  # the header is bold: the caption was sent as HTML

    # a caption that leaves no room for the header (1,004 of 1,024 units): the header, then the copy
    long_caption = "Perhatikan. " * 83 + "Selesai."
    emu.send_photo(RINA, chat_id=STAFF, caption=long_caption, reply_to_message_id=header.message_id)
    stack.wait_idle()
    tag, photo = bot_in(stack, BUDI)[before + 1 :]
    assert tag.content == f"{HEADER.format(id=ticket_id)} ada di bawah ini."  # instruction given already
    assert photo.photo
    assert photo.caption == long_caption
    answers = query(
        stack.config.database,
        "SELECT private_message_id FROM ticket_message WHERE ticket_id = %s AND kind = 'answer' ORDER BY id",
        (ticket_id,),
    )
    # a reply to either answer maps back to the ticket through the message that carries it
    assert [a["private_message_id"] for a in answers] == [copied.message_id, photo.message_id]


def test_a_text_answer_too_long_for_its_header_comes_as_two_messages(stack: LocalStack) -> None:
    ticket_id = to_staff(stack, BUDI, "Mohon penjelasan lengkap tentang mutasi jabatan fungsional.")
    question = bot_in(stack, STAFF)[-1]
    long_text = "Penjelasan. " * 340 + "Selesai."  # 4,088 units: fits alone, not with the header
    before = len(bot_in(stack, BUDI))
    staff_says(stack, long_text, question.message_id)
    tag, answer = bot_in(stack, BUDI)[before:]
    assert tag.content.startswith(f"{HEADER.format(id=ticket_id)} ada di bawah ini.\n{INSTRUCTION}")
    assert answer.content == long_text
