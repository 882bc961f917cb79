"""Formal Indonesian on screen (issue 14, item 15), end to end through the local stack.

An employee walks the menus of the shipped content, asks, lists and closes tickets; a staff member answers;
someone types /daftar in the staff group. Every message and every button the bot sent is then read as a
user reads it: no English or informal words, every button with words (not an emoji or a number alone),
one "🏠 Menu Utama" to go home and "⬅️ Kembali" to go one level up.

Bad inputs tried: /daftar in a group (refused with a way to the private conversation), /selesai N with a
number that is not the employee's ticket, a button of a ticket list pressed after its ticket closed.
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
from tests.unit.test_wording import forbidden_words, has_words

pytestmark = pytest.mark.e2e

STAFF = -1001000000001
BUDI = 5640001
RINA = 5640101
NIP_BUDI = "199001172015031001"
HOME = "🏠 Menu Utama"
BACK = "⬅️ Kembali"
QUESTION = "Mohon dicek, berkas usulan saya nomor 4471 sudah sampai di mana?"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("wording-logs")
    with fresh_database("sinawai_e2e_wording") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-wording",
            extra_env={
                "CONTENT_CACHE_SECONDS": "0",
                "STAFF_GROUP_MESSAGES_PER_MINUTE": "10000",
                "WORKING_HOURS": "mon-sun 00:00-23:59",
            },
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            local.telegram.add_user(BUDI, "Budi", started=True)
            local.telegram.add_user(RINA, "Rina", started=True)
            local.telegram.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA])
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("AWS_ENDPOINT_URL_S3", local.moto_url)
                mp.setenv("AWS_ACCESS_KEY_ID", "testing")
                mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
                mp.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
                content = str(ROOT / "content")
                assert cli.main(["content", "publish", content, "--bucket", local.config.bucket]) == 0
            db = Database(database)
            db.execute(
                "INSERT INTO pengguna (nip, nama, status, unit_kerja, id_telegram, jenis_kelamin) "
                "VALUES (%s, %s, 'aktif', %s, %s, %s)",
                (NIP_BUDI, "Budi Santoso", "Biro Umum", BUDI, "L"),
            )
            db.close()
            yield local


def say(stack: LocalStack, user: int, text: str, **kw: Any) -> None:
    stack.telegram.send_message(user, text, **kw)
    stack.wait_idle()


def press(stack: LocalStack, user: int, message: ChatMessage, data: str) -> ChatMessage:
    """Press a button; the message as it reads afterwards (edited in place, or the bot's next message)."""
    before = len(stack.telegram.bot_messages(message.chat_id))
    stack.telegram.press_button(user, message.chat_id, message.message_id, data)
    stack.wait_idle()
    messages = stack.telegram.bot_messages(message.chat_id)
    if len(messages) > before:
        return messages[-1]
    return next(m for m in messages if m.message_id == message.message_id)


def last(stack: LocalStack, chat_id: int) -> ChatMessage:
    return stack.telegram.bot_messages(chat_id)[-1]


def labels(message: ChatMessage) -> list[str]:
    return [str(b["text"]) for row in message.buttons for b in row]


def button(message: ChatMessage, label: str) -> str:
    return next(str(b["callback_data"]) for row in message.buttons for b in row if b["text"] == label)


def read_as_a_user(message: ChatMessage) -> None:
    """What a user reads in one message: Indonesian words, buttons with words, one home and back label."""
    assert forbidden_words(message.content) == [], message.content
    for row in message.buttons:
        for b in row:
            text = str(b["text"])
            assert has_words(text), text
            assert forbidden_words(text) == [], text
            if b.get("callback_data") == "general:menu":
                assert text == HOME
            if text.startswith("⬅️"):
                assert text == BACK


def test_the_information_menus_name_the_service_and_go_home_or_back_in_words(stack: LocalStack) -> None:
    say(stack, BUDI, "/menu")
    main = last(stack, BUDI)
    assert "📚 Pengembangan Kompetensi" in labels(main)

    area = press(stack, BUDI, main, "information:renbangkompeg")
    assert area.content.startswith("Pengembangan Kompetensi\n")
    assert "Renbangkompeg" not in area.content
    assert labels(area)[-1] == HOME
    read_as_a_user(area)

    topic = press(stack, BUDI, area, area.callback_data[0])
    assert labels(topic) == [BACK, HOME]
    read_as_a_user(topic)

    say(stack, BUDI, "/jahdis")
    jahdis = last(stack, BUDI)
    section = press(stack, BUDI, jahdis, jahdis.callback_data[0])
    assert labels(section)[-2:] == [BACK, HOME]
    read_as_a_user(section)
    home = press(stack, BUDI, section, button(section, HOME))
    assert "Menu Utama Sinawai" in home.content


def test_tickets_are_listed_rated_and_relayed_in_formal_indonesian(stack: LocalStack) -> None:
    say(stack, BUDI, QUESTION)
    ack = last(stack, BUDI)
    assert "jawaban akan dikirim melalui percakapan ini" in ack.content
    ticket_id = int(query(stack.config.database, "SELECT MAX(id) AS n FROM ticket")[0]["n"])
    header = next(
        m for m in stack.telegram.bot_messages(STAFF) if m.content.startswith(f"🎫 Tiket #{ticket_id}")
    )
    assert "Balas pesan tiket ini untuk menjawab pegawai" in header.content
    assert "(reply)" not in header.content

    stack.telegram.send_message(
        RINA, "Berkas Anda sudah kami terima.", chat_id=STAFF, reply_to_message_id=header.message_id
    )
    stack.wait_idle()
    answer = last(stack, BUDI)
    assert "kirim pesan di percakapan ini" in answer.content

    say(stack, BUDI, "/tiketsaya")
    listing = last(stack, BUDI)
    assert labels(listing) == [f"Tiket #{ticket_id}", HOME]
    exchange = press(stack, BUDI, listing, listing.callback_data[0])
    assert labels(exchange) == [BACK]
    assert press(stack, BUDI, exchange, exchange.callback_data[0]).content.startswith("Tiket Saya")

    say(stack, BUDI, "/selesai 99999")  # not Budi's ticket: nothing closes
    assert "ketik /tiketsaya untuk melihat tiket Anda" in last(stack, BUDI).content
    say(stack, BUDI, "/selesai")
    rating = last(stack, BUDI)
    assert "1 = sangat kurang, 5 = sangat baik" in rating.content
    assert labels(rating) == [
        "⭐ 1 · Sangat kurang",
        "⭐ 2 · Kurang",
        "⭐ 3 · Cukup",
        "⭐ 4 · Baik",
        "⭐ 5 · Sangat baik",
    ]
    assert rating.callback_data == [f"consultation:nilai:{ticket_id}:{n}" for n in range(1, 6)]
    press(stack, BUDI, rating, rating.callback_data[3])
    assert any("(4/5)" in m.content for m in stack.telegram.bot_messages(BUDI))

    # the closed ticket's button, pressed again from the old list: still words, still its own ticket
    again = press(stack, BUDI, listing, listing.callback_data[0])
    assert f"Tiket #{ticket_id} · selesai" in again.content


def test_a_group_refusal_points_to_the_private_conversation(stack: LocalStack) -> None:
    say(stack, RINA, "/daftar", chat_id=STAFF)
    refusal = last(stack, STAFF)
    assert "percakapan pribadi" in refusal.content
    assert labels(refusal) == ["💬 Buka percakapan pribadi"]


def test_every_message_and_button_the_bot_sent_reads_as_formal_indonesian(stack: LocalStack) -> None:
    sent = [*stack.telegram.bot_messages(BUDI), *stack.telegram.bot_messages(STAFF)]
    assert len(sent) > 10
    for message in sent:
        read_as_a_user(message)
