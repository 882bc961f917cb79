"""Until StaffGroupChatId and ManagersChatId are set, the scheduled paths skip with one warning instead of
failing into the dead-letter queue: the daily digest and the consultation sweep, each invoked with the
event its schedule sends, contact nobody (not even Telegram's getMe) and claim nothing.
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from aws_lambda_powertools import Logger

from local_stack.telegram import TelegramEmulator
from sinawai.consultation import sweep
from sinawai.consultation.handlers import register as register_consultation
from sinawai.platform.config import DatabaseSettings
from sinawai.report import service
from sinawai.report.handlers import register as register_report
from sinawai.router.commands import CONSULTATION, REPORT
from sinawai.telegram.runtime import GroupFunction
from tests.helpers import (
    BOT_TOKEN,
    MANAGERS_CHAT_ID,
    STAFF_GROUP_CHAT_ID,
    FakeContext,
    db_env,
    load_event,
    query,
)


@pytest.fixture
def emulator(db: DatabaseSettings, monkeypatch: pytest.MonkeyPatch) -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_group(STAFF_GROUP_CHAT_ID, "Layanan Kepegawaian OSDM")
        emu.add_group(MANAGERS_CHAT_ID, "Pimpinan Biro OSDM")
        for key, value in db_env(db).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("STAFF_GROUP_CHAT_ID", "")
        monkeypatch.setenv("MANAGERS_CHAT_ID", "")
        monkeypatch.setenv("DOCUMENTS_BUCKET", "sinawai-test-documents")
        yield emu


class Log:
    """The function's log lines (Powertools JSON), as CloudWatch would get them."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.logger = Logger(
            service=f"test-{uuid.uuid4().hex[:8]}", logger_handler=logging.StreamHandler(self.stream)
        )

    def warnings(self) -> list[str]:
        lines = [json.loads(line) for line in self.stream.getvalue().splitlines() if line.strip()]
        return [str(entry["message"]) for entry in lines if entry["level"] == "WARNING"]


def test_the_daily_digest_without_a_managers_chat_skips_with_one_warning(
    emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    log = Log()
    function = GroupFunction(REPORT, register_report, logger=log.logger)
    handler = service.lambda_handler_of(function)
    result = handler(load_event("report_daily_schedule"), FakeContext())  # returns: nothing for the DLQ
    assert result == {
        "status": "skipped",
        "reason": "MANAGERS_CHAT_ID is not set",
        "report_date": "2026-12-28",
    }
    assert log.warnings() == ["MANAGERS_CHAT_ID is not set: the daily digest is skipped"]
    assert emulator.calls == []  # no digest, no notice to the staff group, not even getMe
    assert query(db, "SELECT COUNT(*) AS n FROM report_run") == [{"n": 0}]  # the day is not claimed


def test_the_daily_digest_skips_before_the_bot_token_is_even_read(
    emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "set-me-from-botfather")  # the first deploy's placeholder
    handler = service.lambda_handler_of(GroupFunction(REPORT, register_report, logger=Log().logger))
    assert handler(load_event("report_daily_schedule"), FakeContext())["status"] == "skipped"


def test_the_consultation_sweep_without_a_staff_group_skips_with_one_warning(
    emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "set-me-from-botfather")
    log = Log()
    handler = sweep.entry_point(GroupFunction(CONSULTATION, register_consultation, logger=log.logger))
    result = handler(load_event("consultation_auto_close_schedule"), FakeContext())
    assert result == {"status": "skipped", "reason": "STAFF_GROUP_CHAT_ID is not set"}
    assert log.warnings() == ["STAFF_GROUP_CHAT_ID is not set: the consultation sweep is skipped"]
    assert emulator.calls == []


def test_once_the_staff_group_is_set_the_sweep_runs(
    emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF_GROUP_CHAT_ID))
    log = Log()
    handler = sweep.entry_point(GroupFunction(CONSULTATION, register_consultation, logger=log.logger))
    result = handler(load_event("consultation_auto_close_schedule"), FakeContext())
    assert result["status"] == "done"
    assert log.warnings() == []
