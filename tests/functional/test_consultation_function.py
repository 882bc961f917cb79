"""ConsultationFunction's handler on MariaDB and the emulator: Telegram's 429s and 5xx on the relay.

Bad inputs tried: a 429 with retry_after on the copy into the staff group, a 500 on the copy of a staff
answer (Lambda retries: the answer arrives once the retry runs), the sample events routed by the router.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from local_stack.telegram import TelegramEmulator
from sinawai.config import DatabaseSettings
from sinawai.db import Database
from sinawai.routing import classify
from tests.helpers import (
    BOT_TOKEN,
    STAFF_GROUP_CHAT_ID,
    FakeContext,
    db_env,
    load_event,
    load_function,
    query,
)

USER = 5550001
RINA = 5550101
NIP = "199001172015031001"


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(USER, "Budi")
        emu.add_user(RINA, "Rina")
        emu.add_group(STAFF_GROUP_CHAT_ID, "Layanan Kepegawaian OSDM", members=[RINA])
        yield emu


@pytest.fixture
def consultation(
    db: DatabaseSettings, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> ModuleType:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF_GROUP_CHAT_ID))
    Database(db).execute(
        "INSERT INTO pengguna (nip, nama, unit_kerja, id_telegram)"
        " VALUES (%s, 'Budi Santoso', 'Biro Umum', %s)",
        (NIP, USER),
    )
    return load_function("consultation")


def event_for(update: dict[str, Any]) -> dict[str, Any]:
    return {"update": update, "group": "consultation", "secret_text": False}


def test_a_429_on_the_copy_into_the_staff_group_is_waited_out(
    consultation: ModuleType, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    update = emulator.send_message(USER, "Bagaimana cara mengajukan cuti besar?")
    emulator.fail_next("copyMessage", count=1, error_code=429, retry_after=1)
    assert consultation.lambda_handler(event_for(update), FakeContext())["status"] == "done"
    copies = [m for m in emulator.bot_messages(STAFF_GROUP_CHAT_ID) if m.content.startswith("Bagaimana")]
    assert len(copies) == 1
    assert "tiket #" in (emulator.bot_messages(USER)[-1].text or "")
    assert query(db, "SELECT status FROM ticket") == [{"status": "baru"}]


def test_a_failed_relay_is_retried_by_lambda_and_delivered_once(
    consultation: ModuleType, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    consultation.lambda_handler(event_for(emulator.send_message(USER, "Pertanyaan")), FakeContext())
    header = emulator.bot_messages(STAFF_GROUP_CHAT_ID)[0]
    reply = emulator.send_message(
        RINA, "Jawaban", chat_id=STAFF_GROUP_CHAT_ID, reply_to_message_id=header.message_id
    )
    emulator.fail_next("copyMessage", count=1, error_code=500, description="Internal Server Error")
    with pytest.raises(Exception, match="Internal Server Error"):
        consultation.lambda_handler(event_for(reply), FakeContext())
    assert consultation.lambda_handler(event_for(reply), FakeContext())["status"] == "done"
    answers = [m for m in emulator.bot_messages(USER) if m.content == "Jawaban"]
    assert len(answers) == 1
    assert query(db, "SELECT status FROM ticket") == [{"status": "dijawab"}]


@pytest.mark.parametrize("name", ["consultation_question", "consultation_staff_reply"])
def test_sample_events_are_routed_to_consultation(name: str) -> None:
    event = load_event(name)
    route = classify(event["update"], staff_group_chat_id=STAFF_GROUP_CHAT_ID)
    assert route.group == event["group"] == "consultation"
