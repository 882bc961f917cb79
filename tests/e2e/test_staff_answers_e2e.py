"""Issue 15 items 3, 4 and 7 through the local stack: canned answers (/jawab, the header's "Jawaban siap
pakai" list with its confirmation), templates, internal notes, and a staff message written without a reply
shortly after an Ambil.

Its own stack (database, bucket): the shipped content is published, so the topics are the real ones.

Bad inputs tried: an unknown topic, /jawab to a closed ticket, /jawab without its arguments, a template name
with spaces and one too long, /templat NAMA not replying to a ticket message, a note on a message that is
not a ticket's, an empty note, a double press of "Kirim ke tiket", a press by another staff member, chatter
from a staff member who took nothing.
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
