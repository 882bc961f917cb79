"""Numbers and lengths from users, end to end: Unicode digits and texts longer than Telegram takes.

Its own stack (database, bucket). Hardening issue, items 15 and 16:
- ``"²".isdigit()`` and ``"٣".isdigit()`` are true but ``int("²")`` raises: a command or a forged button
  carrying such a "number" must get an answer and end ``done``, never ``failed`` (three attempts, the DLQ,
  and no answer for the user);
- an announcement is measured as Telegram measures it (UTF-16 code units): 2,100 emoji are 4,200 units,
  refused at /umumkan time with the limit and the length, so /terkini keeps working for everyone.

Bad inputs tried: /ambil and /tutup with superscript, Arabic-Indic and fullwidth digits; forged buttons
``consultation:nilai:²:5``, ``consultation:nilai:1:²``, ``consultation:faq:²:ya``, ``consultation:ambil:²``,
``documents:d:²``, ``documents:d:٣``, ``information:siar:²``, an id past 2**63; an announcement of 2,100
emoji; an over-long announcement already stored (from before the check) shown by /terkini.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import ChatMessage
from sinawai.platform.db import Database
from tests.helpers import fresh_database, query

pytestmark = pytest.mark.e2e

STAFF = -1001000000001
BUDI = 5590001  # pegawai, registered
RINA = 5590101  # staff member in the staff group
NIP_BUDI = "199001172015031001"
EMOJI_2100 = "😀" * 2100  # 2,100 characters, 4,200 UTF-16 code units


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("bad-input-logs")
    with fresh_database("sinawai_e2e_badinput") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-bad-input",
            extra_env={"CONTENT_CACHE_SECONDS": "0"},
        )
        with LocalStack(config) as local:
            emu = local.telegram
            emu.add_user(BUDI, "Budi", started=True)
            emu.add_user(RINA, "Rina")
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA])
            db = Database(database)
            db.execute(
                "INSERT INTO pengguna (nip, nama, unit_kerja, id_telegram) VALUES (%s, %s, 'Biro Umum', %s)",
                (NIP_BUDI, "Budi Santoso", BUDI),
            )
            db.close()
            yield local


def say(stack: LocalStack, user: int, text: str, chat_id: int | None = None) -> dict[str, Any]:
    update = stack.telegram.send_message(user, text, chat_id=chat_id)
    stack.wait_idle()
    return update


def forge(stack: LocalStack, user: int, message: ChatMessage, data: str) -> dict[str, Any]:
    update = stack.telegram.press_forged_button(user, message.chat_id, message.message_id, data)
    stack.wait_idle()
    return update


def last(stack: LocalStack, chat_id: int) -> ChatMessage:
    return stack.telegram.bot_messages(chat_id)[-1]


def inbox_status(stack: LocalStack, update: dict[str, Any]) -> str:
    rows = query(
        stack.config.database,
        "SELECT status FROM update_inbox WHERE update_id = %s",
        (update["update_id"],),
    )
    return str(rows[0]["status"]) if rows else "(not recorded)"


def toast_for(stack: LocalStack, update: dict[str, Any]) -> str | None:
    """The text of the answerCallbackQuery for this button press (None: the press was never answered)."""
    query_id = update["callback_query"]["id"]
    answers = [
        c
        for c in stack.telegram.calls_to("answerCallbackQuery")
        if c.ok and c.params.get("callback_query_id") == query_id
    ]
    return str(answers[-1].params.get("text") or "") if answers else None


def assert_nothing_failed(stack: LocalStack) -> None:
    assert stack.runtime is not None
    assert stack.runtime.dead_letters == []
    assert query(stack.config.database, "SELECT update_id FROM update_inbox WHERE status = 'failed'") == []


# ---- item 15: numbers are ASCII digits --------------------------------------------------------------------


@pytest.mark.parametrize("number", ["²", "٣", "１２", "#²"])
def test_ambil_and_tutup_with_a_unicode_digit_are_answered_not_failed(stack: LocalStack, number: str) -> None:
    for command in ("ambil", "tutup"):
        update = say(stack, RINA, f"/{command} {number}", chat_id=STAFF)
        assert inbox_status(stack, update) == "done", (command, number)
        answer = last(stack, STAFF)
        assert answer.reply_to_message_id == update["message"]["message_id"]
        assert "tidak ditemukan" in answer.content
        assert "angka 0-9" in answer.content
    assert_nothing_failed(stack)


def test_forged_buttons_with_unicode_digits_get_an_answer_never_an_error(stack: LocalStack) -> None:
    # a message of the bot to press on, in each chat
    say(stack, BUDI, "/dokumen")
    private = last(stack, BUDI)
    say(stack, RINA, "/tiket", chat_id=STAFF)
    group = last(stack, STAFF)
    expected = [
        (BUDI, private, "consultation:nilai:²:5", "Penilaian untuk tiket ini tidak tersedia."),
        (BUDI, private, "consultation:nilai:1:²", "Penilaian untuk tiket ini tidak tersedia."),
        (BUDI, private, "consultation:faq:²:ya", "Topik ini sudah tidak tersedia"),
        (BUDI, private, "consultation:faq:٣:tidak", "Topik ini sudah tidak tersedia"),
        (BUDI, private, "documents:d:²", "tidak tersedia untuk Anda"),
        (BUDI, private, "documents:d:٣", "tidak tersedia untuk Anda"),
        (BUDI, private, f"documents:d:{2**64}", "tidak tersedia untuk Anda"),
        (RINA, group, "consultation:ambil:²", "tidak ditemukan"),
        (RINA, group, "consultation:tutup:٣", "tidak ditemukan"),
        (RINA, group, "information:siar:²", "Pengumuman tidak ditemukan."),
    ]
    for user, message, data, answer in expected:
        update = forge(stack, user, message, data)
        assert inbox_status(stack, update) == "done", data
        toast = toast_for(stack, update)
        assert toast is not None, data
        assert answer in toast, (data, toast)
    assert query(stack.config.database, "SELECT id FROM ticket") == []
    assert_nothing_failed(stack)


# ---- item 16: Telegram's limits in UTF-16 code units ------------------------------------------------------


def test_umumkan_of_2100_emoji_is_refused_with_the_limit_and_its_length(stack: LocalStack) -> None:
    update = say(stack, RINA, f"/umumkan {EMOJI_2100}", chat_id=STAFF)
    assert inbox_status(stack, update) == "done"
    refusal = last(stack, STAFF).content
    assert "terlalu panjang" in refusal
    assert "4.200" in refusal  # its length as Telegram counts it
    assert "3.000" in refusal  # the limit
    assert query(stack.config.database, "SELECT id FROM announcement") == []
    update = say(stack, BUDI, "/terkini")
    assert inbox_status(stack, update) == "done"
    assert "Belum ada pengumuman" in last(stack, BUDI).content
    assert_nothing_failed(stack)


def test_terkini_still_works_with_an_over_long_announcement_stored_before_the_check(
    stack: LocalStack,
) -> None:
    db = Database(stack.config.database)
    try:
        db.execute(
            "INSERT INTO announcement (body, staff_chat_id, posted_at) VALUES (%s, %s, NOW(6))",
            (EMOJI_2100 + " Apel pagi.", STAFF),
        )
        update = say(stack, BUDI, "/terkini")
        assert inbox_status(stack, update) == "done"
        shown = last(stack, BUDI).content
        assert "Info Terkini Kepegawaian" in shown
        assert shown.count("😀") > 1000  # shortened to fit, not dropped
        assert shown.rstrip().endswith("…")
    finally:
        db.execute("DELETE FROM announcement")
        db.close()
    assert_nothing_failed(stack)
