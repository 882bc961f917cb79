"""RegistrationFunction's handler on MariaDB and the emulator: failures never leak a password."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from local_stack.telegram import TelegramEmulator
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.registration.passwords import hash_password
from tests.helpers import BOT_TOKEN, FakeContext, db_env, load_function, query

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
) -> ModuleType:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    Database(db).execute(
        "INSERT INTO pengguna (nip, nama, password_hash) VALUES (%s, 'Budi Santoso', %s)",
        (NIP, hash_password(PASSWORD)),
    )
    return load_function("registration")


def event_for(update: dict[str, Any]) -> dict[str, Any]:
    return {"update": update, "group": "registration", "secret_text": False}


def test_a_failing_update_with_a_password_is_not_retried_and_the_user_is_asked_again(
    registration: ModuleType, emulator: TelegramEmulator, db: DatabaseSettings
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
    registration: ModuleType, emulator: TelegramEmulator
) -> None:
    update = emulator.send_message(USER, "/datapribadi")
    emulator.fail_next("sendMessage", count=1, error_code=500, description="Internal Server Error")
    with pytest.raises(Exception, match="Internal Server Error"):
        registration.lambda_handler(event_for(update), FakeContext())
    # Lambda's retry: claimed again (attempt 2) and answered
    assert registration.lambda_handler(event_for(update), FakeContext())["status"] == "done"
    assert "belum terdaftar" in (emulator.bot_messages(USER)[-1].text or "")
