"""/datasaya in RegistrationFunction on MariaDB and the emulator: retries and races make one export.

Bad inputs tried: the upload failing (Lambda retries the update), two requests at once from two
containers, a request from an inactive employee, an export over Telegram's 50 MB upload limit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from local_stack.telegram import TelegramEmulator
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.privacy import export
from sinawai.registration.handlers import register as register_registration
from sinawai.router.commands import REGISTRATION
from sinawai.telegram.runtime import GroupFunction
from tests.helpers import BOT_TOKEN, FakeContext, db_env, load_event, query

USER = 5595001
NIP = "199001172015031001"


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(USER, "Budi")
        yield emu


@pytest.fixture
def env(db: DatabaseSettings, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    Database(db).execute(
        "INSERT INTO pengguna (nip, nama, id_telegram, unit_kerja)"
        " VALUES (%s, 'Budi Santoso', %s, 'Biro Umum')",
        (NIP, USER),
    )


def event_for(update: dict[str, Any]) -> dict[str, Any]:
    return {"update": update, "group": "registration", "secret_text": False}


def documents(emulator: TelegramEmulator) -> list[str]:
    return [str(m.document["file_name"]) for m in emulator.bot_messages(USER) if m.document]


def exports(db: DatabaseSettings) -> int:
    return len(query(db, "SELECT id FROM audit_log WHERE event = 'export_datasaya'"))


def test_a_failed_upload_is_retried_by_lambda_and_the_export_counted_once(
    env: None, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    function = GroupFunction(REGISTRATION, register_registration)
    update = emulator.send_message(USER, "/datasaya")
    emulator.fail_next("sendDocument", count=1, error_code=500, description="Internal Server Error")
    with pytest.raises(Exception, match="Internal Server Error"):
        function.lambda_handler(event_for(update), FakeContext())
    assert documents(emulator) == []
    assert exports(db) == 1
    # Lambda's retry: the claim lets the same update through, not the rate limit
    assert function.lambda_handler(event_for(update), FakeContext())["status"] == "done"
    names = documents(emulator)
    assert [n.rsplit(".", 1)[1] for n in names] == ["json", "txt"]
    assert exports(db) == 1


def test_two_requests_at_once_make_one_export(
    env: None, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    functions = [GroupFunction(REGISTRATION, register_registration, db=Database(db)) for _ in range(2)]
    updates = [emulator.send_message(USER, "/datasaya") for _ in range(2)]
    results: list[Any] = []

    def run(n: int) -> None:
        results.append(functions[n].lambda_handler(event_for(updates[n]), FakeContext()))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r["status"] for r in results] == ["done", "done"]
    assert len(documents(emulator)) == 2
    texts = [m.text or "" for m in emulator.bot_messages(USER) if not m.document]
    assert len([t for t in texts if "Anda sudah meminta salinan data" in t]) == 1
    assert exports(db) == 1


def test_an_inactive_employee_is_told_why_and_gets_nothing(
    env: None, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    Database(db).execute("UPDATE pengguna SET status = 'nonaktif' WHERE nip = %s", (NIP,))
    function = GroupFunction(REGISTRATION, register_registration)
    update = emulator.send_message(USER, "/datasaya")
    function.lambda_handler(event_for(update), FakeContext())
    assert "tidak aktif" in (emulator.bot_messages(USER)[-1].text or "")
    assert documents(emulator) == []
    assert exports(db) == 0


def test_an_export_over_telegrams_upload_limit_is_not_sent_and_the_employee_told(
    env: None, emulator: TelegramEmulator, db: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "MAX_TELEGRAM_UPLOAD_BYTES", 100)
    function = GroupFunction(REGISTRATION, register_registration)
    update = emulator.send_message(USER, "/datasaya")
    function.lambda_handler(event_for(update), FakeContext())
    assert "terlalu besar untuk dikirim melalui Telegram" in (emulator.bot_messages(USER)[-1].text or "")
    assert documents(emulator) == []


def test_the_sample_event_sends_the_export(
    env: None, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    event = load_event("registration_datasaya")  # `sam local invoke RegistrationFunction -e` takes the same
    sender = int(event["update"]["message"]["from"]["id"])
    emulator.add_user(sender, "Budi", started=True)  # the event says he wrote to the bot
    Database(db).execute("UPDATE pengguna SET id_telegram = %s WHERE nip = %s", (sender, NIP))
    assert (
        GroupFunction(REGISTRATION, register_registration).lambda_handler(event, FakeContext())["status"]
        == "done"
    )
    sent = [m for m in emulator.bot_messages(sender) if m.document]
    assert [str(m.document["file_name"])[-4:] for m in sent if m.document] == ["json", ".txt"]
