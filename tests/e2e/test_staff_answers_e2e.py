"""Issue 15 items 3, 4, 6 and 7 through the local stack: canned answers (/jawab, the header's "Jawaban siap
pakai" list with its confirmation), templates, internal notes, a staff message written without a reply
shortly after an Ambil, /riwayat N and /cari_tiket KATA (paged), and /tiketsaya showing a canned answer as
the employee read it.

Its own stack (database, bucket): the shipped content is published, so the topics are the real ones.

Bad inputs tried: an unknown topic, /jawab to a closed ticket, /jawab without its arguments, a template name
with spaces and one too long, /templat NAMA not replying to a ticket message, a note on a message that is
not a ticket's, an empty note, a double press of "Kirim ke tiket", a press by another staff member, chatter
from a staff member who took nothing, "Kirim ke tiket" pressed after the ticket was answered or closed;
/riwayat with letters, an unknown number, no number, in another group and in a private chat; /cari_tiket
empty, with one letter, with no match; forged page buttons (a page that does not exist, another ticket, a
search of one letter).
"""

from __future__ import annotations

import json
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

BUDI = 5570001
RINA = 5570101
ANDI = 5570102
STAFF = -1001000000015
OTHER_GROUP = -1001000000916
NIP_BUDI = "199001172015031001"


def _publish(stack: LocalStack) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ENDPOINT_URL_S3", stack.moto_url)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
        assert cli.main(["content", "publish", str(ROOT / "content"), "--bucket", stack.config.bucket]) == 0


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("staff-answers-logs")
    with fresh_database("sinawai_e2e_staff_answers") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-staff-answers",
            extra_env={"STAFF_GROUP_MESSAGES_PER_MINUTE": "10000"},
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            emu = local.telegram
            emu.add_user(BUDI, "Budi")
            emu.add_user(RINA, "Rina")
            emu.add_user(ANDI, "Andi")
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA, ANDI])
            emu.add_group(OTHER_GROUP, "Arisan Biro", members=[RINA])
            _publish(local)
            yield local


@pytest.fixture(autouse=True)
def _employee(stack: LocalStack) -> None:
    db = Database(stack.config.database)
    for table in (
        "staff_pending_send",
        "staff_outbox",
        "staff_send",
        "ticket_message",
        "ticket_event",
        "ticket",
    ):
        db.execute(f"DELETE FROM {table}")
    db.execute("DELETE FROM pengguna")
    db.execute(
        "INSERT INTO pengguna (nip, nama, status, jabatan, unit_kerja, id_telegram)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (NIP_BUDI, "Budi Santoso", "aktif", "Analis SDM Aparatur", "Biro Umum", BUDI),
    )
    db.close()


def bot_in(stack: LocalStack, chat_id: int) -> list[ChatMessage]:
    return stack.telegram.bot_messages(chat_id)


def staff_says(stack: LocalStack, user: int, text: str, reply_to: int | None = None) -> dict[str, Any]:
    update = stack.telegram.send_message(user, text, chat_id=STAFF, reply_to_message_id=reply_to)
    stack.wait_idle()
    return update


def press(stack: LocalStack, user: int, message: ChatMessage, data: str) -> None:
    stack.telegram.press_button(user, message.chat_id, message.message_id, data)
    stack.wait_idle()


def double_press(stack: LocalStack, user: int, message: ChatMessage, data: str) -> None:
    """Two presses before the first is handled (a slow connection, an impatient thumb)."""
    stack.telegram.press_button(user, message.chat_id, message.message_id, data)
    stack.telegram.press_button(user, message.chat_id, message.message_id, data)
    stack.wait_idle()


def alerts(stack: LocalStack) -> list[str]:
    return [str(c.params.get("text") or "") for c in stack.telegram.calls_to("answerCallbackQuery")]


def open_ticket(stack: LocalStack, text: str) -> tuple[int, ChatMessage]:
    """Budi asks; a FAQ offer is declined ("teruskan ke petugas"); the ticket's id and its header."""
    stack.telegram.send_message(BUDI, text)
    stack.wait_idle()
    last = bot_in(stack, BUDI)[-1]
    declines = [d for d in last.callback_data if d.endswith(":tidak")]
    if declines:
        press(stack, BUDI, last, declines[0])
    ticket_id = int(query(stack.config.database, "SELECT MAX(id) AS id FROM ticket")[0]["id"])
    header = next(m for m in bot_in(stack, STAFF) if m.content.startswith(f"🎫 Tiket #{ticket_id} "))
    return ticket_id, header


