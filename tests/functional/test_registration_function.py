"""RegistrationFunction's handler on MariaDB and the emulator: failures never leak a password."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local_stack.telegram import TelegramEmulator
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.registration.handlers import register as register_registration
from sinawai.registration.passwords import (
    SCRYPT_N,
    hash_initial_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from sinawai.router.commands import REGISTRATION
from sinawai.telegram.runtime import GroupFunction
from tests.helpers import BOT_TOKEN, FakeContext, db_env, query

USER = 5550001
NIP = "199001172015031001"
PASSWORD = "Awal#2026"


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(USER, "Budi")
        yield emu


@pytest.fixture
def registration(
    db: DatabaseSettings, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> GroupFunction:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    Database(db).execute(
        "INSERT INTO pengguna (nip, nama, password_hash) VALUES (%s, 'Budi Santoso', %s)",
        (NIP, hash_password(PASSWORD)),
    )
    return GroupFunction(REGISTRATION, register_registration)


def event_for(update: dict[str, Any]) -> dict[str, Any]:
    return {"update": update, "group": "registration", "secret_text": False}


def test_a_failing_update_with_a_password_is_not_retried_and_the_user_is_asked_again(
    registration: GroupFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    update = emulator.send_message(USER, f"/daftar {NIP} {PASSWORD}")
    emulator.fail_next("sendMessage", count=1, error_code=500, description="Internal Server Error")
    result = registration.lambda_handler(event_for(update), FakeContext())  # returns: no Lambda retry, no DLQ
    assert result["status"] == "failed"
    assert "kirim ulang" in (emulator.bot_messages(USER)[-1].text or "")
    row = query(db, "SELECT status, payload FROM update_inbox")[0]
    assert row["status"] == "failed"
    assert PASSWORD not in row["payload"]


def test_a_failing_ordinary_update_is_raised_for_lambda_to_retry(
    registration: GroupFunction, emulator: TelegramEmulator
) -> None:
    update = emulator.send_message(USER, "/datapribadi")
    emulator.fail_next("sendMessage", count=1, error_code=500, description="Internal Server Error")
    with pytest.raises(Exception, match="Internal Server Error"):
        registration.lambda_handler(event_for(update), FakeContext())
    # Lambda's retry: claimed again (attempt 2) and answered
    assert registration.lambda_handler(event_for(update), FakeContext())["status"] == "done"
    assert "belum terdaftar" in (emulator.bot_messages(USER)[-1].text or "")


GROUP_CHAT = -1009990001


def test_each_button_kind_does_its_own_thing_and_only_in_the_private_chat(
    registration: GroupFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    def handle(update: dict[str, Any]) -> None:
        assert registration.lambda_handler(event_for(update), FakeContext())["status"] == "done"

    handle(emulator.send_message(USER, f"/daftar {NIP} {PASSWORD}"))
    welcome = emulator.bot_messages(USER)[-1]
    assert welcome.callback_data == ["registration:datapribadi", "registration:cuti", "registration:tunkin"]

    handle(emulator.press_button(USER, USER, welcome.message_id, "registration:tunkin"))
    assert "Tunjangan Kinerja" in (emulator.bot_messages(USER)[-1].text or "")
    handle(emulator.press_button(USER, USER, welcome.message_id, "registration:cuti"))
    assert "Cuti tahun " in (emulator.bot_messages(USER)[-1].text or "")

    handle(emulator.send_message(USER, "/keluar"))
    confirm = emulator.bot_messages(USER)[-1]
    handle(emulator.press_button(USER, USER, confirm.message_id, "registration:keluar:batal"))
    assert emulator.bot_messages(USER)[-1].text == "Baik, akun Anda tetap terhubung."
    assert query(db, "SELECT id_telegram FROM pengguna")[0]["id_telegram"] == USER

    # stale or forged data of this group: the menu text in place of the pressed message
    handle(emulator.press_forged_button(USER, USER, confirm.message_id, "registration:lama"))
    assert (emulator.bot_messages(USER)[-1].text or "").startswith("Menu Utama Sinawai")

    # outside the private chat a press only stops the spinner
    emulator.add_group(GROUP_CHAT, "Grup Kantor", members=[USER])
    handle(emulator.send_message(USER, "/tunkin", chat_id=GROUP_CHAT))
    in_group = emulator.bot_messages(GROUP_CHAT)
    handle(emulator.press_forged_button(USER, GROUP_CHAT, in_group[-1].message_id, "registration:keluar:ya"))
    assert emulator.bot_messages(GROUP_CHAT) == in_group
    assert query(db, "SELECT id_telegram FROM pengguna")[0]["id_telegram"] == USER


def test_registering_with_an_imported_initial_password_stores_a_full_hash_of_it(
    registration: GroupFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    # an HR import stores the initial password with the cheap initial hash (issue 16)
    initial = hash_initial_password(PASSWORD)
    query(db, "UPDATE pengguna SET password_hash = %s WHERE nip = %s", (initial, NIP))
    update = emulator.send_message(USER, f"/daftar {NIP} {PASSWORD}")
    assert registration.lambda_handler(event_for(update), FakeContext())["status"] == "done"
    (row,) = query(db, "SELECT id_telegram, password_hash FROM pengguna WHERE nip = %s", (NIP,))
    assert row["id_telegram"] == USER
    assert row["password_hash"] != initial
    assert row["password_hash"].startswith(f"scrypt${SCRYPT_N}$")
    assert not needs_rehash(row["password_hash"])
    assert verify_password(PASSWORD, row["password_hash"])  # the same password, now hashed in full


def test_registering_with_a_full_hash_leaves_it_as_it_is(
    registration: GroupFunction, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    (before,) = query(db, "SELECT password_hash FROM pengguna WHERE nip = %s", (NIP,))
    update = emulator.send_message(USER, f"/daftar {NIP} {PASSWORD}")
    assert registration.lambda_handler(event_for(update), FakeContext())["status"] == "done"
    (after,) = query(db, "SELECT id_telegram, password_hash FROM pengguna WHERE nip = %s", (NIP,))
    assert after == {"id_telegram": USER, "password_hash": before["password_hash"]}
