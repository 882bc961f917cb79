"""GeneralFunction's handler with events/*.json, real MariaDB and the Telegram emulator over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from local_stack.telegram import TelegramEmulator
from sinawai.general.handlers import register as register_general
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.errors import ClaimBusyError
from sinawai.router.commands import GENERAL
from sinawai.telegram.runtime import GroupFunction
from tests.helpers import BOT_TOKEN, FakeContext, db_env, load_event, query, text_of

BUDI = 5550001


def general_function() -> GroupFunction:
    """GeneralFunction as Lambda builds it, from the environment the test has set."""
    return GroupFunction(GENERAL, register_general)


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(BUDI, "Budi", last_name="Santoso", username="budi_s")
        emu.send_message(BUDI, "/start")  # Budi has opened the chat: the bot may write to him
        yield emu


@pytest.fixture
def env(db: DatabaseSettings, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)


@pytest.fixture
def general(env: None) -> GroupFunction:
    return general_function()


def handle(module: GroupFunction, event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = module.lambda_handler(event, FakeContext())
    return result


def buttons(message: Any) -> list[str]:
    return [
        b.get("callback_data", "")
        for row in (message.reply_markup or {}).get("inline_keyboard", [])
        for b in row
    ]


def test_start_of_an_unregistered_account_says_to_register_first(
    general: GroupFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    assert handle(general, load_event("general_start"))["status"] == "done"
    reply = emulator.bot_messages(BUDI)[-1]
    assert text_of(reply).startswith("Selamat datang di Sinawai, Bapak/Ibu")
    assert "Langkah pertama: daftarkan akun Telegram Anda" in text_of(reply)
    assert buttons(reply)[0] == "registration:daftar"
    assert "general:menu" in buttons(reply)
    # bold name came through Telegram's HTML parser as an entity, not as literal tags
    assert "<b>" not in text_of(reply)
    assert any(e["type"] == "bold" for e in reply.entities)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ("general_menu", "Menu Utama Sinawai"),
        ("general_bantuan", "/tentang — Tentang layanan Sinawai"),
        ("general_tentang", "Tentang Sinawai"),
        ("general_unknown_command", "perintah /abrakadabra tidak dikenal"),
        ("general_plain_text", "belum dapat kami proses"),
    ],
)
def test_each_general_answer(
    general: GroupFunction, emulator: TelegramEmulator, event: str, expected: str
) -> None:
    handle(general, load_event(event))
    assert expected in text_of(emulator.bot_messages(BUDI)[-1])


def test_in_and_out_are_in_the_message_log(general: GroupFunction, db: DatabaseSettings) -> None:
    handle(general, load_event("general_bantuan"))
    rows = query(
        db,
        "SELECT direction, chat_id, id_pengirim, pengirim, isi_pesan, command, command_group, kind"
        " FROM pesan ORDER BY id",
    )
    assert [r["direction"] for r in rows] == ["in", "out"]
    assert rows[0]["isi_pesan"] == "/bantuan"
    assert rows[0]["pengirim"] == "Budi Santoso"
    assert (rows[0]["command"], rows[0]["command_group"]) == ("bantuan", "general")
    assert rows[1]["chat_id"] == BUDI
    assert rows[1]["pengirim"] == "Sinawai"
    assert "Bantuan Sinawai" in rows[1]["isi_pesan"]
    assert rows[1]["kind"] == "sendmessage"


def test_a_repeated_invocation_replies_once(general: GroupFunction, emulator: TelegramEmulator) -> None:
    before = len(emulator.bot_messages(BUDI))
    event = load_event("general_tentang")
    assert handle(general, event)["status"] == "done"
    assert handle(general, event)["status"] == "duplicate"  # Lambda's at-least-once retry
    assert len(emulator.bot_messages(BUDI)) == before + 1


def test_two_containers_racing_on_one_update_reply_once(env: None, emulator: TelegramEmulator) -> None:
    first, second = general_function(), general_function()
    event = load_event("general_menu")
    before = len(emulator.bot_messages(BUDI))
    results: list[str] = []

    def run(module: GroupFunction) -> None:
        try:
            results.append(handle(module, event)["status"])
        except ClaimBusyError:
            results.append("busy")  # the same request id under a running lease: Lambda retries later

    threads = [threading.Thread(target=run, args=(m,)) for m in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    # one replies; the other (one request id: a duplicate delivery) finds it done or in progress
    assert sorted(results) in (["done", "duplicate"], ["busy", "done"])
    assert handle(second, event)["status"] == "duplicate"  # Lambda's later retry
    assert len(emulator.bot_messages(BUDI)) == before + 1


def test_button_press_edits_the_menu_in_place(general: GroupFunction, emulator: TelegramEmulator) -> None:
    handle(general, load_event("general_menu"))
    menu_message = emulator.bot_messages(BUDI)[-1]
    update = emulator.press_button(BUDI, BUDI, menu_message.message_id, "general:tentang")
    handle(general, {"update": update, "group": "general", "secret_text": False})
    edited = emulator.bot_messages(BUDI)[-1]
    assert edited.message_id == menu_message.message_id
    assert "Tentang Sinawai" in text_of(edited)
    # a double tap: two presses of "Menu Utama" arrive before the first is answered; the second finds the
    # menu already shown ("message is not modified") and is still answered without an error
    first = emulator.press_button(BUDI, BUDI, menu_message.message_id, "general:menu")
    second = emulator.press_button(BUDI, BUDI, menu_message.message_id, "general:menu")
    assert handle(general, {"update": first, "group": "general", "secret_text": False})["status"] == "done"
    assert handle(general, {"update": second, "group": "general", "secret_text": False})["status"] == "done"
    assert "Menu Utama" in text_of(emulator.bot_messages(BUDI)[-1])
    assert len([c for c in emulator.calls_to("answerCallbackQuery") if c.ok]) == 3
    assert any("not modified" in (c.description or "") for c in emulator.calls_to("editMessageText"))


def test_telegram_429_is_waited_out_and_the_reply_arrives(
    general: GroupFunction, emulator: TelegramEmulator
) -> None:
    emulator.fail_next("sendMessage", count=1, error_code=429, retry_after=1, chat_id=BUDI)
    handle(general, load_event("general_tentang"))
    sends = emulator.calls_to("sendMessage")
    assert [c.error_code for c in sends[-2:]] == [429, None]
    assert sends[-1].time - sends[-2].time >= 0.9
    assert "Tentang Sinawai" in text_of(emulator.bot_messages(BUDI)[-1])


def test_a_user_who_blocked_the_bot_is_not_retried_forever(
    general: GroupFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    emulator.block_bot(BUDI)
    assert handle(general, load_event("general_start"))["status"] == "undeliverable"
    row = query(db, "SELECT status, error FROM update_inbox WHERE update_id = 810000001")[0]
    assert row["status"] == "done"
    assert "blocked" in row["error"]