def answered_details(stack: LocalStack, ticket_id: int) -> list[dict[str, Any]]:
    rows = query(
        stack.config.database,
        "SELECT detail FROM ticket_event WHERE ticket_id = %s AND event = 'answered' ORDER BY id",
        (ticket_id,),
    )
    return [json.loads(r["detail"]) if r["detail"] else {} for r in rows]


def test_jawab_sends_the_topics_published_answer_and_records_the_topic(stack: LocalStack) -> None:
    ticket_id, _ = open_ticket(stack, "Mohon penjelasan tentang data saya yang tidak sesuai di sistem")
    before = len(bot_in(stack, BUDI))
    staff_says(stack, RINA, f"/jawab {ticket_id} cuti-besar")
    (answer,) = bot_in(stack, BUDI)[before:]
    assert answer.content.startswith(f"💬 Jawaban petugas Biro OSDM untuk tiket #{ticket_id}")
    assert "Cuti besar" in answer.content
    assert answered_details(stack, ticket_id) == [{"topic": "cuti-besar"}]
    assert "telah dikirim ke pegawai" in bot_in(stack, STAFF)[-1].content

    # bad inputs: an unknown topic, no arguments; nothing more reaches Budi
    staff_says(stack, RINA, f"/jawab {ticket_id} cuti-di-bulan")
    assert "tidak ditemukan" in bot_in(stack, STAFF)[-1].content
    staff_says(stack, RINA, "/jawab")
    assert "Format:" in bot_in(stack, STAFF)[-1].content
    staff_says(stack, RINA, f"/tutup {ticket_id}")
    closed_before = len(bot_in(stack, BUDI))
    staff_says(stack, RINA, f"/jawab {ticket_id} cuti-besar")
    assert "sudah selesai" in bot_in(stack, STAFF)[-1].content
    assert len(bot_in(stack, BUDI)) == closed_before
    assert len(answered_details(stack, ticket_id)) == 1


def test_the_headers_canned_list_sends_a_topic_after_a_confirmation_once(stack: LocalStack) -> None:
    ticket_id, header = open_ticket(stack, "Bagaimana syarat mengajukan cuti besar bagi PNS?")
    assert f"consultation:jsp:{ticket_id}" in header.callback_data
    press(stack, RINA, header, f"consultation:jsp:{ticket_id}")
    listing = bot_in(stack, STAFF)[-1]
    assert listing.content.startswith(f"📚 Jawaban siap pakai untuk tiket #{ticket_id}")
    assert f"consultation:jwp:{ticket_id}:cuti-besar" in listing.callback_data
    press(stack, RINA, listing, f"consultation:jwp:{ticket_id}:cuti-besar")
    confirm = next(m for m in bot_in(stack, STAFF) if m.message_id == listing.message_id)
    assert confirm.content.startswith("Kirim jawaban “Cuti besar")
    send = next(d for d in confirm.callback_data if ":kirim:" in d)

    press(stack, ANDI, confirm, send)  # another staff member: refused, nothing sent
    assert "Hanya petugas" in alerts(stack)[-1]
    before = len(bot_in(stack, BUDI))
    double_press(stack, RINA, confirm, send)  # sent once
    assert len(bot_in(stack, BUDI)) == before + 1
    assert "sudah diproses" in alerts(stack)[-1]
    assert answered_details(stack, ticket_id) == [{"topic": "cuti-besar"}]


def test_templates_are_saved_listed_sent_and_deleted(stack: LocalStack) -> None:
    ticket_id, header = open_ticket(stack, "Mohon penjelasan tentang data saya yang tidak sesuai di sistem")
    draft = staff_says(stack, RINA, "Terima kasih, Bapak/Ibu. Data Anda sedang kami periksa.")
    draft_id = draft["message"]["message_id"]
    staff_says(stack, RINA, "/templat simpan salam periksa", reply_to=draft_id)
    assert "satu kata" in bot_in(stack, STAFF)[-1].content
    staff_says(stack, RINA, "/templat simpan " + "x" * 33, reply_to=draft_id)
    assert "satu kata" in bot_in(stack, STAFF)[-1].content
    staff_says(stack, RINA, "/templat simpan periksa", reply_to=draft_id)
    assert "disimpan" in bot_in(stack, STAFF)[-1].content
    staff_says(stack, RINA, "/templat")
    assert "periksa" in bot_in(stack, STAFF)[-1].content
    staff_says(stack, RINA, "/templat periksa")  # not a reply to a ticket's message
    assert "Balas salah satu pesan tiket" in bot_in(stack, STAFF)[-1].content

    before = len(bot_in(stack, BUDI))
    staff_says(stack, ANDI, "/templat periksa", reply_to=header.message_id)
    (answer,) = bot_in(stack, BUDI)[before:]
    assert "Data Anda sedang kami periksa." in answer.content
    assert answered_details(stack, ticket_id) == [{"template": "periksa"}]
    staff_says(stack, RINA, "/templat hapus periksa")
    staff_says(stack, RINA, "/templat")
    assert "Belum ada templat" in bot_in(stack, STAFF)[-1].content


