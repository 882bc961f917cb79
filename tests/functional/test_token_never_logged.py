"""The bot token never reaches a log line, at any level.

Real python-telegram-bot calls against the Bot API emulator, every logger at DEBUG: httpx's request lines
(``HTTP Request: POST .../bot<TOKEN>/sendMessage``), PTB's base URL, and PTB's ``InvalidToken`` (which names
the refused token) are all there, masked. Captured where CloudWatch gets them: the root logger's handler
(Lambda's) and the function's Powertools handler.
"""

from __future__ import annotations

import io
import logging
import traceback
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from aws_lambda_powertools import Logger
from telegram.error import InvalidToken

from local_stack.telegram import TelegramEmulator
from sinawai.general.handlers import register as register_general
from sinawai.platform import log_redaction
from sinawai.platform.config import DatabaseSettings
from sinawai.router.commands import GENERAL
from sinawai.telegram.runtime import GroupFunction
from tests.helpers import BOT_TOKEN, FakeContext, db_env, load_event, query

BUDI = 5550001
BOT_ID = BOT_TOKEN.partition(":")[0]
# A token of Telegram's shape the emulator does not know: it answers 401, as Telegram does for a revoked one.
REVOKED_TOKEN = f"{BOT_ID}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@dataclass
class Captured:
    root: io.StringIO  # Lambda's handler sits on the root logger
    function: io.StringIO  # the function's Powertools handler

    def text(self) -> str:
        return self.root.getvalue() + self.function.getvalue()


@pytest.fixture
def emulator(db: DatabaseSettings, monkeypatch: pytest.MonkeyPatch) -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(BUDI, "Budi", last_name="Santoso", username="budi_s")
        emu.send_message(BUDI, "/start")
        for key, value in db_env(db).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
        yield emu


@pytest.fixture
def logs() -> Iterator[Captured]:
    """Everything at DEBUG: the root logger and its handler (as Lambda's), restored afterwards."""
    root = logging.getLogger()
    captured = Captured(io.StringIO(), io.StringIO())
    handler = logging.StreamHandler(captured.root)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    quiet = {name: logging.getLogger(name).level for name in log_redaction.QUIET_LOGGERS}
    try:
        yield captured
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)


def general_function(captured: Captured) -> GroupFunction:
    """GeneralFunction at a cold start, its Powertools logger at DEBUG."""
    logger = Logger(
        service=f"sinawai-general-{uuid.uuid4().hex[:6]}",
        level="DEBUG",
        logger_handler=logging.StreamHandler(captured.function),
    )
    return GroupFunction(GENERAL, register_general, logger=logger)


def test_a_real_reply_logs_no_token_and_no_request_url(emulator: TelegramEmulator, logs: Captured) -> None:
    general = general_function(logs)
    assert general.lambda_handler(load_event("general_start"), FakeContext())["status"] == "done"
    assert emulator.bot_messages(BUDI)[-1].text is not None  # the reply went out through PTB and httpx

    text = logs.text()
    assert BOT_TOKEN not in text
    assert BOT_TOKEN.partition(":")[2] not in text
    # PTB's DEBUG line with its base URL was written, masked; httpx stays at WARNING: no request lines
    assert f"Set Bot API URL: {emulator.base_url}/bot{BOT_ID}:***" in text
    assert "HTTP Request:" not in text
    assert "processed" in logs.function.getvalue()  # the function's own log reached its handler


def test_with_httpx_turned_up_to_debug_its_request_lines_are_masked(
    emulator: TelegramEmulator, logs: Captured
) -> None:
    general = general_function(logs)
    for name in log_redaction.QUIET_LOGGERS:  # an operator turned every logger up to DEBUG
        logging.getLogger(name).setLevel(logging.DEBUG)
    assert general.lambda_handler(load_event("general_start"), FakeContext())["status"] == "done"

    text = logs.text()
    assert f'HTTP Request: POST {emulator.base_url}/bot{BOT_ID}:***/sendMessage "HTTP/1.1 200 OK"' in text
    assert BOT_TOKEN.partition(":")[2] not in text


def test_a_refused_token_is_named_nowhere(
    emulator: TelegramEmulator, logs: Captured, db: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram refuses the token (revoked): Lambda's error report, the logs and the inbox never name it."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", REVOKED_TOKEN)
    general = general_function(logs)
    with pytest.raises(InvalidToken) as refused:
        general.lambda_handler(load_event("general_start"), FakeContext())

    secret = REVOKED_TOKEN.partition(":")[2]
    reported = "".join(traceback.format_exception(refused.value))  # what Lambda's error report shows
    assert "was rejected by the server" in reported
    assert secret not in reported
    assert secret not in logs.text()
    assert "processing failed" in logs.function.getvalue()
    errors = query(db, "SELECT error FROM update_inbox")
    assert [row["error"] for row in errors] == [
        f"InvalidToken: The token `{BOT_ID}:***` was rejected by the server."
    ]


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (
            "HTTP Request: POST https://api.telegram.org/bot110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe",
            "HTTP Request: POST https://api.telegram.org/bot110201543:***/getMe",
        ),
        (
            "GET /file/bot110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/documents/file_1.pdf",
            "GET /file/bot110201543:***/documents/file_1.pdf",
        ),
        ("token `110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw` refused", "token `110201543:***` refused"),
        ("update 810000001 at 12:30:45 for chat -1001000000001", None),  # nothing that looks like a token
    ],
)
def test_what_the_filter_masks(line: str, masked: str | None) -> None:
    assert log_redaction.redact(line) == (masked if masked is not None else line)