def test_a_note_stays_in_the_group(stack: LocalStack) -> None:
    ticket_id, header = open_ticket(stack, "Mohon penjelasan tentang data saya yang tidak sesuai di sistem")
    before = len(bot_in(stack, BUDI))
    staff_says(stack, RINA, "! sudah dicek di SIASN, menunggu unit", reply_to=header.message_id)
    assert f"Catatan internal disimpan pada tiket #{ticket_id}" in bot_in(stack, STAFF)[-1].content
    staff_says(stack, ANDI, "/catatan Andi menelepon unitnya", reply_to=header.message_id)
    assert len(bot_in(stack, BUDI)) == before  # never sent to the employee
    notes = query(
        stack.config.database,
        "SELECT event, actor_name FROM ticket_event WHERE ticket_id = %s AND event = 'note'",
        (ticket_id,),
    )
    assert [n["actor_name"] for n in notes] == ["Rina", "Andi"]
    # bad inputs: a note on a message that is not a ticket's; an empty note
    chatter = staff_says(stack, RINA, "rapat jam dua")
    staff_says(stack, RINA, "!penting", reply_to=chatter["message"]["message_id"])
    assert "sebagai balasan atas pesan tiket" in bot_in(stack, STAFF)[-1].content
    staff_says(stack, RINA, "!", reply_to=header.message_id)
    assert "Catatan kosong" in bot_in(stack, STAFF)[-1].content


def test_a_message_without_a_reply_after_ambil_is_asked_about_once(stack: LocalStack) -> None:
    ticket_id, header = open_ticket(stack, "Mohon penjelasan tentang data saya yang tidak sesuai di sistem")
    staff_before = len(bot_in(stack, STAFF))
    staff_says(stack, ANDI, "selamat siang semua")  # Andi took nothing: chatter stays silent
    assert len(bot_in(stack, STAFF)) == staff_before

    press(stack, RINA, header, f"consultation:ambil:{ticket_id}")
    written = staff_says(stack, RINA, "Data Bapak sudah kami perbaiki, silakan cek kembali.")
    prompt = bot_in(stack, STAFF)[-1]
    assert prompt.reply_to_message_id == written["message"]["message_id"]
    assert f"tiket #{ticket_id}" in prompt.content
    send = next(d for d in prompt.callback_data if ":kirim:" in d)
    before = len(bot_in(stack, BUDI))
    double_press(stack, RINA, prompt, send)  # a double press of "Kirim ke tiket": sent once
    (answer,) = bot_in(stack, BUDI)[before:]
    assert "Data Bapak sudah kami perbaiki" in answer.content
    assert len(answered_details(stack, ticket_id)) == 1

    # "Bukan jawaban": nothing is sent
    staff_says(stack, RINA, "nanti saya lanjutkan setelah makan siang")
    prompt = bot_in(stack, STAFF)[-1]
    press(stack, RINA, prompt, next(d for d in prompt.callback_data if ":bukan:" in d))
    assert len(bot_in(stack, BUDI)) == before + 1
    assert len(answered_details(stack, ticket_id)) == 1


# ---- issue 15 item 6: /riwayat and /cari_tiket; /tiketsaya shows what the employee read -----------------


def forged_press(stack: LocalStack, user: int, message: ChatMessage, data: str) -> None:
    stack.telegram.press_forged_button(user, message.chat_id, message.message_id, data)
    stack.wait_idle()


def edited(stack: LocalStack, message: ChatMessage) -> ChatMessage:
    return next(m for m in bot_in(stack, message.chat_id) if m.message_id == message.message_id)


def test_riwayat_shows_the_whole_exchange_with_notes_and_staff_names_paged(stack: LocalStack) -> None:
    db = Database(stack.config.database)
    db.execute(
        "INSERT INTO pengguna (nip, nama, status, jabatan, unit_kerja, id_telegram, hak_pengguna)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
        ("198505052010012003", "Rina Wulandari", "aktif", "Analis SDM", "Biro OSDM", RINA, "staf"),
    )
    db.close()
    ticket_id, header = open_ticket(stack, "Bagaimana syarat mengajukan cuti besar bagi PNS?")
    staff_says(stack, RINA, f"/jawab {ticket_id} cuti-besar")
    staff_says(stack, ANDI, "! sudah dicek di SIASN, masa kerja cukup", reply_to=header.message_id)
    for n in range(3):  # long answers: the exchange takes more than one message
        staff_says(
            stack, ANDI, f"Jawaban panjang {n}: " + "keterangan cuti " * 90, reply_to=header.message_id
        )

    staff_says(stack, ANDI, f"/riwayat {ticket_id}")
    first = bot_in(stack, STAFF)[-1]
    assert first.content.startswith(f"🗂 Riwayat tiket #{ticket_id}")
    assert "halaman 1 dari 2" in first.content
    assert "Budi Santoso · NIP 1990**********1001" in first.content  # masked in the group
    assert "Bagaimana syarat mengajukan cuti besar" in first.content  # the employee's question
    assert "Petugas: Rina Wulandari" in first.content  # her registered name, not "Rina"
    assert "Cuti besar" in first.content
    assert "/jawab" not in first.content
    assert "📌 Catatan internal · Andi" in first.content
    assert "sudah dicek di SIASN, masa kerja cukup" in first.content
    assert first.callback_data == [f"consultation:riw:{ticket_id}:1"]
    press(stack, ANDI, first, f"consultation:riw:{ticket_id}:1")
    second = edited(stack, first)
    assert "halaman 2 dari 2" in second.content
    assert "Jawaban panjang 2" in second.content
    assert second.callback_data == [f"consultation:riw:{ticket_id}:0"]

    # bad inputs: letters, an unknown number, no number; another group and a private chat
    replies = len(bot_in(stack, STAFF))
    staff_says(stack, ANDI, "/riwayat abc")
    assert "Nomor tiket ditulis dengan angka" in bot_in(stack, STAFF)[-1].content
    staff_says(stack, ANDI, "/riwayat 99999")
    assert "Tiket #99999 tidak ditemukan" in bot_in(stack, STAFF)[-1].content
    staff_says(stack, ANDI, "/riwayat")
    assert "Format: /riwayat N" in bot_in(stack, STAFF)[-1].content
    assert len(bot_in(stack, STAFF)) == replies + 3
    stack.telegram.send_message(RINA, f"/riwayat {ticket_id}", chat_id=OTHER_GROUP)
    stack.telegram.send_message(RINA, f"/riwayat {ticket_id}")
    stack.wait_idle()
    assert bot_in(stack, OTHER_GROUP) == []  # nothing of the ticket outside the staff group
    assert "hanya dapat digunakan di grup petugas" in bot_in(stack, RINA)[-1].content
    # forged page buttons: a page that does not exist, a ticket that does not exist
    forged_press(stack, ANDI, second, f"consultation:riw:{ticket_id}:7")
    assert "Halaman ini tidak ada lagi" in alerts(stack)[-1]
    forged_press(stack, ANDI, second, "consultation:riw:99999:0")
    assert "Tiket #99999 tidak ditemukan" in alerts(stack)[-1]
    assert edited(stack, first).content == second.content


def _insert_ticket(stack: LocalStack, **columns: Any) -> int:
    db = Database(stack.config.database)
    values = {"chat_id": BUDI, "status": "baru", "staff_chat_id": STAFF, **columns}
    names = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    with db.transaction() as cur:
        cur.execute(
            f"INSERT INTO ticket ({names}, created_at) VALUES ({marks}, UTC_TIMESTAMP(6))",
            tuple(values.values()),
        )
        new_id = int(cur.lastrowid)
    db.close()
    return new_id


def test_cari_tiket_finds_by_number_nip_and_words_paged_and_opens_riwayat(stack: LocalStack) -> None:
    asked, _ = open_ticket(stack, "Bagaimana syarat mengajukan cuti besar bagi PNS?")
    others = [_insert_ticket(stack, nip=NIP_BUDI) for _ in range(9)]
    guest = _insert_ticket(stack, nip=None, chat_id=5570009, guest_telegram_id=5570009, guest_name="Tamu Uji")

    staff_says(stack, RINA, "/cari_tiket syarat CUTI")
    found = bot_in(stack, STAFF)[-1]
    assert found.content.startswith("🔎 Hasil pencarian “syarat cuti” · 1 tiket")
    assert f"#{asked} · " in found.content
    assert "Bagaimana syarat mengajukan cuti besar" in found.content
    assert found.callback_data == [f"consultation:riw:{asked}:0"]
    press(stack, RINA, found, f"consultation:riw:{asked}:0")  # opens its /riwayat as a new message
    opened = bot_in(stack, STAFF)[-1]
    assert opened.message_id != found.message_id
    assert opened.content.startswith(f"🗂 Riwayat tiket #{asked}")

    staff_says(stack, RINA, "/cari_tiket 1001")  # the NIP's last digits: ten tickets, two pages
    by_nip = bot_in(stack, STAFF)[-1]
    assert "· 10 tiket · halaman 1 dari 2" in by_nip.content
    assert f"consultation:riw:{others[-1]}:0" in by_nip.callback_data  # the latest first
    assert "1990**********1001" in by_nip.content
    assert NIP_BUDI not in by_nip.content
    press(stack, RINA, by_nip, "consultation:cari:1:1001")
    page_two = edited(stack, by_nip)
    assert "halaman 2 dari 2" in page_two.content
    assert f"consultation:riw:{asked}:0" in page_two.callback_data
    staff_says(stack, RINA, f"/cari_tiket {NIP_BUDI}")
    assert "· 10 tiket" in bot_in(stack, STAFF)[-1].content
    staff_says(stack, RINA, f"/cari_tiket #{guest}")  # a guest ticket, by its number
    assert "Tamu Uji (Tamu, belum terverifikasi)" in bot_in(stack, STAFF)[-1].content

    # bad inputs: empty, one letter, no match; forged page buttons
    staff_says(stack, RINA, "/cari_tiket")
    assert "Format: /cari_tiket KATA" in bot_in(stack, STAFF)[-1].content
    staff_says(stack, RINA, "/cari_tiket a")
    assert "terlalu pendek" in bot_in(stack, STAFF)[-1].content
    staff_says(stack, RINA, "/cari_tiket pensiun")
    assert "Tidak ada tiket dalam 90 hari terakhir" in bot_in(stack, STAFF)[-1].content
    forged_press(stack, RINA, page_two, "consultation:cari:5:1001")
    assert "Halaman ini tidak ada lagi" in alerts(stack)[-1]
    forged_press(stack, RINA, page_two, "consultation:cari:0:a")
    assert "Halaman ini tidak ada lagi" in alerts(stack)[-1]
    assert edited(stack, by_nip).content == page_two.content


def test_tiketsaya_shows_a_canned_answer_as_the_employee_read_it(stack: LocalStack) -> None:
    ticket_id, _header = open_ticket(stack, "Bagaimana syarat mengajukan cuti besar bagi PNS?")
    staff_says(stack, RINA, f"/jawab {ticket_id} cuti-besar")
    stack.telegram.send_message(BUDI, "/tiketsaya")
    stack.wait_idle()
    listed = bot_in(stack, BUDI)[-1]
    assert "Cuti besar" in listed.content
    assert "/jawab" not in listed.content
    press(stack, BUDI, listed, f"consultation:tsl:{ticket_id}:0")
    exchange = edited(stack, listed)
    assert "Cuti besar" in exchange.content
    assert "/jawab" not in exchange.content
    assert "Jawaban petugas Biro OSDM untuk tiket" not in exchange.content


def test_kirim_ke_tiket_after_the_ticket_was_answered_or_closed_sends_nothing(stack: LocalStack) -> None:
    ticket_id, header = open_ticket(stack, "Mohon penjelasan tentang data saya yang tidak sesuai di sistem")
    press(stack, RINA, header, f"consultation:ambil:{ticket_id}")
    staff_says(stack, RINA, "Data Bapak sedang kami periksa.")
    prompt = bot_in(stack, STAFF)[-1]
    send = next(d for d in prompt.callback_data if ":kirim:" in d)
    staff_says(stack, ANDI, "Sudah kami perbaiki, silakan cek.", reply_to=header.message_id)  # answered
    before = len(bot_in(stack, BUDI))
    press(stack, RINA, prompt, send)
    assert "sudah dijawab sejak pertanyaan ini" in edited(stack, prompt).content
    assert edited(stack, prompt).callback_data == []
    assert len(bot_in(stack, BUDI)) == before
    assert len(answered_details(stack, ticket_id)) == 1

    staff_says(stack, RINA, "Satu hal lagi, mohon kirim SK terakhir.")
    prompt = bot_in(stack, STAFF)[-1]
    send = next(d for d in prompt.callback_data if ":kirim:" in d)
    staff_says(stack, ANDI, f"/tutup {ticket_id}")
    before = len(bot_in(stack, BUDI))
    press(stack, RINA, prompt, send)
    assert "sudah ditutup" in edited(stack, prompt).content
    assert len(bot_in(stack, BUDI)) == before
    forged_press(stack, RINA, prompt, send)  # pressed again: resolved already
    assert "sudah diproses" in alerts(stack)[-1]
